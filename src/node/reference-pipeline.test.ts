/**
 * The whole Python-free path against the official code: export each fixture checkpoint with
 * the exporter, run the package with onnxruntime-node through the shared pipeline, and compare
 * every stage with the golden outputs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Precision } from '../core/model-package/manifest.ts';
import type { LoadedModel } from '../core/pipeline/loaded-model.ts';
import { reconstructImage, type ReconstructResult } from '../core/pipeline/tokenflow-pipeline.ts';
import { indexAgreement, maxAbsDiff, u8Diff } from '../test-support/compare.ts';
import {
  fixtureImages,
  FIXTURE_NAMES,
  fixturePath,
  requireFixtureTensor,
  type FixtureImage,
  type FixtureName,
} from '../test-support/fixtures.ts';
import { exportCheckpointToDir } from './export-to-dir.ts';
import { decodeImageFile } from './image-io.ts';
import { loadModelFromDir } from './package-dir-reader.ts';

const golden = (name: FixtureName, image: FixtureImage, tensor: string) =>
  requireFixtureTensor(name, image, tensor).data;

export async function exportFixture(name: FixtureName, outDir: string, precision: Precision = 'fp32'): Promise<void> {
  await exportCheckpointToDir(fixturePath(name, 'checkpoint.pt'), outDir, { precision });
}

for (const name of FIXTURE_NAMES) {
  describe(`${name}: exporter + reference pipeline vs the official code`, () => {
    let tmp: string;
    let model: LoadedModel;
    const results = new Map<FixtureImage, ReconstructResult>();

    beforeAll(async () => {
      tmp = await mkdtemp(join(tmpdir(), `tf-${name}-`));
      await exportFixture(name, join(tmp, 'pkg'));
      model = await loadModelFromDir(join(tmp, 'pkg'));
      for (const image of fixtureImages(name)) {
        results.set(
          image,
          await reconstructImage(model, await decodeImageFile(fixturePath(name, image, 'source.png'))),
        );
      }
    });
    afterAll(async () => {
      await model?.runner.release();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    for (const image of fixtureImages(name)) {
      it(`${image}: the official center crop (input_u8)`, () => {
        const d = u8Diff(results.get(image)!.inputU8, golden(name, image, 'input_u8') as Uint8Array);
        expect(d.maxDiff).toBeLessThanOrEqual(1);
        expect(d.fraction).toBeLessThanOrEqual(0.001);
      });

      it(`${image}: semantic and pixel features within 1e-4`, () => {
        const r = results.get(image)!;
        expect(maxAbsDiff(r.semanticFeatures, golden(name, image, 'semantic_features'))).toBeLessThan(1e-4);
        expect(maxAbsDiff(r.pixelFeatures, golden(name, image, 'pixel_features'))).toBeLessThan(1e-4);
      });

      it(`${image}: joint, semantic-only and pixel-only indices equal wherever the margin > 1e-5`, () => {
        const q = results.get(image)!.quantization;
        for (const [ours, idx, margin] of [
          [q.indices, 'indices', 'margin'],
          [q.indicesSemanticOnly, 'indices_semantic_only', 'margin_semantic'],
          [q.indicesPixelOnly, 'indices_pixel_only', 'margin_pixel'],
        ] as const) {
          const a = indexAgreement(
            ours,
            golden(name, image, idx) as Int32Array,
            golden(name, image, margin) as Float32Array,
          );
          expect(a.mismatchesDecided, `${idx}: ${JSON.stringify(a)}`).toBe(0);
          expect(a.decided).toBeGreaterThan(ours.length * 0.95);
        }
      });

      it(`${image}: f̂ within 1e-4 and the decoder output within 1e-3`, () => {
        const r = results.get(image)!;
        const fHat = maxAbsDiff(r.quantization.fHat, golden(name, image, 'f_hat'));
        const decoded = maxAbsDiff(r.image, golden(name, image, 'image'));
        console.info(`${name}/${image}: max |Δf̂| ${fHat.toExponential(2)}, max |Δimage| ${decoded.toExponential(2)}`);
        expect(fHat).toBeLessThan(1e-4);
        expect(decoded).toBeLessThan(1e-3);
      });

      // The uint8 conversion itself is bit-exact on the official decoder output (postprocess.test.ts);
      // end to end, the decoder's own ~1e-4 float differences move a few values across an integer.
      it(`${image}: image_u8 within ±1 of the official output on at most 0.1% of values`, () => {
        const d = u8Diff(results.get(image)!.imageU8, golden(name, image, 'image_u8') as Uint8Array);
        console.info(
          `${name}/${image} image_u8: ${d.differing} of ${golden(name, image, 'image_u8').length} values differ (max ${d.maxDiff})`,
        );
        expect(d.maxDiff, JSON.stringify(d)).toBeLessThanOrEqual(1);
        expect(d.fraction, JSON.stringify(d)).toBeLessThanOrEqual(0.001);
      });
    }
  });
}
