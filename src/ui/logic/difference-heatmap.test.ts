import { describe, expect, it } from 'vitest';
import { differenceMap, rampColour } from './difference-heatmap.ts';

const img = (...px: number[]) => ({ width: px.length / 3, height: 1, data: Uint8Array.from(px) });

describe('differenceMap', () => {
  it('is black where images agree and brighter where they differ', () => {
    const m = differenceMap(img(10, 20, 30, 0, 0, 0), img(10, 20, 30, 30, 30, 60), 2);
    expect(Array.from(m.rgba.subarray(0, 4))).toEqual([...rampColour(0), 255]);
    expect(Array.from(m.rgba.subarray(4, 8))).toEqual([...rampColour((40 * 2) / 255), 255]);
    expect(m.meanAbs).toBe(20);
    expect(m.maxAbs).toBe(60);
  });

  it('ramps from black to pale yellow, brighter at each step', () => {
    expect(rampColour(0)).toEqual([0, 0, 4]);
    expect(rampColour(1)).toEqual([252, 255, 164]);
    const lum = (c: number[]) => c[0] + c[1] + c[2];
    for (let i = 0; i < 10; i++) expect(lum(rampColour((i + 1) / 10))).toBeGreaterThan(lum(rampColour(i / 10)));
  });

  it('refuses images of different sizes, naming both', () => {
    expect(() => differenceMap(img(0, 0, 0), img(0, 0, 0, 0, 0, 0))).toThrow(
      'the crop is 1x1 but the reconstruction is 2x1',
    );
  });
});
