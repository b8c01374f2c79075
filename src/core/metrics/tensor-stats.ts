/**
 * Small summaries of the tensors between pipeline stages, cheap enough to take for every image
 * of a dataset and small enough to keep in a report: the health checks are computed from these,
 * never from the tensors themselves.
 */

/** Below this L2 norm F.normalize divides by 1e-12 instead, i.e. the vector is treated as zero. */
export const NORMALIZE_EPS = 1e-12;

export interface FeatureMapStats {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly nan: number;
  readonly inf: number;
  /** The first NaN/±Inf in NCHW order, as [c, y, x] and its value; absent when all are finite. */
  readonly firstNonFinite?: { readonly c: number; readonly y: number; readonly x: number; readonly value: number };
  /** Positions whose feature vector (over channels) has L2 norm ≤ 1e-12; NaN positions excluded. */
  readonly zeroNormPositions: number;
  /** Largest (max − min over positions) of any channel: 0 when every position holds the same vector. */
  readonly spatialRange: number;
  /** Largest finite |value|; 0 when none is finite. */
  readonly absMax: number;
}

/** Stats of a (1, C, H, W) float32 tensor. */
export function featureMapStats(data: Float32Array, shape: readonly number[]): FeatureMapStats {
  if (shape.length !== 4 || shape[0] !== 1)
    throw new Error(`featureMapStats: expected a (1,C,H,W) tensor, got shape [${shape.join(', ')}]`);
  const [, channels, height, width] = shape;
  const plane = height * width;
  if (data.length !== channels * plane)
    throw new Error(`featureMapStats: ${data.length} values do not fit shape [${shape.join(', ')}]`);
  let nan = 0;
  let inf = 0;
  let firstNonFinite: FeatureMapStats['firstNonFinite'];
  let absMax = 0;
  let spatialRange = 0;
  const sq = new Float64Array(plane);
  const poisoned = new Uint8Array(plane);
  for (let c = 0; c < channels; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    const base = c * plane;
    for (let p = 0; p < plane; p++) {
      const v = data[base + p];
      if (!Number.isFinite(v)) {
        if (Number.isNaN(v)) nan++;
        else inf++;
        poisoned[p] = 1;
        firstNonFinite ??= { c, y: Math.floor(p / width), x: p % width, value: v };
        continue;
      }
      sq[p] += v * v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      const a = Math.abs(v);
      if (a > absMax) absMax = a;
    }
    if (hi >= lo && hi - lo > spatialRange) spatialRange = hi - lo;
  }
  let zeroNormPositions = 0;
  for (let p = 0; p < plane; p++) if (!poisoned[p] && Math.sqrt(sq[p]) <= NORMALIZE_EPS) zeroNormPositions++;
  return {
    channels,
    height,
    width,
    nan,
    inf,
    ...(firstNonFinite ? { firstNonFinite } : {}),
    zeroNormPositions,
    spatialRange,
    absMax,
  };
}

export interface ImageU8Stats {
  /** Mean of R, G and B. */
  readonly mean: readonly [number, number, number];
  /** Standard deviation over pixels of R, G and B. */
  readonly std: readonly [number, number, number];
  readonly min: number;
  readonly max: number;
}

/** Stats of an interleaved RGB uint8 image. */
export function imageU8Stats(rgb: Uint8Array): ImageU8Stats {
  if (rgb.length === 0 || rgb.length % 3 !== 0)
    throw new Error(`imageU8Stats: ${rgb.length} bytes is not a non-empty RGB image`);
  const n = rgb.length / 3;
  const sum = [0, 0, 0];
  const sum2 = [0, 0, 0];
  let min = 255;
  let max = 0;
  for (let i = 0; i < rgb.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = rgb[i + c];
      sum[c] += v;
      sum2[c] += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const mean = sum.map((s) => s / n) as [number, number, number];
  const std = sum2.map((s, c) => Math.sqrt(Math.max(0, s / n - mean[c] * mean[c]))) as [number, number, number];
  return { mean, std, min, max };
}
