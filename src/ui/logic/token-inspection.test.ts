import { describe, expect, it } from 'vitest';
import { createCodebooks } from '../../core/quantizer/codebook.ts';
import { quantizeMultiscale } from '../../core/quantizer/multiscale.ts';
import { createTokenLayout, positionOf } from './token-layout.ts';
import { inspectToken } from './token-inspection.ts';

/** Deterministic pseudo-random values in [-0.5, 0.5). */
function values(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32 - 0.5;
  });
}

describe('inspectToken', () => {
  const K = 64;
  const ds = 4;
  const dp = 2;
  const S = 4;
  const scales = [1, 2, 4];
  const codebooks = createCodebooks(values(K * ds, 1), ds, values(K * dp, 2), dp);
  const h = values((ds + dp) * S * S, 3);
  const weights = { semantic: 1, pixel: 1 };
  const q = quantizeMultiscale(h, S, scales, codebooks, { topK: 5, weights });
  const layout = createTokenLayout(S, scales);

  it('reproduces the quantizer: the joint code is the best candidate and the branch winners are the branch minima', () => {
    for (let t = 0; t < layout.numTokens; t++) {
      const r = inspectToken({
        layout,
        indices: q.indices,
        position: positionOf(layout, t),
        codebooks,
        quantization: q,
        weights,
      });
      expect(r.code).toBe(q.indices[t]);
      expect(r.candidates[0].code).toBe(r.code);
      expect(r.candidates).toHaveLength(5);
      // Candidate distances match the quantizer's own (float32) numbers.
      for (let j = 0; j < 5; j++) expect(r.candidates[j].distance).toBeCloseTo(q.candidates.distance[t * 5 + j], 5);
      expect(r.semanticOnly!.semanticDistance).toBeLessThanOrEqual(r.joint!.semanticDistance + 1e-9);
      expect(r.pixelOnly!.pixelDistance).toBeLessThanOrEqual(r.joint!.pixelDistance + 1e-9);
      // Unit vectors: d = 2 − 2 cos.
      expect(r.joint!.semanticDistance).toBeCloseTo(2 - 2 * r.joint!.semanticSimilarity, 6);
      expect(r.margins!.joint).toBe(q.margin[t]);
    }
  });

  it('lists every occurrence of the index, and works without an encode (pasted tokens)', () => {
    // Every third token holds code 7, and so does token 7 itself.
    const indices = Int32Array.from({ length: layout.numTokens }, (_, t) => (t % 3 === 0 ? 7 : t));
    const r = inspectToken({ layout, indices, position: { scaleIndex: 1, row: 1, col: 0 }, weights });
    expect(r.token).toBe(3);
    expect(r.code).toBe(7);
    expect(r.joint).toBeUndefined();
    expect(r.occurrences.map((p) => [p.scaleIndex, p.row, p.col])).toEqual([
      [0, 0, 0],
      [1, 1, 0],
      [2, 0, 1],
      [2, 0, 2],
      [2, 1, 0],
      [2, 1, 3],
      [2, 2, 2],
      [2, 3, 1],
    ]);
  });
});
