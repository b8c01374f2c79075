/**
 * The exporter infers everything from the file: checkpoints of architectures no fixture has
 * (other widths, head counts, depths, K, channel multipliers) must detect back to exactly the
 * architecture that wrote them, export, and run through the pipeline with consistent outputs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteTempDir } from '../src/test-support/suite-temp-dir.ts';
import { decodeIndices } from '../src/core/quantizer/decode-indices.ts';
import { reconstructImage } from '../src/core/pipeline/tokenflow-pipeline.ts';
import { nodeFileSink } from '../src/node/file-byte-sink.ts';
import { decodeImageFile } from '../src/node/image-io.ts';
import { exportCheckpointToDir } from '../src/node/export-to-dir.ts';
import { loadModelFromDir } from '../src/node/package-dir-reader.ts';
import { fixturePath } from '../src/test-support/fixtures.ts';
import { maxAbsDiff } from '../src/test-support/compare.ts';
import { RELEASED_CLIP_ENHANCED, RELEASED_SIGLIP } from './bench/released-configs.ts';
import { writeRandomCheckpoint } from './bench/random-checkpoint.ts';
import type { ModelConfig } from './model-config.ts';

const UNSEEN: Record<string, ModelConfig> = {
  'CLIP, 3 heads, 1 layer, K=1000, enhanced decoder, ch_mult 1-2-2-2-4': {
    ...RELEASED_CLIP_ENHANCED,
    codebookSize: 1000,
    semanticEncoder: {
      kind: 'clip',
      width: 192,
      layers: 1,
      heads: 3,
      mlpDim: 384,
      patch: 16,
      posGrid: 14,
      interpolatePosTo: 16,
      lnEps: 1e-5,
    },
    semanticProjection: { inDim: 192, hiddenDim: 192, outDim: 32 },
    pixelEncoder: { ch: 32, chMult: [1, 2, 2, 2, 4], numResBlocks: 1, zChannels: 48 },
    pixelDecoder: { ch: 32, chMult: [1, 2, 2, 2, 4], numResBlocks: 4, zChannels: 48, enhanced: true },
  },
  'SigLIP, 3 heads, 2 layers (1 applied), K=512, normal decoder': {
    ...RELEASED_SIGLIP,
    codebookSize: 512,
    semanticEncoder: {
      kind: 'siglip',
      hidden: 216,
      layersTotal: 2,
      layersApplied: 1,
      heads: 3,
      intermediate: 300,
      patch: 14,
      positions: 729,
      lnEps: 1e-6,
    },
    semanticProjection: { inDim: 216, hiddenDim: 216, outDim: 32 },
    pixelEncoder: { ch: 32, chMult: [1, 1, 2, 2, 4], numResBlocks: 2, zChannels: 40 },
    pixelDecoder: { ch: 32, chMult: [1, 1, 2, 2, 4], numResBlocks: 2, zChannels: 40, enhanced: false },
  },
};

describe('checkpoints of architectures no fixture has', () => {
  const tmp = suiteTempDir('tf-unseen-');

  for (const [label, config] of Object.entries(UNSEEN)) {
    it(`${label}: detects back, exports and runs`, async () => {
      const dir = join(tmp(), label.replace(/\W+/g, '-'));
      const ckpt = `${dir}.pt`;
      await writeRandomCheckpoint(await nodeFileSink(ckpt), config, { seed: 11 });

      const { config: detected } = await exportCheckpointToDir(ckpt, dir);
      expect(detected).toEqual(config);

      const model = await loadModelFromDir(dir);
      try {
        const r = await reconstructImage(model, await decodeImageFile(fixturePath('clip-224', 'coffee', 'source.png')));
        const q = r.quantization;
        expect(q.indices.length).toBe(config.scales.reduce((a, s) => a + s * s, 0));
        expect(q.indices.every((i) => i >= 0 && i < config.codebookSize)).toBe(true);
        for (const t of [r.semanticFeatures, r.pixelFeatures, q.fHat, r.image])
          expect(t.every(Number.isFinite)).toBe(true);
        expect(r.image.length).toBe(3 * config.outputSize ** 2);
        // f̂ accumulated during encoding equals f̂ rebuilt from the indices alone.
        expect(
          maxAbsDiff(q.fHat, decodeIndices(q.indices, config.scales, config.gridSize, model.codebooks)),
        ).toBeLessThan(1e-5);
      } finally {
        await model.runner.release();
      }
    });
  }
});
