import { describe, expect, it } from 'vitest';
import {
  bitsPerImage,
  createTokenLayout,
  flatIndex,
  occurrencesOf,
  positionOf,
  scaleSlice,
  tokenFootprint,
} from './token-layout.ts';

const clip256 = createTokenLayout(16, [1, 2, 4, 6, 8, 10, 12, 14, 16]);

describe('token layout', () => {
  it('counts the official token totals and bits per image', () => {
    expect(clip256.numTokens).toBe(817);
    expect(createTokenLayout(14, [1, 2, 4, 6, 8, 10, 12, 14]).numTokens).toBe(561);
    expect(createTokenLayout(27, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 17, 22, 27]).numTokens).toBe(2227);
    expect(bitsPerImage(817, 32768)).toBe(12255);
  });

  it('maps scale/row/column to the flat sequence and back', () => {
    expect(flatIndex(clip256, { scaleIndex: 0, row: 0, col: 0 })).toBe(0);
    expect(flatIndex(clip256, { scaleIndex: 2, row: 1, col: 3 })).toBe(1 + 4 + 4 + 3);
    for (const t of [0, 1, 4, 5, 100, 816]) expect(flatIndex(clip256, positionOf(clip256, t))).toBe(t);
    expect(positionOf(clip256, 816)).toEqual({ scaleIndex: 8, row: 15, col: 15 });
    expect(() => flatIndex(clip256, { scaleIndex: 1, row: 2, col: 0 })).toThrow(
      'cell (row 2, column 0) is outside the 2×2 grid',
    );
    expect(() => positionOf(clip256, 817)).toThrow('token 817 is outside [0, 817)');
  });

  it('slices one scale and finds every occurrence of a code', () => {
    const layout = createTokenLayout(2, [1, 2]);
    const indices = Int32Array.from([7, 3, 7, 7, 1]);
    expect(Array.from(scaleSlice(layout, indices, 1))).toEqual([3, 7, 7, 1]);
    expect(occurrencesOf(layout, indices, 7)).toEqual([
      { scaleIndex: 0, row: 0, col: 0 },
      { scaleIndex: 1, row: 0, col: 1 },
      { scaleIndex: 1, row: 1, col: 0 },
    ]);
  });

  it('gives overlapping area bins as footprints (14 → 4 uses rows [0,4), [3,7), …)', () => {
    const clip224 = createTokenLayout(14, [1, 2, 4, 6, 8, 10, 12, 14]);
    expect(tokenFootprint(clip224, { scaleIndex: 2, row: 1, col: 0 }, 224)).toEqual({
      x: 0,
      y: 48,
      width: 64,
      height: 64,
    });
    expect(tokenFootprint(clip256, { scaleIndex: 0, row: 0, col: 0 }, 256)).toEqual({
      x: 0,
      y: 0,
      width: 256,
      height: 256,
    });
    expect(tokenFootprint(clip256, { scaleIndex: 8, row: 15, col: 2 }, 256)).toEqual({
      x: 32,
      y: 240,
      width: 16,
      height: 16,
    });
  });
});
