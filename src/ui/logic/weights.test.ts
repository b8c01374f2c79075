import { describe, expect, it } from 'vitest';
import { balanceOf, isReleasedWeighting, weightsFromBalance } from './weights.ts';

describe('distance-weight slider', () => {
  it('puts the released 1:1 in the middle and one codebook alone at each end', () => {
    expect(weightsFromBalance(0.5)).toEqual({ semantic: 1, pixel: 1 });
    expect(weightsFromBalance(0)).toEqual({ semantic: 0, pixel: 2 });
    expect(weightsFromBalance(1)).toEqual({ semantic: 2, pixel: 0 });
    expect(weightsFromBalance(0.2)).toEqual({ semantic: 0.4, pixel: 1.6 });
    expect(weightsFromBalance(-3)).toEqual({ semantic: 0, pixel: 2 });
  });

  it('reads any weights back as a slider position', () => {
    for (const t of [0, 0.15, 0.5, 0.85, 1]) expect(balanceOf(weightsFromBalance(t))).toBeCloseTo(t, 3);
    expect(balanceOf({ semantic: 3, pixel: 1 })).toBe(0.75);
    expect(balanceOf({ semantic: 0, pixel: 0 })).toBe(0.5);
  });

  it('knows which weightings choose the released codes', () => {
    expect(isReleasedWeighting({ semantic: 1, pixel: 1 })).toBe(true);
    expect(isReleasedWeighting({ semantic: 2, pixel: 2 })).toBe(true);
    expect(isReleasedWeighting({ semantic: 0, pixel: 0 })).toBe(false);
    expect(isReleasedWeighting({ semantic: 1, pixel: 1.5 })).toBe(false);
  });
});
