import { describe, expect, it } from 'vitest';
import { fixtureImageCases, requireFixtureTensor } from '../../test-support/fixtures.ts';
import { decoderOutputHealth, decoderValueToU8, isDecoderOutputFinite, toImageU8 } from './postprocess.ts';

describe('decoderValueToU8', () => {
  it('maps [-1, 1] to [0, 255] with round-half-up of 127.5·(y+1), clamped', () => {
    expect([-1, 0, 1, -2, 2, 1 / 255].map(decoderValueToU8)).toEqual([0, 128, 255, 0, 255, 128]);
    expect(decoderValueToU8(-1 + 1 / 127.5)).toBe(1);
  });

  it('evaluates in float32: a value just below an integer in float64 lands on it in fp32', () => {
    const y = -0.9960784316062927; // an fp32 value: 127.5·y + 128 = 0.99999997 in float64
    expect(Math.fround(y)).toBe(y);
    expect(Math.trunc(127.5 * y + 128)).toBe(0);
    expect(decoderValueToU8(y)).toBe(1);
  });

  it('turns NaN black (torch uint8 cast) and saturates infinities', () => {
    expect(decoderValueToU8(NaN)).toBe(0);
    expect(decoderValueToU8(Infinity)).toBe(255);
    expect(decoderValueToU8(-Infinity)).toBe(0);
  });
});

describe('toImageU8', () => {
  it('transposes NCHW planes to HWC pixels', () => {
    // 1×1 image of size 2: channel planes R = [-1, 1, 0, 0.5], G = all 0, B = all 1.
    const y = Float32Array.from([-1, 1, 0, 0.5, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(toImageU8(y, 2))).toEqual([0, 128, 255, 255, 128, 255, 128, 128, 255, 191, 128, 255]);
  });

  it('checks the length against the size', () => {
    expect(() => toImageU8(new Float32Array(11), 2)).toThrow(/has 11 values but \(1,3,2,2\) needs 12/);
  });
});

describe('decoderOutputHealth', () => {
  it('counts NaN, infinities and clamped values', () => {
    const h = decoderOutputHealth(Float32Array.from([0, NaN, NaN, Infinity, -Infinity, -1.5, 1.5, 0.999, -1]));
    expect(h).toEqual({ total: 9, nan: 2, posInf: 1, negInf: 1, clampedLow: 1, clampedHigh: 2, min: -1.5, max: 1.5 });
    expect(isDecoderOutputFinite(h)).toBe(false);
    const ok = decoderOutputHealth(Float32Array.from([-1, 0, 0.5]));
    expect(isDecoderOutputFinite(ok)).toBe(true);
    expect(ok.clampedLow + ok.clampedHigh).toBe(0);
    expect(decoderOutputHealth(Float32Array.from([NaN])).min).toBeNaN();
  });
});

describe('toImageU8 against the official fixtures', () => {
  for (const { name, image, R } of fixtureImageCases()) {
    it(`${name}/${image}: image → image_u8 exactly`, () => {
      const y = requireFixtureTensor(name, image, 'image');
      const ref = requireFixtureTensor(name, image, 'image_u8');
      expect(y.shape).toEqual([1, 3, R, R]);
      expect(ref.shape).toEqual([1, R, R, 3]);
      const out = toImageU8(y.data as Float32Array, R);
      let differ = 0;
      for (let i = 0; i < out.length; i++) if (out[i] !== ref.data[i]) differ++;
      const health = decoderOutputHealth(y.data as Float32Array);
      console.log(
        `${name}/${image}: ${differ} image_u8 values differ; clamped ${health.clampedLow} low / ${health.clampedHigh} high`,
      );
      expect(differ).toBe(0);
      expect(isDecoderOutputFinite(health)).toBe(true);
    });
  }
});
