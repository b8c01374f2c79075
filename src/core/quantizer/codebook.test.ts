import { describe, expect, it } from 'vitest';
import { checkCodebooks, codePlanesInto, createCodebooks, normalizeRows, rowSquaredNorms } from './codebook.ts';

describe('normalizeRows (F.normalize, eps 1e-12)', () => {
  it('divides each row by its float32 norm, rounding the quotient to float32', () => {
    const raw = Float32Array.from([3, 4, 0.1, 0.2, 0.3, 0.7]);
    const out = normalizeRows(raw, 3);
    for (let r = 0; r < 2; r++) {
      const row = raw.subarray(r * 3, r * 3 + 3);
      const norm = Math.fround(Math.hypot(...row));
      row.forEach((v, j) => expect(out[r * 3 + j]).toBe(Math.fround(v / norm)));
    }
    expect(Array.from(normalizeRows(Float32Array.from([3, 4]), 2))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('keeps an all-zero row zero instead of NaN', () => {
    expect(Array.from(normalizeRows(new Float32Array(4), 2))).toEqual([0, 0, 0, 0]);
  });

  it('clamps a tiny norm to 1e-12 rather than normalising it to unit length', () => {
    const tiny = Math.fround(1e-13);
    expect(normalizeRows(Float32Array.from([tiny, 0]), 2)[0]).toBe(Math.fround(tiny / Math.fround(1e-12)));
  });

  it('rejects a length that is not whole rows', () => {
    expect(() => normalizeRows(new Float32Array(5), 2)).toThrow(/5 values is not a whole number of rows of 2/);
  });
});

describe('createCodebooks', () => {
  it('normalises both branches and infers K', () => {
    const cb = createCodebooks(Float32Array.from([2, 0, 0, 5]), 2, Float32Array.from([0, -3, 4, 0]), 2);
    expect(cb.size).toBe(2);
    expect(Array.from(cb.semantic)).toEqual([1, 0, 0, 1]);
    expect(Array.from(cb.pixel)).toEqual([0, -1, 1, 0]);
    expect(Array.from(rowSquaredNorms(cb.pixel, 2))).toEqual([1, 1]);
  });

  it('rejects branches with different K, and non-finite weights by row and column', () => {
    expect(() => createCodebooks(new Float32Array(6), 2, new Float32Array(4), 2)).toThrow(
      /semantic has 3 rows of 2, pixel has 2 rows/,
    );
    expect(() => createCodebooks(Float32Array.from([1, 0, 0, NaN]), 2, new Float32Array(4), 2)).toThrow(
      /semantic codebook: row 1 column 1 is NaN/,
    );
  });

  it('checkCodebooks catches arrays that disagree with K', () => {
    expect(() =>
      checkCodebooks({
        size: 3,
        semanticDim: 2,
        pixelDim: 1,
        semantic: new Float32Array(6),
        pixel: new Float32Array(2),
      }),
    ).toThrow(/pixel codebook has 2 values, expected K×Dp = 3×1/);
  });
});

describe('codePlanesInto', () => {
  it('lays chosen rows out as (1, Ds+Dp, s, s) planes, semantic first', () => {
    const cb = {
      size: 2,
      semanticDim: 2,
      pixelDim: 1,
      semantic: Float32Array.from([1, 2, 3, 4]),
      pixel: Float32Array.from([5, 6]),
    };
    const out = new Float32Array(3 * 2);
    codePlanesInto(Int32Array.from([1, 0]), cb, out);
    expect(Array.from(out)).toEqual([3, 1, 4, 2, 6, 5]);
  });
});
