/**
 * Pillow's `Image.resize(size, resample)` for 8-bit RGB, as in Pillow 9.4 (`reducing_gap=None`,
 * no box), down to the integer: the official preprocessing (ADM `center_crop_arr`) is defined by
 * what this C code does, and the golden fixtures were made with it.
 *
 * Pillow's ImagingResample is separable and two-pass: coefficients are computed in float64,
 * normalised by their sum, converted to fixed point, and each pass accumulates in int32 and clips
 * to uint8. The horizontal pass runs first, over only the rows the vertical pass will read, and
 * its output is rounded to uint8 before the vertical pass — that intermediate rounding is why a
 * float implementation (or a vertical-first one) is off by one here and there.
 */
import { type RgbImage, assertRgbImage, cloneRgbImage } from './rgb-image.ts';

export type PilFilter = 'box' | 'bicubic';

interface FilterKernel {
  readonly support: number;
  readonly weight: (x: number) => number;
}

/** Pillow's BICUBIC is the Keys kernel with a = −0.5 (PyTorch's bicubic uses −0.75). */
const BICUBIC_A = -0.5;

const KERNELS: Record<PilFilter, FilterKernel> = {
  // Half-open on the left, closed on the right, exactly as Pillow's box_filter: a sample that
  // sits on a cell edge belongs to the cell on its left.
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bicubic: {
    support: 2,
    weight: (x) => {
      const t = x < 0 ? -x : x;
      // Same operation order as Pillow, so float64 rounding matches.
      if (t < 1) return ((BICUBIC_A + 2) * t - (BICUBIC_A + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * BICUBIC_A;
      return 0;
    },
  },
};

/** 32 bits minus 8 for the pixel minus 2 headroom bits for kernels with negative lobes. */
export const PRECISION_BITS = 32 - 8 - 2;

/**
 * One axis' resampling plan: output i reads `count[i]` inputs starting at `start[i]`, with
 * weights `weights[i·ksize … i·ksize+count[i])`.
 */
export interface AxisCoefficients {
  readonly inSize: number;
  readonly outSize: number;
  readonly ksize: number;
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** float64, normalised to sum 1 per output (Pillow's precompute_coeffs). */
  readonly weights: Float64Array;
}

/** Pillow's precompute_coeffs for the whole axis (box = [0, inSize)). */
export function precomputeCoefficients(inSize: number, outSize: number, filter: PilFilter): AxisCoefficients {
  checkSize('input size', inSize);
  checkSize('output size', outSize);
  const kernel = KERNELS[filter];
  if (!kernel) throw new Error(`unknown PIL filter "${String(filter)}" (expected box or bicubic)`);
  const scale = inSize / outSize;
  // Shrinking widens the kernel (antialiasing); enlarging never narrows it.
  const filterScale = scale < 1 ? 1 : scale;
  const support = kernel.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const invFilterScale = 1 / filterScale;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    // Pillow "rounds" with a C (int) cast, i.e. truncation toward zero, then clamps.
    let lo = Math.trunc(center - support + 0.5);
    if (lo < 0) lo = 0;
    let hi = Math.trunc(center + support + 0.5);
    if (hi > inSize) hi = inSize;
    const n = hi - lo;
    const base = i * ksize;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const w = kernel.weight((j + lo - center + 0.5) * invFilterScale);
      weights[base + j] = w;
      sum += w;
    }
    if (sum !== 0) for (let j = 0; j < n; j++) weights[base + j] /= sum;
    start[i] = lo;
    count[i] = n;
  }
  return { inSize, outSize, ksize, start, count, weights };
}

/** Pillow's normalize_coeffs_8bpc: round half away from zero via a truncating cast. */
export function toFixedPoint(weights: Float64Array): Int32Array {
  const one = 1 << PRECISION_BITS;
  const out = new Int32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    out[i] = Math.trunc(w < 0 ? -0.5 + w * one : 0.5 + w * one);
  }
  return out;
}

/** `>> PRECISION_BITS` then Pillow's clip8 lookup table, which saturates at 0 and 255. */
function clip8(acc: number): number {
  // `>>` wraps to int32 first, which is also what the C int accumulator would have done.
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

const ROUNDING_BIAS = 1 << (PRECISION_BITS - 1);

/** Horizontal pass over input rows [rowOffset, rowOffset + rows). */
function resampleHorizontal(src: RgbImage, rowOffset: number, rows: number, c: AxisCoefficients): RgbImage {
  const k = toFixedPoint(c.weights);
  const outW = c.outSize;
  const out = new Uint8Array(outW * rows * 3);
  const inData = src.data;
  for (let y = 0; y < rows; y++) {
    const rowBase = (y + rowOffset) * src.width * 3;
    let o = y * outW * 3;
    for (let x = 0; x < outW; x++) {
      const kb = x * c.ksize;
      const n = c.count[x];
      let p = rowBase + c.start[x] * 3;
      let r = ROUNDING_BIAS;
      let g = ROUNDING_BIAS;
      let b = ROUNDING_BIAS;
      for (let j = 0; j < n; j++, p += 3) {
        const w = k[kb + j];
        r += inData[p] * w;
        g += inData[p + 1] * w;
        b += inData[p + 2] * w;
      }
      out[o++] = clip8(r);
      out[o++] = clip8(g);
      out[o++] = clip8(b);
    }
  }
  return { width: outW, height: rows, data: out };
}

/** Vertical pass; `startShift` moves the plan's row indices into `src`'s rows. */
function resampleVertical(src: RgbImage, c: AxisCoefficients, startShift: number): RgbImage {
  const k = toFixedPoint(c.weights);
  const w3 = src.width * 3;
  const out = new Uint8Array(w3 * c.outSize);
  const inData = src.data;
  for (let y = 0; y < c.outSize; y++) {
    const kb = y * c.ksize;
    const n = c.count[y];
    const first = (c.start[y] - startShift) * w3;
    const o = y * w3;
    for (let xc = 0; xc < w3; xc++) {
      let acc = ROUNDING_BIAS;
      let p = first + xc;
      for (let j = 0; j < n; j++, p += w3) acc += inData[p] * k[kb + j];
      out[o + xc] = clip8(acc);
    }
  }
  return { width: src.width, height: c.outSize, data: out };
}

/**
 * `img.resize((width, height), filter)` for an RGB image. Returns a copy when the size is
 * unchanged, like Pillow (which never filters in that case, even with BICUBIC).
 */
export function pilResize(img: RgbImage, width: number, height: number, filter: PilFilter): RgbImage {
  assertRgbImage(img, 'pilResize input');
  checkSize('target width', width);
  checkSize('target height', height);
  if (img.width === 0 || img.height === 0) {
    throw new Error(`pilResize: cannot resize an empty ${img.width}x${img.height} image`);
  }
  if (width === img.width && height === img.height) return cloneRgbImage(img);

  const needH = width !== img.width;
  const needV = height !== img.height;
  const horiz = precomputeCoefficients(img.width, width, filter);
  const vert = precomputeCoefficients(img.height, height, filter);
  // Like Pillow, the horizontal pass only produces the rows the vertical pass reads.
  const firstRow = vert.start[0];
  const lastRow = vert.start[height - 1] + vert.count[height - 1];

  let current = img;
  let shift = 0;
  if (needH) {
    current = resampleHorizontal(img, firstRow, lastRow - firstRow, horiz);
    shift = firstRow;
  }
  if (needV) current = resampleVertical(current, vert, shift);
  return current;
}

function checkSize(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`pilResize: ${name} must be a positive integer, got ${v}`);
}
