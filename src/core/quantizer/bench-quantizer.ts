/**
 * Times one full quantizeMultiscale at released size (K = 32768; SigLIP: S = 27, 15 scales,
 * 2227 tokens; CLIP@256: S = 16, 9 scales, 817 tokens) on random data, and decodeIndices for
 * comparison. Prints figures; not a test. The first run of each includes JIT warm-up.
 *   npx tsx src/core/quantizer/bench-quantizer.ts [runs]
 */
import { decodeIndices } from './decode-indices.ts';
import { quantizeMultiscale } from './multiscale.ts';
import {
  RELEASED_K as K,
  RELEASED_PIXEL_DIM as PIXEL_DIM,
  RELEASED_QUANTIZER_CONFIGS,
  RELEASED_SEMANTIC_DIM as SEMANTIC_DIM,
  randomReleasedCodebooks,
  randomReleasedFeatures,
} from '../../test-support/released-size-quantizer.ts';

const runs = Number(process.argv[2] ?? 3);
const codebooks = randomReleasedCodebooks();

for (const { name, S, scales } of RELEASED_QUANTIZER_CONFIGS) {
  const h = randomReleasedFeatures(S);
  const tokens = scales.reduce((a, s) => a + s * s, 0);
  const macs = tokens * K * (SEMANTIC_DIM + PIXEL_DIM);
  console.log(
    `${name}: K=${K} S=${S} ${scales.length} scales, ${tokens} tokens → ${(macs / 1e9).toFixed(2)} G multiply-adds`,
  );
  for (const topK of [0, 8]) {
    const times: number[] = [];
    let indices: Int32Array = new Int32Array(0);
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      indices = quantizeMultiscale(h, S, scales, codebooks, { topK }).indices;
      times.push(performance.now() - t0);
    }
    const bestMs = Math.min(...times);
    console.log(
      `  quantizeMultiscale topK=${topK}: ${times.map((t) => (t / 1000).toFixed(2)).join(' s, ')} s` +
        ` (best ${(macs / (bestMs / 1000) / 1e9).toFixed(2)} G MAC/s)`,
    );
    if (topK === 0) {
      const t0 = performance.now();
      decodeIndices(indices, scales, S, codebooks);
      console.log(`  decodeIndices: ${(performance.now() - t0).toFixed(1)} ms`);
    }
  }
}
