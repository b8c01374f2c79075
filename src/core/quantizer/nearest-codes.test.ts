import { describe, expect, it } from 'vitest';
import { describeEachFixtureModel } from '../../test-support/each-fixture-model.ts';
import { fixtureImages } from '../../test-support/fixtures.ts';
import { createCodebooks, normalizeRows, type Codebooks } from './codebook.ts';
import { nearestCodes, type DistanceWeights } from './nearest-codes.ts';
import { createScalePlan } from './scale-plan.ts';
import { fixtureConfig, fixtureF32, fixtureI32, maxAbsDiffAt } from '../../test-support/quantizer-fixtures.ts';

/** Ds = 2, Dp = 2 codebooks from explicit (already unit or zero) rows. */
function codebooks2x2(semantic: number[][], pixel: number[][]): Codebooks {
  return {
    size: semantic.length,
    semanticDim: 2,
    pixelDim: 2,
    semantic: Float32Array.from(semantic.flat()),
    pixel: Float32Array.from(pixel.flat()),
  };
}

/** A unit 2-vector at angle θ, so cosines with the x axis are chosen exactly. */
const unit = (cos: number): number[] => [cos, Math.sqrt(1 - cos * cos)];

/** The definition, written as plainly as possible, to check the tiled/blocked search against. */
function bruteForce(queries: Float32Array, cb: Codebooks, w: DistanceWeights) {
  const dim = cb.semanticDim + cb.pixelDim;
  const n = queries.length / dim;
  const zs = normalizeRows(
    Float32Array.from(
      { length: n * cb.semanticDim },
      (_, i) => queries[Math.floor(i / cb.semanticDim) * dim + (i % cb.semanticDim)],
    ),
    cb.semanticDim,
  );
  const zp = normalizeRows(
    Float32Array.from(
      { length: n * cb.pixelDim },
      (_, i) => queries[Math.floor(i / cb.pixelDim) * dim + cb.semanticDim + (i % cb.pixelDim)],
    ),
    cb.pixelDim,
  );
  const sq = (a: Float32Array, o: number, len: number) => a.subarray(o, o + len).reduce((s, v) => s + v * v, 0);
  const out: { joint: number[]; sem: number[]; pix: number[] }[] = [];
  for (let q = 0; q < n; q++) {
    const joint: number[] = [],
      sem: number[] = [],
      pix: number[] = [];
    for (let k = 0; k < cb.size; k++) {
      let ds = 0,
        dp = 0;
      for (let j = 0; j < cb.semanticDim; j++) ds += zs[q * cb.semanticDim + j] * cb.semantic[k * cb.semanticDim + j];
      for (let j = 0; j < cb.pixelDim; j++) dp += zp[q * cb.pixelDim + j] * cb.pixel[k * cb.pixelDim + j];
      const dS =
        sq(zs, q * cb.semanticDim, cb.semanticDim) + sq(cb.semantic, k * cb.semanticDim, cb.semanticDim) - 2 * ds;
      const dP = sq(zp, q * cb.pixelDim, cb.pixelDim) + sq(cb.pixel, k * cb.pixelDim, cb.pixelDim) - 2 * dp;
      joint.push(w.semantic * dS + w.pixel * dP);
      sem.push(dS);
      pix.push(dP);
    }
    out.push({ joint, sem, pix });
  }
  return out;
}

const argmin = (d: number[]) => d.reduce((b, v, i) => (v < d[b] ? i : b), 0);
const margin = (d: number[]) => {
  const s = [...d].sort((a, b) => a - b);
  return s[1] - s[0];
};

/** Deterministic uniform(−1, 1). */
function random(n: number, seed: number): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x / 2 ** 32) * 2 - 1;
  });
}

describe('nearestCodes', () => {
  it('matches the plain definition across code tiles and partial query blocks', () => {
    // K spans three 1024-code tiles and 7 queries leave a partial block of 4; dims 5 and 3 are odd.
    const K = 2500;
    const cb = createCodebooks(random(K * 5, 1), 5, random(K * 3, 2), 3);
    const queries = random(7 * 8, 3);
    const w = { semantic: 0.7, pixel: 1.3 };
    const r = nearestCodes(queries, cb, { weights: w, topK: 5 });
    const ref = bruteForce(queries, cb, w);
    ref.forEach((d, q) => {
      expect(r.indices[q]).toBe(argmin(d.joint));
      expect(r.indicesSemanticOnly[q]).toBe(argmin(d.sem));
      expect(r.indicesPixelOnly[q]).toBe(argmin(d.pix));
      expect(r.margin[q]).toBeCloseTo(margin(d.joint), 6);
      expect(r.marginSemantic[q]).toBeCloseTo(margin(d.sem), 6);
      expect(r.marginPixel[q]).toBeCloseTo(margin(d.pix), 6);
      const order = d.joint.map((v, k) => [v, k]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(Array.from(r.candidates.indices.subarray(q * 5, q * 5 + 5))).toEqual(order.slice(0, 5).map((e) => e[1]));
      order.slice(0, 5).forEach(([v, k], j) => {
        expect(r.candidates.distance[q * 5 + j]).toBeCloseTo(v, 5);
        expect(r.candidates.semanticDistance[q * 5 + j]).toBeCloseTo(d.sem[k], 5);
        expect(r.candidates.pixelDistance[q * 5 + j]).toBeCloseTo(d.pix[k], 5);
      });
    });
  });

  it('treats an all-zero code as d = ‖ẑ‖² per half, as PyTorch does (not as cos = 0)', () => {
    // Code 1 has cos 0.2 with the query in both halves: d = 2 − 0.4 = 1.6 per half, worse than the
    // zero code's 1 + 0. The dot-product shortcut would pick code 1 (score 0.4 > 0).
    const cb = codebooks2x2([[0, 0], unit(0.2)], [[0, 0], unit(0.2)]);
    const r = nearestCodes(Float32Array.from([3, 0, 0.5, 0]), cb, { topK: 2 });
    expect(r.indices[0]).toBe(0);
    expect(r.candidates.distance[0]).toBeCloseTo(2, 6);
    expect(r.candidates.distance[1]).toBeCloseTo(3.2, 6);
    expect(r.margin[0]).toBeCloseTo(1.2, 6);
  });

  it('a zero query gives finite distances (no NaN) and ties resolved to the lowest index', () => {
    const cb = codebooks2x2(
      [
        [1, 0],
        [0, 1],
        [-1, 0],
      ],
      [
        [0, 1],
        [1, 0],
        [0, -1],
      ],
    );
    const r = nearestCodes(new Float32Array(4), cb, { topK: 3 });
    expect(r.indices[0]).toBe(0);
    expect(r.indicesSemanticOnly[0]).toBe(0);
    expect(r.indicesPixelOnly[0]).toBe(0);
    expect(Array.from(r.margin)).toEqual([0]);
    expect(Array.from(r.candidates.distance)).toEqual([2, 2, 2]);
    expect(Array.from(r.candidates.indices)).toEqual([0, 1, 2]);
  });

  it('breaks an exact tie toward the lower index, and reports margin 0', () => {
    // Codes 1 and 3 are identical and best; code 0 and 2 are worse.
    const cb = codebooks2x2(
      [
        [0, 1],
        [1, 0],
        [-1, 0],
        [1, 0],
      ],
      [
        [1, 0],
        [0, 1],
        [0, 1],
        [0, 1],
      ],
    );
    const r = nearestCodes(Float32Array.from([1, 0, 0, 1]), cb, { topK: 3 });
    expect(r.indices[0]).toBe(1);
    expect(r.margin[0]).toBe(0);
    expect(Array.from(r.candidates.indices)).toEqual([1, 3, 0]);
  });

  it('weights other than 1:1 change the choice', () => {
    // Code 0: semantic cos 0.9, pixel cos 0 → d = 0.2 + w·2. Code 1: semantic cos 0.6, pixel
    // cos 1 → d = 0.8 + 0. At 1:1 code 1 wins (0.8 < 2.2); at pixel weight 0.1 code 0 (0.4 < 0.8).
    const cb = codebooks2x2(
      [unit(0.9), unit(0.6)],
      [
        [0, 1],
        [1, 0],
      ],
    );
    const q = Float32Array.from([2, 0, 5, 0]);
    const official = nearestCodes(q, cb);
    expect(official.indices[0]).toBe(1);
    expect(official.margin[0]).toBeCloseTo(1.4, 6);
    const semanticHeavy = nearestCodes(q, cb, { weights: { semantic: 1, pixel: 0.1 } });
    expect(semanticHeavy.indices[0]).toBe(0);
    expect(semanticHeavy.margin[0]).toBeCloseTo(0.4, 6);
    // The per-branch answers do not depend on the weights.
    expect(semanticHeavy.indicesSemanticOnly[0]).toBe(0);
    expect(semanticHeavy.indicesPixelOnly[0]).toBe(1);
  });

  it('normalises each half of the query separately', () => {
    // A huge pixel half must not swamp the semantic half: scaling either changes nothing.
    const cb = createCodebooks(random(64 * 2, 4), 2, random(64 * 2, 5), 2);
    // Power-of-two factors keep every float32 step exact, so equality is exact too.
    const q = Float32Array.from([0.3, -0.2, 0.01, 0.04]);
    const a = nearestCodes(q, cb);
    const b = nearestCodes(Float32Array.from([q[0] * 64, q[1] * 64, q[2] * 2 ** 20, q[3] * 2 ** 20]), cb);
    expect(b.indices).toEqual(a.indices);
    expect(b.margin).toEqual(a.margin);
  });

  it('has margin Infinity with a single code', () => {
    const r = nearestCodes(Float32Array.from([1, 0, 1, 0]), codebooks2x2([[1, 0]], [[1, 0]]));
    expect(r.indices[0]).toBe(0);
    expect(r.margin[0]).toBe(Infinity);
  });

  it('names what is wrong in its inputs', () => {
    const cb = codebooks2x2(
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    );
    expect(() => nearestCodes(new Float32Array(5), cb)).toThrow(
      /5 query values is not a whole number of rows of Ds\+Dp = 4/,
    );
    expect(() => nearestCodes(Float32Array.from([0, 0, 0, 0, 1, Infinity, 0, 0]), cb)).toThrow(
      /query row 1 channel 1 is Infinity/,
    );
    expect(() => nearestCodes(new Float32Array(4), cb, { weights: { semantic: 1, pixel: -1 } })).toThrow(
      /weight pixel .* got -1/,
    );
    expect(() => nearestCodes(new Float32Array(4), cb, { topK: 3 })).toThrow(
      /topK must be an integer in \[0, K=2\], got 3/,
    );
  });
});

// The search alone, fed the official per-scale inputs r_s: it must choose what PyTorch chose and
// agree on the margins to fp32 rounding of PyTorch's distances.
describe('nearestCodes on the official quantizer inputs', () => {
  describeEachFixtureModel((name, codebooks) => {
    for (const image of fixtureImages(name)) {
      it(image, () => {
        const { S, scales } = fixtureConfig(name);
        const plan = createScalePlan(S, scales);
        const C = codebooks().semanticDim + codebooks().pixelDim;
        const input = fixtureF32(name, image, 'quant_input');
        const fields = [
          ['indices', 'indices', 'margin', 'margin'],
          ['indicesSemanticOnly', 'indices_semantic_only', 'marginSemantic', 'margin_semantic'],
          ['indicesPixelOnly', 'indices_pixel_only', 'marginPixel', 'margin_pixel'],
        ] as const;
        const golden = fields.map(([, indexTensor, , marginTensor]) => ({
          index: fixtureI32(name, image, indexTensor),
          margin: fixtureF32(name, image, marginTensor),
        }));
        scales.forEach((s, i) => {
          const [t0, t1] = [plan.tokenOffsets[i], plan.tokenOffsets[i + 1]];
          const r = nearestCodes(toRows(input.subarray(t0 * C, t1 * C), C), codebooks());
          fields.forEach(([field, indexTensor, marginField, marginTensor], f) => {
            const { index, margin } = golden[f];
            const clear = [...r[field].keys()].filter((p) => margin[t0 + p] > 1e-5 && r[field][p] !== index[t0 + p]);
            expect(clear, `${indexTensor}, scale ${s}: positions with a clear official choice that differ`).toEqual([]);
            const d = maxAbsDiffAt(r[marginField], margin.subarray(t0, t1));
            expect(d.max, `${marginTensor}, scale ${s}, position ${d.at}`).toBeLessThan(2e-6);
          });
        });
      });
    }
  });
});

function toRows(planes: Float32Array, C: number): Float32Array {
  const n = planes.length / C;
  return Float32Array.from({ length: planes.length }, (_, i) => planes[(i % C) * n + Math.floor(i / C)]);
}
