import { describe, expect, it } from 'vitest';
import { mulberry32 as random } from '../../core/seeded-random.ts';
import { codeCss, computeCodeColours, symmetricEigen } from './code-colours.ts';

function normalisedRows(K: number, dim: number, seed: number): Float32Array {
  const rnd = random(seed);
  const rows = new Float32Array(K * dim);
  for (let k = 0; k < K; k++) {
    let n = 0;
    for (let j = 0; j < dim; j++) {
      rows[k * dim + j] = rnd() - 0.5;
      n += rows[k * dim + j] ** 2;
    }
    for (let j = 0; j < dim; j++) rows[k * dim + j] /= Math.sqrt(n);
  }
  return rows;
}

describe('symmetricEigen', () => {
  it('finds eigenvalues in decreasing order with sign-fixed unit vectors', () => {
    // [[2,1],[1,2]]: eigenvalues 3 (1,1)/√2 and 1 (1,−1)/√2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(vectors[0][0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0][1]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(Math.max(Math.abs(vectors[1][0]), Math.abs(vectors[1][1]))).toBeCloseTo(Math.SQRT1_2, 12);
  });
});

describe('computeCodeColours', () => {
  it('gives equal codes equal colours and near codes near colours', () => {
    const dim = 8;
    const rows = normalisedRows(512, dim, 1);
    // Code 10 duplicates code 3; code 11 is code 3 nudged slightly.
    rows.copyWithin(10 * dim, 3 * dim, 4 * dim);
    for (let j = 0; j < dim; j++) rows[11 * dim + j] = rows[3 * dim + j] + (j === 0 ? 0.02 : 0);
    const c = computeCodeColours('pixel', rows, dim);
    expect(c.size).toBe(512);
    expect(codeCss(c, 10)).toBe(codeCss(c, 3));
    const dist = (a: number, b: number) => Math.hypot(...[0, 1, 2].map((i) => c.rgb[a * 3 + i] - c.rgb[b * 3 + i]));
    expect(dist(3, 11)).toBeLessThan(15);
    // Random codes are, on average, much further apart.
    let far = 0;
    for (let k = 20; k < 120; k++) far += dist(3, k);
    expect(far / 100).toBeGreaterThan(60);
    expect(c.explained.reduce((a, b) => a + b)).toBeLessThanOrEqual(1);
  });

  it('is deterministic and refuses ragged rows', () => {
    const rows = normalisedRows(300, 32, 2);
    const a = computeCodeColours('semantic', rows, 32);
    const b = computeCodeColours('semantic', rows.slice(), 32);
    expect(Array.from(a.rgb)).toEqual(Array.from(b.rgb));
    expect(() => computeCodeColours('semantic', new Float32Array(33), 32)).toThrow(
      'semantic codebook: 33 values is not a whole number of rows of 32',
    );
  });
});
