/**
 * Resampling as dense linear operators, one implementation for every place that resizes:
 * the quantizer's area/bicubic steps, the SigLIP 384↔432 image resizes baked into graphs, and
 * the CLIP positional-embedding interpolation computed by the exporter.
 *
 * A matrix M of shape (out × in) resizes one axis: y = M·x. A 2-D resize of an (in×in) map X
 * is M·X·Mᵀ. Matrices are row-major Float64Array so callers can choose their own precision.
 */

export interface ResampleMatrix {
  readonly rows: number; // output size
  readonly cols: number; // input size
  readonly data: Float64Array; // rows*cols, row-major
}

/**
 * PyTorch `F.interpolate(mode='area')` = `adaptive_avg_pool`: output cell i averages input
 * cells floor(i·in/out) … ceil((i+1)·in/out)−1. Bins overlap when `in` is not a multiple of `out`,
 * which is why a fixed-kernel AveragePool is wrong here.
 */
export function areaMatrix(inSize: number, outSize: number): ResampleMatrix {
  checkSizes(inSize, outSize);
  const data = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const start = Math.floor((i * inSize) / outSize);
    const end = Math.ceil(((i + 1) * inSize) / outSize);
    const w = 1 / (end - start);
    for (let j = start; j < end; j++) data[i * inSize + j] = w;
  }
  return { rows: outSize, cols: inSize, data };
}

export interface BicubicOptions {
  /**
   * PyTorch maps output to input coordinates with `in/out`, except when `scale_factor` is
   * passed (and not recomputed): then it uses `1/scale_factor`. The CLIP positional embedding
   * at 256 is interpolated with scale_factor (16+0.1)/14, so its coordinate scale is 14/16.1.
   */
  readonly scaleFactor?: number;
}

/**
 * PyTorch `F.interpolate(mode='bicubic', align_corners=False)` without antialias: Keys kernel
 * with a = −0.75, source coordinate (o+0.5)·scale − 0.5 (not clamped), taps clamped to the border.
 * This is not PIL's BICUBIC (a = −0.5, antialiased), which only the input crop uses.
 */
export function bicubicMatrix(inSize: number, outSize: number, options: BicubicOptions = {}): ResampleMatrix {
  checkSizes(inSize, outSize);
  const scale = options.scaleFactor !== undefined ? 1 / options.scaleFactor : inSize / outSize;
  const data = new Float64Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const src = (o + 0.5) * scale - 0.5;
    const i0 = Math.floor(src);
    const t = src - i0;
    const w = keysWeights(t);
    for (let k = 0; k < 4; k++) {
      const j = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
      data[o * inSize + j] += w[k];
    }
  }
  return { rows: outSize, cols: inSize, data };
}

const A = -0.75;

function keysWeights(t: number): [number, number, number, number] {
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| <= 1
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

function checkSizes(inSize: number, outSize: number): void {
  if (!Number.isInteger(inSize) || !Number.isInteger(outSize) || inSize < 1 || outSize < 1) {
    throw new Error(`resample sizes must be positive integers, got in=${inSize} out=${outSize}`);
  }
}

/**
 * Applies a separable resize M·X·Mᵀ to each of `channels` square planes of side `m.cols`
 * (NCHW with batch 1). Accumulates in float64, returns float32 like the tensors it feeds.
 */
export function resizePlanes(
  x: Float32Array,
  channels: number,
  rowM: ResampleMatrix,
  colM: ResampleMatrix = rowM,
): Float32Array {
  const inH = rowM.cols;
  const inW = colM.cols;
  const outH = rowM.rows;
  const outW = colM.rows;
  if (x.length !== channels * inH * inW) {
    throw new Error(`resizePlanes: input has ${x.length} values, expected ${channels}×${inH}×${inW}`);
  }
  const out = new Float32Array(channels * outH * outW);
  const tmp = new Float64Array(inH * outW);
  for (let c = 0; c < channels; c++) {
    const plane = c * inH * inW;
    // Columns first: tmp (inH × outW) = X · colMᵀ
    for (let r = 0; r < inH; r++) {
      for (let o = 0; o < outW; o++) {
        let s = 0;
        const mRow = o * inW;
        for (let j = 0; j < inW; j++) {
          const w = colM.data[mRow + j];
          if (w !== 0) s += w * x[plane + r * inW + j];
        }
        tmp[r * outW + o] = s;
      }
    }
    const dst = c * outH * outW;
    for (let o = 0; o < outH; o++) {
      const mRow = o * inH;
      for (let q = 0; q < outW; q++) {
        let s = 0;
        for (let r = 0; r < inH; r++) {
          const w = rowM.data[mRow + r];
          if (w !== 0) s += w * tmp[r * outW + q];
        }
        out[dst + o * outW + q] = s;
      }
    }
  }
  return out;
}
