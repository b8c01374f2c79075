import { describe, expect, it } from 'vitest';
import { quantizeMultiscale } from '../src/core/quantizer/multiscale.ts';
import { MultiScaleQuantizer, l2Normalize } from './quantizer.ts';
import { startBackend, tf } from './tf-backend.ts';
import { TINY_CONFIG } from './tiny-config.ts';

// The differentiable training quantizer must pick the codes the runtime's CPU reference picks.
describe('training quantizer vs the CPU reference (official 9 scales at 16×16)', () => {
  it('chooses the same shared indices and builds the same f̂', async () => {
    await startBackend();
    const { gridSize: S, scales, semanticCodeDim: Ds, pixelCodeDim: Dp } = TINY_CONFIG;
    const K = 256;
    const C = Ds + Dp;
    const h = tf.randomNormal([1, S, S, C]) as tf.Tensor4D;
    const sem = l2Normalize(tf.randomNormal([K, Ds]));
    const pix = l2Normalize(tf.randomNormal([K, Dp]));
    const mine = new MultiScaleQuantizer(S, scales, Ds).quantize(h, sem, pix);
    const ref = quantizeMultiscale(h.transpose([0, 3, 1, 2]).dataSync() as Float32Array, S, scales, {
      size: K,
      semanticDim: Ds,
      pixelDim: Dp,
      semantic: sem.dataSync() as Float32Array,
      pixel: pix.dataSync() as Float32Array,
    });
    // Ours is batch-major within a scale; with batch 1 that is the runtime's row-major order.
    const ours = Int32Array.from(mine.indices.flatMap((a) => [...a]));
    let same = 0;
    for (let i = 0; i < ours.length; i++) if (ours[i] === ref.indices[i]) same++;
    expect(same / ours.length).toBeGreaterThan(0.99);
    const fHat = mine.fHat.transpose([0, 3, 1, 2]).dataSync();
    let maxDiff = 0;
    for (let i = 0; i < fHat.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fHat[i] - ref.fHat[i]));
    if (same === ours.length) expect(maxDiff).toBeLessThan(1e-4);
  });
});
