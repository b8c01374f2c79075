/**
 * SSIM (Wang et al. 2004) on interleaved multi-channel images, with skimage's
 * `structural_similarity` conventions so its numbers can be compared with Python-side reports:
 * per channel, the local statistics are filtered with a normalised window, the SSIM map is
 * averaged over the positions where the window fits entirely inside the image (skimage crops
 * (win−1)/2 from each border, which makes its border mode irrelevant), and channels are averaged.
 *
 * Two parameter sets matter here (see metrics/index.ts): the standard Gaussian one
 * (σ = 1.5, truncated at 3.5σ → 11 taps, population covariance, data range 255 on uint8), and
 * the official evaluation's (7×7 uniform window, sample covariance, data range 2.0 on [0,1]).
 */
import { checkSameLength } from './psnr.ts';

export interface SsimOptions {
  /** 1-D window taps (odd length, summing to 1); the 2-D window is their outer product. */
  readonly taps: Float64Array;
  /** L in C1 = (K1·L)², C2 = (K2·L)². */
  readonly dataRange: number;
  /** Scale variances by N/(N−1), N = taps², as skimage's default `use_sample_covariance=True`. */
  readonly sampleCovariance: boolean;
  readonly k1?: number;
  readonly k2?: number;
}

export interface ImageLayout {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** scipy.ndimage's Gaussian taps: exp(−x²/2σ²) for |x| ≤ int(truncate·σ + 0.5), normalised. */
export function gaussianTaps(sigma: number, truncate = 3.5): Float64Array {
  if (!(sigma > 0)) throw new Error(`Gaussian SSIM window: sigma must be > 0, got ${sigma}`);
  const radius = Math.trunc(truncate * sigma + 0.5);
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp((-0.5 / (sigma * sigma)) * i * i);
    taps[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= sum;
  return taps;
}

export function uniformTaps(size: number): Float64Array {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0)
    throw new Error(`uniform SSIM window size must be an odd positive integer, got ${size}`);
  return new Float64Array(size).fill(1 / size);
}

/**
 * Mean SSIM of two images laid out as `layout` (row-major, channels interleaved). Values are
 * taken as they are (uint8 levels or floats); computed in float64.
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, layout: ImageLayout, options: SsimOptions): number {
  const { width, height, channels } = layout;
  checkSameLength(a, b, 'ssim');
  if (a.length !== width * height * channels) {
    throw new Error(`ssim: ${a.length} samples do not make a ${width}x${height} image with ${channels} channels`);
  }
  const n = options.taps.length;
  if (n % 2 === 0) throw new Error(`ssim: the window must have an odd number of taps, got ${n}`);
  if (width < n || height < n) throw new Error(`ssim: a ${width}x${height} image is smaller than the ${n}x${n} window`);
  if (!(options.dataRange > 0)) throw new Error(`ssim: data range must be > 0, got ${options.dataRange}`);

  const c1 = ((options.k1 ?? 0.01) * options.dataRange) ** 2;
  const c2 = ((options.k2 ?? 0.03) * options.dataRange) ** 2;
  const covNorm = options.sampleCovariance ? (n * n) / (n * n - 1) : 1;
  const plane = width * height;
  const x = new Float64Array(plane);
  const y = new Float64Array(plane);
  let total = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0, s = c; i < plane; i++, s += channels) {
      x[i] = a[s];
      y[i] = b[s];
    }
    total += channelSsim(x, y, width, height, options.taps, c1, c2, covNorm);
  }
  return total / channels;
}

/** Mean of the SSIM map over the valid positions of one channel. */
function channelSsim(
  x: Float64Array,
  y: Float64Array,
  width: number,
  height: number,
  taps: Float64Array,
  c1: number,
  c2: number,
  covNorm: number,
): number {
  const xx = new Float64Array(x.length);
  const yy = new Float64Array(x.length);
  const xy = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  // The window is separable: the local moments are a valid 1-D filter along the rows, then down
  // the columns.
  const outW = width - taps.length + 1;
  const along = filterMoments([x, y, xx, yy, xy], height, width, taps, false);
  const [ux, uy, uxx, uyy, uxy] = filterMoments(along, height, outW, taps, true);
  let sum = 0;
  for (let i = 0; i < ux.length; i++) {
    const vx = covNorm * (uxx[i] - ux[i] * ux[i]);
    const vy = covNorm * (uyy[i] - uy[i] * uy[i]);
    const vxy = covNorm * (uxy[i] - ux[i] * uy[i]);
    sum += ((2 * ux[i] * uy[i] + c1) * (2 * vxy + c2)) / ((ux[i] * ux[i] + uy[i] * uy[i] + c1) * (vx + vy + c2));
  }
  return sum / ux.length;
}

/** The planes of x, y, x², y² and xy (or their filtered forms), in that order. */
type Moments = readonly [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];

/**
 * `taps` applied to each rows×cols plane along its rows, or down its columns when `down`,
 * kept only where the window fits. The five planes share one loop, which is what keeps SSIM of a
 * 256² image in a few tens of milliseconds.
 */
function filterMoments(src: Moments, rows: number, cols: number, taps: Float64Array, down: boolean): Moments {
  const n = taps.length;
  const outRows = down ? rows - n + 1 : rows;
  const outCols = down ? cols : cols - n + 1;
  const step = down ? cols : 1;
  const [p0, p1, p2, p3, p4] = src;
  const out = Array.from({ length: 5 }, () => new Float64Array(outRows * outCols)) as unknown as Moments;
  const [o0, o1, o2, o3, o4] = out;
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0,
        a4 = 0;
      for (let k = 0, j = r * cols + c; k < n; k++, j += step) {
        const w = taps[k];
        a0 += w * p0[j];
        a1 += w * p1[j];
        a2 += w * p2[j];
        a3 += w * p3[j];
        a4 += w * p4[j];
      }
      const o = r * outCols + c;
      o0[o] = a0;
      o1[o] = a1;
      o2[o] = a2;
      o3[o] = a3;
      o4[o] = a4;
    }
  }
  return out;
}

const GAUSSIAN_1_5 = gaussianTaps(1.5);

/**
 * The standard SSIM of two uint8 RGB images (size×size×3): Gaussian σ = 1.5 (11 taps),
 * population covariance, data range 255, i.e. Wang et al.'s reference settings and skimage's
 * `structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
 * data_range=255, channel_axis=-1)`.
 */
export function ssimU8(reference: Uint8Array, test: Uint8Array, width: number, height: number): number {
  return ssim(
    reference,
    test,
    { width, height, channels: 3 },
    { taps: GAUSSIAN_1_5, dataRange: 255, sampleCovariance: false },
  );
}
