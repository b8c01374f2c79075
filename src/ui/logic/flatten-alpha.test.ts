import { describe, expect, it } from 'vitest';
import { flattenOntoWhite, rgbaOf, rgbToRgba } from './flatten-alpha.ts';

describe('flattenOntoWhite', () => {
  it('keeps opaque pixels exactly and composites translucent ones onto white', () => {
    const rgba = Uint8Array.from([10, 20, 30, 255, 0, 0, 0, 0, 200, 100, 0, 128]);
    const { image, translucentPixels } = flattenOntoWhite(rgba, 3, 1);
    expect(Array.from(image.data)).toEqual([10, 20, 30, 255, 255, 255, 227, 177, 127]);
    expect(translucentPixels).toBe(2);
  });

  it('round-trips through rgbToRgba', () => {
    const rgb = { width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    expect(Array.from(flattenOntoWhite(rgbToRgba(rgb), 2, 1).image.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a buffer of the wrong length', () => {
    expect(() => flattenOntoWhite(new Uint8Array(7), 2, 1)).toThrow(/2x1 RGBA needs 8 bytes, got 7/);
  });
});

describe('rgbaOf', () => {
  it('converts each image object once, to the same pixels as rgbToRgba', () => {
    const rgb = { width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    const first = rgbaOf(rgb);
    expect(Array.from(first)).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
    expect(rgbaOf(rgb)).toBe(first);
    expect(rgbaOf({ ...rgb })).not.toBe(first);
  });
});
