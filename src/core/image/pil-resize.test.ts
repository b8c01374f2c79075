import { describe, expect, it } from 'vitest';
import { PRECISION_BITS, type PilFilter, pilResize, precomputeCoefficients, toFixedPoint } from './pil-resize.ts';
import { type RgbImage, createRgbImage } from './rgb-image.ts';

/** Deterministic pseudo-random image (LCG), so failures reproduce. */
function noiseImage(width: number, height: number, seed = 1): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return createRgbImage(width, height, data);
}

function grayRow(values: number[]): RgbImage {
  return createRgbImage(values.length, 1, Uint8Array.from(values.flatMap((v) => [v, v, v])));
}

function grayGrid(rows: number[][]): RgbImage {
  const h = rows.length;
  const w = rows[0].length;
  return createRgbImage(w, h, Uint8Array.from(rows.flat().flatMap((v) => [v, v, v])));
}

function channel0(img: RgbImage): number[] {
  return Array.from({ length: img.width * img.height }, (_, i) => img.data[i * 3]);
}

function transpose(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      for (let c = 0; c < 3; c++) out[(x * img.height + y) * 3 + c] = img.data[(y * img.width + x) * 3 + c];
  return createRgbImage(img.height, img.width, out);
}

const FILTERS: PilFilter[] = ['box', 'bicubic'];

describe('precomputeCoefficients', () => {
  it('normalises each output row to sum 1 and keeps taps inside the image', () => {
    for (const filter of FILTERS) {
      for (const [inSize, outSize] of [
        [512, 256],
        [600, 336],
        [400, 224],
        [7, 3],
        [3, 7],
        [1, 5],
        [5, 1],
      ]) {
        const c = precomputeCoefficients(inSize, outSize, filter);
        for (let i = 0; i < outSize; i++) {
          expect(c.start[i]).toBeGreaterThanOrEqual(0);
          expect(c.start[i] + c.count[i]).toBeLessThanOrEqual(inSize);
          expect(c.count[i]).toBeLessThanOrEqual(c.ksize);
          let sum = 0;
          for (let j = 0; j < c.count[i]; j++) sum += c.weights[i * c.ksize + j];
          expect(sum).toBeCloseTo(1, 12);
        }
      }
    }
  });

  it('BOX halving reads exactly two inputs with weight 1/2 each', () => {
    const c = precomputeCoefficients(8, 4, 'box');
    expect(Array.from(c.start)).toEqual([0, 2, 4, 6]);
    expect(Array.from(c.count)).toEqual([2, 2, 2, 2]);
    expect(c.weights[0]).toBe(0.5);
    expect(c.weights[1]).toBe(0.5);
  });

  it('widens BICUBIC support by the shrink factor (antialiasing) but not when enlarging', () => {
    expect(precomputeCoefficients(400, 224, 'bicubic').ksize).toBe(2 * Math.ceil(2 * (400 / 224)) + 1);
    expect(precomputeCoefficients(224, 400, 'bicubic').ksize).toBe(5);
  });

  it('fixed-point coefficients round half away from zero and sum to ~2^22', () => {
    expect(
      Array.from(
        toFixedPoint(Float64Array.from([0.5, -0.5, 0.25 / (1 << PRECISION_BITS), -1.5 / (1 << PRECISION_BITS)])),
      ),
    ).toEqual([
      1 << 21,
      -(1 << 21),
      0, // 0.25 + 0.5 truncates to 0
      -2, // −1.5 − 0.5 truncates to −2
    ]);
    const c = precomputeCoefficients(600, 336, 'bicubic');
    const k = toFixedPoint(c.weights);
    for (let i = 0; i < c.outSize; i++) {
      let s = 0;
      for (let j = 0; j < c.ksize; j++) s += k[i * c.ksize + j];
      expect(Math.abs(s - (1 << PRECISION_BITS))).toBeLessThanOrEqual(c.ksize);
    }
  });
});

describe('pilResize', () => {
  it('returns an equal copy, unfiltered, when the size is unchanged', () => {
    const img = noiseImage(13, 9);
    for (const filter of FILTERS) {
      const out = pilResize(img, 13, 9, filter);
      expect(out.data).toEqual(img.data);
      expect(out.data).not.toBe(img.data);
    }
  });

  it('keeps a constant image constant, shrinking and enlarging, for extreme and mid values', () => {
    for (const filter of FILTERS) {
      for (const value of [0, 1, 127, 254, 255]) {
        const img = createRgbImage(37, 23, new Uint8Array(37 * 23 * 3).fill(value));
        for (const [w, h] of [
          [18, 11],
          [5, 3],
          [80, 50],
          [37, 7],
          [1, 1],
          [100, 23],
        ]) {
          const out = pilResize(img, w, h, filter);
          expect(out.width).toBe(w);
          expect(out.height).toBe(h);
          expect(
            out.data.every((v) => v === value),
            `${filter} ${value} → ${w}x${h}`,
          ).toBe(true);
        }
      }
    }
  });

  it('BOX halving is a 2×2 mean, rounded half up after the horizontal pass and again after the vertical', () => {
    const img = noiseImage(10, 6, 7);
    const out = pilResize(img, 5, 3, 'box');
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 5; x++)
        for (let c = 0; c < 3; c++) {
          const at = (xx: number, yy: number): number => img.data[(yy * 10 + xx) * 3 + c];
          const top = (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + 1) >> 1;
          const bottom = (at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1) + 1) >> 1;
          expect(out.data[(y * 5 + x) * 3 + c]).toBe((top + bottom + 1) >> 1);
        }
  });

  it('runs the horizontal pass first, with uint8 rounding in between', () => {
    // Rows (1,0) and (1,2): horizontal first gives ⌈(⌈1/2⌉+⌈3/2⌉)/2⌉ = 2; vertical first or an exact
    // mean would give 1.
    expect(
      channel0(
        pilResize(
          grayGrid([
            [1, 0],
            [1, 2],
          ]),
          1,
          1,
          'box',
        ),
      ),
    ).toEqual([2]);
  });

  it('BICUBIC 2× enlargement of a step overshoots and clips, as the a = −0.5 kernel predicts', () => {
    // Output centres 0.25, 0.75, 1.25, 1.75: normalised weights on the 255 sample are
    // −0.088, 0.207, 0.793, 1.088 → −22 → 0, 52.8 → 53, 202.2 → 202, 277 → 255.
    expect(channel0(pilResize(grayRow([0, 255]), 4, 1, 'bicubic'))).toEqual([0, 53, 202, 255]);
    expect(channel0(pilResize(grayRow([255, 0]), 4, 1, 'bicubic'))).toEqual([255, 202, 53, 0]);
  });

  it('treats 1×N and N×1 images the same way (the two passes share the arithmetic)', () => {
    for (const filter of FILTERS) {
      const row = noiseImage(31, 1, 3);
      for (const w of [1, 4, 15, 30, 47, 93]) {
        const asRow = pilResize(row, w, 1, filter);
        const asColumn = pilResize(transpose(row), 1, w, filter);
        expect(transpose(asColumn).data, `${filter} 31→${w}`).toEqual(asRow.data);
      }
    }
  });

  it('resizes one axis only when the other is unchanged', () => {
    const img = noiseImage(20, 12, 5);
    const out = pilResize(img, 20, 5, 'bicubic');
    expect([out.width, out.height]).toEqual([20, 5]);
    // Each column is resized independently of its neighbours.
    const column = createRgbImage(
      1,
      12,
      Uint8Array.from({ length: 36 }, (_, i) => img.data[(Math.floor(i / 3) * 20 + 4) * 3 + (i % 3)]),
    );
    const colOut = pilResize(column, 1, 5, 'bicubic');
    for (let y = 0; y < 5; y++)
      for (let c = 0; c < 3; c++) expect(out.data[(y * 20 + 4) * 3 + c]).toBe(colOut.data[y * 3 + c]);
  });

  it('names the bad value in errors', () => {
    const img = noiseImage(4, 4);
    expect(() => pilResize(img, 0, 4, 'box')).toThrow(/target width must be a positive integer, got 0/);
    expect(() => pilResize(img, 4, 2.5, 'box')).toThrow(/target height .* got 2.5/);
    expect(() => pilResize({ width: 4, height: 4, data: new Uint8Array(5) }, 2, 2, 'box')).toThrow(/needs 48 bytes/);
    expect(() => pilResize(img, 2, 2, 'lanczos' as PilFilter)).toThrow(/unknown PIL filter "lanczos"/);
  });
});
