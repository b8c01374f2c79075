/**
 * Differentiable multi-scale residual quantization with the shared semantic/pixel index
 * (docs/spec.md §4): per scale, area-downsample the residual, L2-normalise the semantic and pixel halves
 * separately, pick the code minimising the summed distances (= maximising the summed cosines),
 * straight-through estimator, bicubic-upsample and subtract. The resampling matrices are the
 * project's one implementation (src/core/resample.ts), so training and inference agree.
 */
import { areaMatrix, bicubicMatrix, type ResampleMatrix } from '../src/core/resample.ts';
import { customGrad, mm } from './nn-ops.ts';
import { tf } from './tf-backend.ts';

type T = tf.Tensor;

/** Identity whose gradient is zero: PyTorch's `.detach()`. */
export const stopGradient = customGrad<[T]>((x) => ({
  value: tf.clone(x),
  gradFunc: (dy: T | T[]) => [tf.zerosLike(dy as T)],
}));

export function l2Normalize(x: T): T {
  return x.mul(tf.rsqrt(x.square().sum(-1, true).add(1e-12)));
}

/** The 2-D separable resize M·X·Mᵀ as one (out² × in²) matrix acting on row-major flattened grids. */
function kron2d(m: ResampleMatrix): tf.Tensor2D {
  const { rows, cols, data } = m;
  const out = new Float32Array(rows * rows * cols * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < rows; j++)
      for (let k = 0; k < cols; k++)
        for (let l = 0; l < cols; l++) {
          out[(i * rows + j) * cols * cols + k * cols + l] = data[i * cols + k] * data[j * cols + l];
        }
  return tf.tensor2d(out, [rows * rows, cols * cols]);
}

export interface QuantizeResult {
  readonly fHat: tf.Tensor4D;
  /** Codebook loss + β·commitment, averaged over scales. */
  readonly vqLoss: T;
  /** Chosen indices per scale (row-major, batch-major within a scale), for usage statistics. */
  readonly indices: Int32Array[];
  /** Normalised inputs of every scale [rows, 40], detached: candidates for restarting dead codes. */
  readonly samples: T;
}

export class MultiScaleQuantizer {
  private readonly down: tf.Tensor2D[];
  private readonly up: tf.Tensor2D[];

  constructor(
    readonly grid: number,
    readonly scales: readonly number[],
    readonly semanticDim: number,
    readonly beta = 0.25,
  ) {
    if (scales[scales.length - 1] !== grid) throw new Error(`the scale list must end with the grid side ${grid}`);
    this.down = scales.map((s) => kron2d(areaMatrix(grid, s)));
    this.up = scales.map((s) => kron2d(bicubicMatrix(s, grid)));
  }

  /**
   * @param bypass training warm-up: pass the normalised residual itself instead of its code (the
   *   decoder then learns on the same unit sphere the codes live on while the codebook organises);
   *   codes are still chosen and the codebook and commitment losses still apply.
   */
  quantize(h: tf.Tensor4D, semCodebook: T, pixCodebook: T, bypass = false): QuantizeResult {
    const [N, S, , C] = h.shape;
    const D = this.semanticDim;
    const K = semCodebook.shape[0];
    const eSem = l2Normalize(semCodebook);
    const ePix = l2Normalize(pixCodebook);
    // Token-major layout [S², N·C] so each resize is a single matrix product.
    let residual: T = h
      .reshape([N, S * S, C])
      .transpose([1, 0, 2])
      .reshape([S * S, N * C]);
    let fHat: T = tf.zeros([S * S, N * C]);
    let vqLoss: T = tf.scalar(0);
    const indices: Int32Array[] = [];
    const sampleParts: T[] = [];
    this.scales.forEach((s, i) => {
      const r = mm(this.down[i], residual).reshape([s * s * N, C]);
      const zn = tf.concat([l2Normalize(r.slice([0, 0], [-1, D])), l2Normalize(r.slice([0, D], [-1, C - D]))], 1);
      const zSem = zn.slice([0, 0], [-1, D]);
      const zPix = zn.slice([0, D], [-1, C - D]);
      const idx = tf.tidy(() =>
        tf.argMax(
          mm(stopGradient(zSem), stopGradient(eSem), false, true).add(
            mm(stopGradient(zPix), stopGradient(ePix), false, true),
          ),
          1,
        ),
      );
      indices.push(idx.dataSync() as Int32Array);
      // One-hot products instead of gather: their gradient needs no scatter kernel.
      const onehot = tf.oneHot(idx, K).toFloat();
      idx.dispose();
      const q = tf.concat([mm(onehot, eSem), mm(onehot, ePix)], 1);
      vqLoss = vqLoss
        .add(q.sub(stopGradient(zn)).square().mean())
        .add(stopGradient(q).sub(zn).square().mean().mul(this.beta));
      const qst = bypass ? zn : zn.add(stopGradient(q.sub(zn)));
      const u = mm(this.up[i], qst.reshape([s * s, N * C]));
      fHat = fHat.add(u);
      residual = residual.sub(u);
      sampleParts.push(stopGradient(zn));
    });
    return {
      fHat: fHat
        .reshape([S * S, N, C])
        .transpose([1, 0, 2])
        .reshape([N, S, S, C]) as tf.Tensor4D,
      vqLoss: vqLoss.div(this.scales.length),
      indices,
      samples: tf.concat(sampleParts, 0),
    };
  }
}
