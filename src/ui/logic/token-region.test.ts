import { describe, expect, it } from 'vitest';
import { createTokenLayout } from './token-layout.ts';
import { gridLines, tokenAtPoint, tokenCell } from './token-region.ts';

const clip256 = createTokenLayout(16, [1, 2, 4, 6, 8, 10, 12, 14, 16]);

describe('token regions on the image', () => {
  it('gives the nominal cell [x·R/s, (x+1)·R/s) at every scale', () => {
    expect(tokenCell(clip256, { scaleIndex: 0, row: 0, col: 0 }, 256)).toEqual({ x: 0, y: 0, width: 256, height: 256 });
    expect(tokenCell(clip256, { scaleIndex: 8, row: 15, col: 2 }, 256)).toEqual({
      x: 32,
      y: 240,
      width: 16,
      height: 16,
    });
    // 6 does not divide 128: cells are fractional, and the last one ends exactly at the edge.
    const c = tokenCell(clip256, { scaleIndex: 3, row: 5, col: 5 }, 128);
    expect(c.x + c.width).toBeCloseTo(128, 10);
    expect(c.width).toBeCloseTo(128 / 6, 10);
    expect(() => tokenCell(clip256, { scaleIndex: 9, row: 0, col: 0 }, 256)).toThrow(
      'scale #9 does not exist (the model has 9 scales)',
    );
  });

  it('finds the token under an image point, and the point is inside that token’s cell', () => {
    for (const [si, x, y] of [
      [8, 0, 0],
      [8, 255.9, 17],
      [3, 100, 200],
      [1, 128, 127.9],
    ] as const) {
      const p = tokenAtPoint(clip256, si, x, y, 256);
      const cell = tokenCell(clip256, p, 256);
      expect(x >= cell.x && x < cell.x + cell.width && y >= cell.y && y < cell.y + cell.height).toBe(true);
    }
    expect(tokenAtPoint(clip256, 1, 128, 127.9, 256)).toEqual({ scaleIndex: 1, row: 0, col: 1 });
    expect(tokenAtPoint(clip256, 8, -5, 300, 256)).toEqual({ scaleIndex: 8, row: 15, col: 0 });
  });

  it('draws s − 1 inner grid lines', () => {
    expect(gridLines(4, 128)).toEqual([32, 64, 96]);
    expect(gridLines(1, 128)).toEqual([]);
  });
});
