/**
 * The differentiable building blocks of the official TokenFlow modules, in NHWC tfjs.
 *
 * Convolutions go through `conv2dValid`, a stride-1 'valid' convolution with its own gradient:
 * the wasm backend has no Conv2DBackpropFilter kernel and its Conv2DBackpropInput is slow, so the
 * input gradient is a forward convolution with the rotated, transposed filter and the filter
 * gradient is k² matrix products of shifted input slices with the output gradient. Strided
 * convolutions are rewritten as stride-1 ones on a space-to-depth view (see downsampleConv).
 */
import { tf } from './tf-backend.ts';

type T = tf.Tensor;
type T4 = tf.Tensor4D;

interface GradResult {
  value: T;
  gradFunc: (dy: T | T[], saved: T[]) => T[];
}

/** Zeros around the two spatial axes of an NHWC tensor: [before, after] rows and columns. */
export function padSpatial(x: T4, rows: readonly [number, number], cols: readonly [number, number]): T4 {
  return tf.pad(x, [[0, 0], [...rows], [...cols], [0, 0]]);
}

/** tf.customGrad with tensor-only parameters (its own typing mixes the save function into the arguments). */
export function customGrad<A extends T[]>(f: (...args: [...A, tf.GradSaveFunc]) => GradResult): (...args: A) => T {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...args: A) => T;
}

/**
 * A stride-1 'valid' convolution with a hand-written gradient: `grads` gets dy and the saved
 * input and filter, and returns [dx, dw].
 */
function validConvWithGrad(
  forward: (x: T4, w: T4) => T4,
  grads: (g: T4, xs: T4, ws: T4) => [T, T],
): (x: T4, w: T4) => T4 {
  const op = customGrad<[T, T]>((x, w, save) => {
    save([x, w]);
    const gradFunc = (dy: T | T[], saved: T[]): T[] => grads(dy as T4, saved[0] as T4, saved[1] as T4);
    return { value: forward(x as T4, w as T4), gradFunc };
  });
  return (x, w) => op(x, w) as T4;
}

const conv2dValidOp = validConvWithGrad(
  (x, w) => tf.conv2d(x, w, 1, 'valid'),
  (g, xs, ws) => {
    const [kh, kw, C, O] = ws.shape;
    const [N, Ho, Wo] = g.shape;
    const wRot = tf.transpose(tf.reverse(ws, [0, 1]), [0, 1, 3, 2]) as T4;
    const dx = tf.conv2d(padSpatial(g, [kh - 1, kh - 1], [kw - 1, kw - 1]), wRot, 1, 'valid');
    const g2 = g.reshape([N * Ho * Wo, O]);
    // Channels-first copy of the input once, so every tap is a plain [C, N·Ho·Wo]·[N·Ho·Wo, O] product
    // (the wasm matMul with a transposed left operand is ~15× slower).
    const xt = tf.transpose(xs, [3, 0, 1, 2]);
    const taps: T[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const xsl = (kh === 1 && kw === 1 ? xt : tf.slice(xt, [0, 0, i, j], [C, N, Ho, Wo])).reshape([C, N * Ho * Wo]);
        taps.push(tf.matMul(xsl, g2));
      }
    }
    return [dx, tf.stack(taps).reshape([kh, kw, C, O])];
  },
);

/** Stride-1 convolution without padding; filter [kh, kw, in, out]. */
export function conv2dValid(x: T4, w: T4): T4 {
  return conv2dValidOp(x, w);
}

/** nn.Conv2d(k=3, padding=1) + bias. */
export function conv3x3(x: T4, w: T4, b: T): T4 {
  return conv2dValid(padSpatial(x, [1, 1], [1, 1]), w).add(b) as T4;
}

/** nn.Conv2d(k=1) + bias as a matrix product (filter [1,1,in,out]). */
export function conv1x1(x: T4, w: T4, b: T): T4 {
  const [N, H, W, C] = x.shape;
  const O = w.shape[3];
  return mm(x.reshape([N * H * W, C]), w.reshape([C, O]))
    .add(b)
    .reshape([N, H, W, O]) as T4;
}

/** Rearranges 2×2 pixel blocks into channels, ordered (row phase, column phase, channel). */
function spaceToDepth2(x: T4): T4 {
  const [N, H, W, C] = x.shape;
  return x
    .reshape([N, H / 2, 2, W / 2, 2, C])
    .transpose([0, 1, 3, 2, 4, 5])
    .reshape([N, H / 2, W / 2, 4 * C]) as T4;
}

/**
 * Zero-pad right/bottom by `padEnd`, then a 3×3 stride-2 'valid' convolution: the official
 * `Downsample` (pad (0,1,0,1)) and Keras' Conv1 (ZeroPadding ((0,1),(0,1))). Output pixel i reads
 * input rows 2i..2i+2, i.e. phases 0,1 of block i and phase 0 of block i+1 in space-to-depth
 * form, so it equals a 2×2 stride-1 convolution there with the filter rearranged.
 */
export function downsampleConv(x: T4, w: T4, b: T | null): T4 {
  const [, H, W] = x.shape;
  if (H % 2 || W % 2) throw new Error(`downsampleConv: ${H}x${W} input must have even sides`);
  const C = w.shape[2];
  const O = w.shape[3];
  const s2d = spaceToDepth2(padSpatial(x, [0, 2], [0, 2]));
  const w2 = tf
    .pad(w, [
      [0, 1],
      [0, 1],
      [0, 0],
      [0, 0],
    ])
    .reshape([2, 2, 2, 2, C, O])
    .transpose([0, 2, 1, 3, 4, 5])
    .reshape([2, 2, 4 * C, O]) as T4;
  const y = conv2dValid(s2d, w2);
  return (b ? y.add(b) : y) as T4;
}

/** nn.Upsample(scale 2, nearest). */
export function upsampleNearest2(x: T4): T4 {
  const [, H, W] = x.shape;
  // The wasm backend has a gradient kernel for this op (tile has no rank-6 gradient; concat-based copies are slow).
  return tf.image.resizeNearestNeighbor(x, [2 * H, 2 * W]);
}

/**
 * GroupNorm over NHWC (official: 32 groups, eps 1e-6, affine), with its analytic gradient:
 * elementwise ops dominate on the wasm backend, and autodiff of the moments spends ~20% more of them.
 */
export function groupNorm(x: T4, gamma: T, beta: T, groups = 32, eps = 1e-6): T4 {
  const C = x.shape[3];
  if (C % groups) throw new Error(`groupNorm: ${C} channels are not divisible into ${groups} groups`);
  return groupNormGrad(groups, eps)(x, gamma, beta) as T4;
}

function groupNormGrad(groups: number, eps: number) {
  return customGrad<[T, T, T]>((x, gamma, beta, save) => {
    const [N, H, W, C] = x.shape;
    const grouped = (t: T) => t.reshape([N, H * W, groups, C / groups]);
    const xr = grouped(x);
    const { mean, variance } = tf.moments(xr, [1, 3], true);
    const r = tf.rsqrt(variance.add(eps));
    const xhat = xr.sub(mean).mul(r).reshape([N, H, W, C]);
    save([xhat, r, gamma]);
    const gradFunc = (dy: T | T[], saved: T[]): T[] => {
      const g = dy as T;
      const [xh, rs, gm] = saved;
      const dxh = grouped(g.mul(gm));
      const xhr = grouped(xh);
      const dx = dxh
        .sub(dxh.mean([1, 3], true))
        .sub(xhr.mul(dxh.mul(xhr).mean([1, 3], true)))
        .mul(rs)
        .reshape([N, H, W, C]);
      return [dx, g.mul(xh).sum([0, 1, 2]), g.sum([0, 1, 2])];
    };
    return { value: xhat.mul(gamma).add(beta), gradFunc };
  });
}

/** LayerNorm over the last axis. */
export function layerNorm(x: T, gamma: T, beta: T, eps: number): T {
  const { mean, variance } = tf.moments(x, [x.rank - 1], true);
  return x
    .sub(mean)
    .mul(tf.rsqrt(variance.add(eps)))
    .mul(gamma)
    .add(beta);
}

export function silu(x: T): T {
  return x.mul(tf.sigmoid(x));
}

/** CLIP's QuickGELU: z·σ(1.702 z). */
export function quickGelu(x: T): T {
  return x.mul(tf.sigmoid(x.mul(1.702)));
}

/** nn.Linear with a torch-layout weight [out, in] over the last axis of x. */
export function linear(x: T, w: T, b: T | null): T {
  const inDim = x.shape[x.rank - 1];
  const outDim = w.shape[0];
  const y = mm(x.reshape([-1, inDim]), w, false, true);
  return (b ? y.add(b) : y).reshape([...x.shape.slice(0, -1), outDim]);
}

const depthwiseValidOp = validConvWithGrad(
  (x, w) => tf.depthwiseConv2d(x, w, 1, 'valid'),
  (g, xs, ws) => {
    const [kh, kw, C] = ws.shape;
    const [N, Ho, Wo] = g.shape;
    const dx = tf.depthwiseConv2d(
      padSpatial(g, [kh - 1, kh - 1], [kw - 1, kw - 1]),
      tf.reverse(ws, [0, 1]) as T4,
      1,
      'valid',
    );
    const taps: T[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) taps.push(tf.slice(xs, [0, i, j, 0], [N, Ho, Wo, C]).mul(g).sum([0, 1, 2]));
    }
    return [dx, tf.stack(taps).reshape([kh, kw, C, 1])];
  },
);

/** Stride-1 'valid' depthwise convolution (filter [kh, kw, C, 1]) with a gradient the wasm backend lacks. */
export function depthwiseValid(x: T4, w: T4): T4 {
  return depthwiseValidOp(x, w);
}

function swapLastTwo(t: T): T {
  const perm = [...Array(t.rank).keys()];
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}

const matMulGrad = customGrad<[T, T]>((a, b, save) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: T | T[], saved: T[]) => {
      const [as, bs] = saved;
      return [
        tf.matMul(dy as tf.Tensor2D, swapLastTwo(bs) as tf.Tensor2D),
        tf.matMul(swapLastTwo(as) as tf.Tensor2D, dy as tf.Tensor2D),
      ];
    },
  };
});

/**
 * Matrix product (rank 2 or batched rank 3) whose forward and backward passes use only
 * untransposed products: the wasm matMul is 7–15× slower when asked to transpose an operand,
 * and tfjs' own gradient asks for exactly that. Explicit transposes are cheap copies.
 */
export function mm(a: T, b: T, transposeA = false, transposeB = false): T {
  return matMulGrad(transposeA ? swapLastTwo(a) : a, transposeB ? swapLastTwo(b) : b);
}
