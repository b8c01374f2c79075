import { describe, expect, it } from 'vitest';
import { fixtureSourceImage } from '../../test-support/fixture-images.ts';
import { fixtureImageCases, requireFixtureTensor } from '../../test-support/fixtures.ts';
import { centerCropArr } from './center-crop.ts';
import { normalizePixel, toModelInput } from './model-input.ts';
import { createRgbImage } from './rgb-image.ts';

describe('toModelInput', () => {
  it('maps 0 → −1, 255 → 1 and lays channels out as NCHW planes', () => {
    // 2×1 image: pixel 0 = (0, 255, 51), pixel 1 = (255, 0, 204).
    const t = toModelInput(createRgbImage(2, 1, Uint8Array.from([0, 255, 51, 255, 0, 204])));
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([1, 3, 1, 2]);
    expect(Array.from(t.data)).toEqual([-1, 1, 1, -1, normalizePixel(51), normalizePixel(204)]);
    expect(normalizePixel(51)).toBe(Math.fround(-0.6));
  });

  it('rounds p/255 to float32 before normalising, like ToTensor', () => {
    for (let p = 0; p < 256; p++) {
      const v = Math.fround(p / 255);
      expect(normalizePixel(p)).toBe(Math.fround(Math.fround(v - 0.5) / 0.5));
      // Always within half an fp32 ulp of 2p/255 − 1 plus the ToTensor rounding: never far from it.
      expect(Math.abs(normalizePixel(p) - ((2 * p) / 255 - 1))).toBeLessThan(1e-7);
    }
    expect(() => normalizePixel(256)).toThrow(/256 is not a uint8 value/);
  });
});

describe('toModelInput against the official fixtures', () => {
  for (const { name, image, R } of fixtureImageCases()) {
    it(`${name}/${image}: fixture input_u8 → input bit-exactly, and source.png → input end to end`, async () => {
      const ref = requireFixtureTensor(name, image, 'input');
      expect(ref.shape).toEqual([1, 3, R, R]);
      const u8 = requireFixtureTensor(name, image, 'input_u8').data as Uint8Array;
      const fromFixture = toModelInput(createRgbImage(R, R, u8));
      expect(fromFixture.shape).toEqual([1, 3, R, R]);
      // Counted by hand: Object.is is bit-exactness (sign of zero included), and vitest's deep equality is slow on 400k floats.
      let fixtureDiffer = 0;
      for (let i = 0; i < ref.data.length; i++) if (!Object.is(fromFixture.data[i], ref.data[i])) fixtureDiffer++;
      expect(fixtureDiffer).toBe(0);

      const src = await fixtureSourceImage(name, image);
      const endToEnd = toModelInput(centerCropArr(src, R).image);
      let differ = 0;
      for (let i = 0; i < ref.data.length; i++) if (!Object.is(endToEnd.data[i], ref.data[i])) differ++;
      console.log(`${name}/${image}: ${differ} of ${ref.data.length} input values differ end to end`);
      expect(differ).toBe(0);
    });
  }
});
