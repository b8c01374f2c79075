/**
 * Test-only: the golden-fixture checks for one fixture, shared by one small test file per
 * fixture so Vitest can run fixtures in parallel. Builds the three graphs from the fixture's
 * checkpoint.pt once (fp32 and fp16), writes them to a temp dir, runs them in
 * onnxruntime-node and compares with what the official PyTorch code produced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSink } from '../node/file-byte-sink.ts';
import { nodeFileSource } from '../node/file-byte-source.ts';
import {
  fixtureImages,
  fixturePath,
  requireFixtureTensor,
  loadFixtureTensor,
  type FixtureImage,
  type FixtureName,
} from './fixtures.ts';
import { loadCheckpoint } from '../../export/checkpoint/load-checkpoint.ts';
import type { StateDict } from '../../export/checkpoint/state-dict.ts';
import { detectConfig } from '../../export/detect-config.ts';
import type { ModelConfig } from '../../export/model-config.ts';
import { officialLayout, type LayoutRole } from '../../export/state-dict-layout.ts';
import type { Graph } from '../../export/onnx/graph-builder.ts';
import {
  buildPixelDecoder,
  buildPixelEncoder,
  buildSemanticEncoder,
  writeOnnxModel,
  type Precision,
  type WriteOnnxResult,
} from '../../export/onnx/index.ts';
import { maxAbsDiff, openModel, type OrtModel } from './onnx-models.ts';

type GraphName = 'semantic_encoder' | 'pixel_encoder' | 'pixel_decoder';
const GRAPHS: readonly GraphName[] = ['semantic_encoder', 'pixel_encoder', 'pixel_decoder'];

/** The spec's tolerances: 1e-4 before the decoder, 1e-3 after it (max abs). */
export const TOL = { features: 1e-4, image: 1e-3, pixelBranchInput: 1e-5 } as const;

function build(name: GraphName, config: ModelConfig, sd: StateDict): Graph {
  const options = { debugOutputs: true };
  if (name === 'semantic_encoder') return buildSemanticEncoder(config, sd, options);
  if (name === 'pixel_encoder') return buildPixelEncoder(config, sd, options);
  return buildPixelDecoder(config, sd, options);
}

interface Exported {
  readonly models: Record<GraphName, OrtModel>;
  readonly written: Record<GraphName, WriteOnnxResult>;
  readonly graphs: Record<GraphName, Graph>;
}

export function describeFixtureGraphs(fixture: FixtureName): void {
  describe(`ONNX graphs vs the official code: ${fixture}`, () => {
    let dir = '';
    let config: ModelConfig;
    let sd: StateDict;
    let source: Awaited<ReturnType<typeof nodeFileSource>> | undefined;
    const exported = {} as Record<Precision, Exported>;

    async function exportAll(precision: Precision): Promise<Exported> {
      const out = { models: {}, written: {}, graphs: {} } as Exported;
      for (const g of GRAPHS) {
        const fileName = `${g}.${precision}.onnx`;
        const graph = build(g, config, sd);
        out.graphs[g] = graph;
        out.written[g] = await writeOnnxModel(graph, await nodeFileSink(join(dir, fileName)), { fileName, precision });
        out.models[g] = await openModel(join(dir, fileName));
      }
      return out;
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `tokenflow-onnx-${fixture}-`));
      source = await nodeFileSource(fixturePath(fixture, 'checkpoint.pt'));
      const checkpoint = await loadCheckpoint(source);
      sd = checkpoint.stateDict;
      config = detectConfig(sd, { sourceName: fixture });
      exported.fp32 = await exportAll('fp32');
      exported.fp16 = await exportAll('fp16');
    });

    afterAll(async () => {
      for (const e of Object.values(exported)) for (const m of Object.values(e.models)) await m.release();
      await source?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const f32 = (image: FixtureImage, tensor: string) =>
      requireFixtureTensor(fixture, image, tensor).data as Float32Array;

    async function runAll(precision: Precision, image: FixtureImage) {
      const { models } = exported[precision];
      const input = { data: f32(image, 'input'), shape: [1, 3, config.inputSize, config.inputSize] };
      const S = config.gridSize;
      // The decoder input is the pixel half of f̂: channels 32…39 (semantic first).
      const pixelFHat = f32(image, 'f_hat').slice(
        config.semanticCodeDim * S * S,
        (config.semanticCodeDim + config.pixelCodeDim) * S * S,
      );
      return {
        semantic: await models.semantic_encoder.run({ image: input }),
        pixel: await models.pixel_encoder.run({ image: input }),
        decoded: await models.pixel_decoder.run({
          pixel_f_hat: { data: pixelFHat, shape: [1, config.pixelCodeDim, S, S] },
        }),
      };
    }

    function report(what: string, err: number): number {
      console.log(`${fixture} ${what}: max abs error ${err.toExponential(2)}`);
      return err;
    }

    for (const image of fixtureImages(fixture)) {
      it(`${image}: semantic_features, pixel_features and the decoded image match`, async () => {
        const r = await runAll('fp32', image);
        const S = config.gridSize;
        expect(r.semantic.semantic_features.shape).toEqual([1, config.semanticCodeDim, S, S]);
        expect(r.pixel.pixel_features.shape).toEqual([1, config.pixelCodeDim, S, S]);
        expect(r.decoded.image.shape).toEqual([1, 3, config.outputSize, config.outputSize]);
        expect(
          report(
            `${image} semantic_features`,
            maxAbsDiff(r.semantic.semantic_features.data, f32(image, 'semantic_features')),
          ),
        ).toBeLessThan(TOL.features);
        expect(
          report(`${image} pixel_features`, maxAbsDiff(r.pixel.pixel_features.data, f32(image, 'pixel_features'))),
        ).toBeLessThan(TOL.features);
        expect(report(`${image} image`, maxAbsDiff(r.decoded.image.data, f32(image, 'image')))).toBeLessThan(TOL.image);

        // SigLIP's in-graph resizes, where the fixture stores them (first image only).
        const pbi = loadFixtureTensor(fixture, image, 'pixel_branch_input');
        if (pbi) {
          expect(
            report(
              `${image} pixel_branch_input`,
              maxAbsDiff(r.pixel.pixel_branch_input.data, pbi.data as Float32Array),
            ),
          ).toBeLessThan(TOL.pixelBranchInput);
        }
        const raw = loadFixtureTensor(fixture, image, 'decoder_raw');
        if (raw)
          expect(
            report(`${image} decoder_raw`, maxAbsDiff(r.decoded.decoder_raw.data, raw.data as Float32Array)),
          ).toBeLessThan(TOL.image);
      });
    }

    it('fp16 weights: outputs stay close and the files roughly halve', async () => {
      const image: FixtureImage = 'astronaut';
      const r = await runAll('fp16', image);
      // fp16 rounds each weight by up to 2^-11 relative; through ~20 random-weight layers that is ~1e-3–1e-2.
      expect(
        report(
          `fp16 ${image} semantic_features`,
          maxAbsDiff(r.semantic.semantic_features.data, f32(image, 'semantic_features')),
        ),
      ).toBeLessThan(2e-2);
      expect(
        report(`fp16 ${image} pixel_features`, maxAbsDiff(r.pixel.pixel_features.data, f32(image, 'pixel_features'))),
      ).toBeLessThan(5e-2);
      expect(report(`fp16 ${image} image`, maxAbsDiff(r.decoded.image.data, f32(image, 'image')))).toBeLessThan(1e-1);
      for (const g of GRAPHS) {
        const full = exported.fp32.written[g];
        const half = exported.fp16.written[g];
        const ratio = half.files[0].bytes / full.files[0].bytes;
        console.log(
          `${fixture} ${g}: fp32 ${full.files[0].bytes} bytes, fp16 ${half.files[0].bytes} bytes (${(100 * ratio).toFixed(1)}%)`,
        );
        // Weights halve except 1-D biases/norms; files a little less (fp32 constants such as
        // SigLIP's 384↔432 resampling matrices, 1.3 MB here, negligible at full size).
        expect(half.weightBytes / full.weightBytes).toBeLessThan(0.51);
        expect(half.weightBytes / full.weightBytes).toBeGreaterThan(0.5);
        expect(ratio).toBeLessThan(0.6);
      }
    });

    it("GroupNorm as InstanceNormalization (the 'instance-norm' option) also runs, less precisely", async () => {
      const fileName = 'pixel_encoder.instance-norm.onnx';
      await writeOnnxModel(
        buildPixelEncoder(config, sd, { groupNormImpl: 'instance-norm' }),
        await nodeFileSink(join(dir, fileName)),
        { fileName },
      );
      const model = await openModel(join(dir, fileName));
      try {
        const image: FixtureImage = 'astronaut';
        const out = await model.run({
          image: { data: f32(image, 'input'), shape: [1, 3, config.inputSize, config.inputSize] },
        });
        // onnxruntime accumulates each group in a few float32 sums: ~3e-4 on SigLIP's 432² planes.
        expect(
          report(
            `instance-norm ${image} pixel_features`,
            maxAbsDiff(out.pixel_features.data, f32(image, 'pixel_features')),
          ),
        ).toBeLessThan(1e-3);
      } finally {
        await model.release();
      }
    });

    it('each graph reads exactly the keys the official layout assigns to it', () => {
      const layout = officialLayout(config);
      const roles: Record<GraphName, LayoutRole> = {
        semantic_encoder: 'semantic_encoder',
        pixel_encoder: 'pixel_encoder',
        pixel_decoder: 'pixel_decoder',
      };
      for (const g of GRAPHS) {
        const read = new Set(exported.fp32.graphs[g].weights.flatMap((w) => w.sourceKeys));
        const expected = new Set(layout.filter((e) => e.role === roles[g]).map((e) => e.key));
        expect([...read].sort(), g).toEqual([...expected].sort());
      }
    });
  });
}
