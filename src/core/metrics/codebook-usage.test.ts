import { describe, expect, it } from 'vitest';
import { CodebookTally, codebookUsage } from './codebook-usage.ts';
import { distribution, histogram } from './distribution.ts';

describe('codebook usage', () => {
  it('counts distinct codes per image and accumulates a dataset tally', () => {
    const u = codebookUsage([3, 3, 7, 0, 7], 16);
    expect(u).toEqual({ distinct: 3, tokens: 5, codebookSize: 16, usage: 3 / 16 });
    const t = new CodebookTally(4);
    t.add([0, 1]);
    t.add([1, 1]);
    expect(t.distinct).toBe(2);
    expect(t.tokens).toBe(4);
    // p = (1/4, 3/4): exp(−Σ p log p)
    expect(t.perplexity).toBeCloseTo(Math.exp(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75))), 12);
    t.add([0, 1, 2, 3]);
    expect(t.distinct).toBe(4);
  });

  it('names the token holding an out-of-range code', () => {
    expect(() => codebookUsage([1, 2, 16], 16)).toThrow(/token 2 is code 16, outside \[0, K=16\)/);
  });
});

describe('distribution', () => {
  it('uses numpy’s linear quantiles and skips non-finite values', () => {
    const d = distribution([4, 1, Infinity, 3, 2]);
    expect(d.count).toBe(4);
    expect(d.nonFinite).toBe(1);
    expect(d.mean).toBe(2.5);
    expect(d.median).toBe(2.5);
    expect(d.p25).toBe(1.75);
    expect(d.min).toBe(1);
    expect(d.max).toBe(4);
    expect(distribution([]).median).toBeNull();
  });

  it('bins values, the last bin closed', () => {
    expect(histogram([0, 0.5, 1, 2, 2], 0, 2, 2).counts).toEqual([2, 3]);
  });
});
