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
  const n = taps.length;
  const outW = width - n + 1;
  const outH = height - n + 1;
  // Horizontal pass of the five local moments (x, y, x², y², xy) over every row…
  const hx = new Float64Array(height * outW);
  const hy = new Float64Array(height * outW);
  const hxx = new Float64Array(height * outW);
  const hyy = new Float64Array(height * outW);
  const hxy = new Float64Array(height * outW);
  for (let row = 0; row < height; row++) {
    const base = row * width;
    for (let col = 0; col < outW; col++) {
      let sx = 0,
        sy = 0,
        sxx = 0,
        syy = 0,
        sxy = 0;
      for (let k = 0; k < n; k++) {
        const w = taps[k];
        const vx = x[base + col + k];
        const vy = y[base + col + k];
        sx += w * vx;
        sy += w * vy;
        sxx += w * vx * vx;
        syy += w * vy * vy;
        sxy += w * vx * vy;
      }
      const o = row * outW + col;
      hx[o] = sx;
      hy[o] = sy;
      hxx[o] = sxx;
      hyy[o] = syy;
      hxy[o] = sxy;
    }
  }
  // …then the vertical pass, evaluating SSIM at each valid position as it goes.
  let sum = 0;
  for (let row = 0; row < outH; row++) {
    for (let col = 0; col < outW; col++) {
      let ux = 0,
        uy = 0,
        uxx = 0,
        uyy = 0,
        uxy = 0;
      for (let k = 0; k < n; k++) {
        const w = taps[k];
        const o = (row + k) * outW + col;
        ux += w * hx[o];
        uy += w * hy[o];
        uxx += w * hxx[o];
        uyy += w * hyy[o];
        uxy += w * hxy[o];
      }
      const vx = covNorm * (uxx - ux * ux);
      const vy = covNorm * (uyy - uy * uy);
      const vxy = covNorm * (uxy - ux * uy);
      sum += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    }
  }
  return sum / (outW * outH);
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
