import { describe, expect, it } from 'vitest';
import { fixtureSourceImage } from '../../test-support/fixture-images.ts';
import { fixtureImageCases, requireFixtureTensor } from '../../test-support/fixtures.ts';
import { centerCropArr, pythonRound } from './center-crop.ts';
import { precomputeCoefficients } from './pil-resize.ts';
import { type RgbImage, createRgbImage } from './rgb-image.ts';

function countDiffs(a: Uint8Array, b: Uint8Array): { differ: number; maxAbs: number } {
  let differ = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d !== 0) differ++;
    if (d > maxAbs) maxAbs = d;
  }
  return { differ, maxAbs };
}

function gradientImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x % 256;
      data[i + 1] = y % 256;
      data[i + 2] = (x * 7 + y * 13) % 256;
    }
  return createRgbImage(width, height, data);
}

/**
 * A plain float64 separable resize with one final rounding: what a "close enough" port would do.
 * Used only to show the fixture comparison can tell it apart from Pillow's integer pipeline.
 */
function floatBicubicResize(img: RgbImage, w: number, h: number): Uint8Array {
  const hc = precomputeCoefficients(img.width, w, 'bicubic');
  const vc = precomputeCoefficients(img.height, h, 'bicubic');
  const tmp = new Float64Array(w * img.height * 3);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let j = 0; j < hc.count[x]; j++)
          s += img.data[(y * img.width + hc.start[x] + j) * 3 + c] * hc.weights[x * hc.ksize + j];
        tmp[(y * w + x) * 3 + c] = s;
      }
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let j = 0; j < vc.count[y]; j++)
          s += tmp[((vc.start[y] + j) * w + x) * 3 + c] * vc.weights[y * vc.ksize + j];
        out[(y * w + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(s)));
      }
  return out;
}

describe('pythonRound', () => {
  it('rounds half to even like Python 3', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 4.5000000001, 227.49999999999997].map(pythonRound)).toEqual([
      0, 2, 2, 4, 0, -2, 5, 227,
    ]);
    expect(() => pythonRound(NaN)).toThrow(/cannot round NaN/);
  });
});

describe('centerCropArr geometry', () => {
  it('halves with BOX while the short side is at least 2R, then BICUBIC to short side R', () => {
    const { steps, image, cropBox } = centerCropArr(gradientImage(1000, 900), 300);
    expect(steps.map((s) => [s.filter, s.toWidth, s.toHeight])).toEqual([
      ['box', 500, 450],
      ['bicubic', 333, 300],
    ]);
    expect([image.width, image.height]).toEqual([300, 300]);
    expect(cropBox).toEqual({ x: 16, y: 0, width: 300, height: 300 });
  });

  it('stops halving below 2R and floors odd sides', () => {
    const { steps } = centerCropArr(gradientImage(41, 63), 11);
    expect(steps.map((s) => [s.filter, s.toWidth, s.toHeight])).toEqual([
      ['box', 20, 31],
      ['bicubic', 11, 17], // 31·0.55 = 17.05
    ]);
  });

  it('rounds the float64 product side·(R/short) half-to-even, not the exact ratio', () => {
    // 6·(3/4) = 4.5 exactly → 4 (Math.round would give 5).
    expect(centerCropArr(gradientImage(6, 4), 3).steps.at(-1)).toMatchObject({ toWidth: 4, toHeight: 3 });
    // 325·(224/320) = 227.49999999999997 in float64 → 227, where the exact 227.5 would round to 228.
    expect(centerCropArr(gradientImage(325, 320), 224).steps.at(-1)).toMatchObject({ toWidth: 227, toHeight: 224 });
  });

  it('crops at ((H−R)//2, (W−R)//2) and maps the crop back to source coordinates', () => {
    const portrait = centerCropArr(gradientImage(100, 151), 100);
    expect(portrait.steps.at(-1)).toMatchObject({ toWidth: 100, toHeight: 151 });
    expect(portrait.cropBox).toEqual({ x: 0, y: 25, width: 100, height: 100 });
    // No-op resize: the crop is plain slicing of the source.
    expect(portrait.image.data).toEqual(gradientImage(100, 151).data.subarray(25 * 100 * 3, 125 * 100 * 3));

    const wide = centerCropArr(gradientImage(600, 400), 224);
    expect(wide.cropBox).toEqual({ x: 56, y: 0, width: 224, height: 224 });
    expect(wide.sourceBox.x).toBeCloseTo(100, 10);
    expect(wide.sourceBox.width).toBeCloseTo(400, 10);
    expect(wide.sourceBox.height).toBeCloseTo(400, 10);
  });

  it('rejects bad sizes with the value in the message', () => {
    expect(() => centerCropArr(gradientImage(10, 10), 0)).toThrow(/crop size must be a positive integer, got 0/);
    expect(() => centerCropArr(createRgbImage(0, 5), 3)).toThrow(/empty 0x5 image/);
  });
});

describe('centerCropArr against the official fixtures', () => {
  for (const { name, image, R } of fixtureImageCases()) {
    it(`${name}/${image}: equals input_u8`, async () => {
      const src = await fixtureSourceImage(name, image);
      const ref = requireFixtureTensor(name, image, 'input_u8');
      expect(ref.shape).toEqual([1, R, R, 3]);
      const { image: crop } = centerCropArr(src, R);
      expect([crop.width, crop.height]).toEqual([R, R]);
      const { differ, maxAbs } = countDiffs(crop.data, ref.data as Uint8Array);
      console.log(`${name}/${image}: ${differ} of ${ref.data.length} input_u8 values differ (max |Δ| ${maxAbs})`);
      // The bar is ±1 on ≤ 0.1%; the integer port is expected to be exact.
      expect(maxAbs).toBeLessThanOrEqual(1);
      expect(differ).toBeLessThanOrEqual(ref.data.length / 1000);
      expect(differ).toBe(0);
    });
  }

  it('exercises BOX halving (astronaut at 224 and 256) and a non-square BICUBIC downscale (coffee)', async () => {
    const astronaut = await fixtureSourceImage('clip-224', 'astronaut');
    const coffee = await fixtureSourceImage('clip-224', 'coffee');
    expect(centerCropArr(astronaut, 224).steps.map((s) => s.filter)).toEqual(['box', 'bicubic']);
    expect(centerCropArr(astronaut, 256).steps.map((s) => s.filter)).toEqual(['box', 'bicubic']);
    expect(centerCropArr(coffee, 224).steps.map((s) => [s.toWidth, s.toHeight])).toEqual([[336, 224]]);
  });

  it('a float64 resize with a single final rounding does NOT match (the comparison has teeth)', async () => {
    const coffee = await fixtureSourceImage('clip-224', 'coffee');
    const resized = floatBicubicResize(coffee, 336, 224);
    const crop = new Uint8Array(224 * 224 * 3);
    for (let y = 0; y < 224; y++) crop.set(resized.subarray((y * 336 + 56) * 3, (y * 336 + 56 + 224) * 3), y * 224 * 3);
    const { differ } = countDiffs(crop, requireFixtureTensor('clip-224', 'coffee', 'input_u8').data as Uint8Array);
    console.log(`clip-224/coffee: a float64 resize differs in ${differ} input_u8 values`);
    expect(differ).toBeGreaterThan(0);
  });
});
