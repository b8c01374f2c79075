/**
 * The layers TokenFlow is made of, as ONNX subgraphs that read their weights by checkpoint
 * key. Each mirrors one PyTorch module of the official code (vq_model.py, clip/model.py, HF
 * SigLIP) in operation order, so numerical differences stay at float rounding level.
 * Only ops that onnxruntime-web runs natively are used (no GroupNormalization, no cubic Resize).
 */
import { bicubicMatrix } from '../../src/core/resample.ts';
import { attr, fmtShape, type GraphBuilder, type Value } from './graph-builder.ts';
import { groupNorm, type GroupNormSpec } from './group-norm.ts';

export { groupNorm, type GroupNormImpl, type GroupNormSpec } from './group-norm.ts';

// ——— shape plumbing ———

export function reshape(b: GraphBuilder, x: Value, shape: readonly number[]): Value {
  const n = x.shape.reduce((a, c) => a * c, 1);
  if (shape.reduce((a, c) => a * c, 1) !== n)
    throw new Error(`reshape of ${fmtShape(x.shape)} to ${fmtShape(shape)}: element counts differ`);
  return b.op('Reshape', [x, b.constInt64('shape', shape)], shape);
}

export function transpose(b: GraphBuilder, x: Value, perm: readonly number[]): Value {
  return b.op(
    'Transpose',
    [x],
    perm.map((p) => x.shape[p]),
    { perm: attr.ints(perm) },
  );
}

/** Elementwise binary op with numpy broadcasting (shape computed here). */
export function binary(b: GraphBuilder, opType: 'Add' | 'Sub' | 'Mul' | 'Div', x: Value, y: Value): Value {
  return b.op(opType, [x, y], broadcastShape(x.shape, y.shape, opType));
}

export function scale(b: GraphBuilder, x: Value, factor: number): Value {
  return b.op('Mul', [x, b.scalar(factor)], x.shape);
}

export function broadcastShape(a: readonly number[], c: readonly number[], what: string): number[] {
  const n = Math.max(a.length, c.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = c[c.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new Error(`${what}: shapes ${fmtShape(a)} and ${fmtShape(c)} do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

/** numpy matmul shape rule (rank ≥ 2 operands, batch dims broadcast). */
export function matmul(b: GraphBuilder, x: Value, y: Value): Value {
  const [m, k] = x.shape.slice(-2);
  const [k2, n] = y.shape.slice(-2);
  if (k !== k2)
    throw new Error(`MatMul ${x.name} ${fmtShape(x.shape)} × ${y.name} ${fmtShape(y.shape)}: inner sizes differ`);
  const batch = broadcastShape(x.shape.slice(0, -2), y.shape.slice(0, -2), 'MatMul');
  return b.op('MatMul', [x, y], [...batch, m, n]);
}

/** (1,C,H,W) → (1,H·W,C), row-major positions: PyTorch's flatten(2).transpose(1,2). */
export function nchwToTokens(b: GraphBuilder, x: Value): Value {
  const [n, c, h, w] = x.shape;
  return transpose(b, reshape(b, x, [n, c, h * w]), [0, 2, 1]);
}

/** (1,N,C) → (1,C,S,S) with S = √N: einops 'b (h w) c -> b c h w'. */
export function tokensToNchw(b: GraphBuilder, x: Value): Value {
  const [n, tokens, c] = x.shape;
  const s = Math.round(Math.sqrt(tokens));
  if (s * s !== tokens) throw new Error(`tokensToNchw: ${tokens} tokens are not a square grid`);
  return reshape(b, transpose(b, x, [0, 2, 1]), [n, c, s, s]);
}

// ——— activations ———

export function silu(b: GraphBuilder, x: Value): Value {
  return b.op('Mul', [x, b.op('Sigmoid', [x], x.shape)], x.shape);
}

/** CLIP's QuickGELU: x·sigmoid(1.702x). */
export function quickGelu(b: GraphBuilder, x: Value): Value {
  return b.op('Mul', [x, b.op('Sigmoid', [scale(b, x, 1.702)], x.shape)], x.shape);
}

/**
 * gelu_pytorch_tanh in basic ops (opset 17 has no Gelu), in PyTorch's operation order:
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */
export function geluTanh(b: GraphBuilder, x: Value): Value {
  const cube = b.op('Mul', [b.op('Mul', [x, x], x.shape), x], x.shape);
  const inner = scale(
    b,
    b.op('Add', [x, scale(b, cube, 0.044715)], x.shape),
    Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5,
  );
  const onePlus = b.op('Add', [b.op('Tanh', [inner], x.shape), b.scalar(1)], x.shape);
  return b.op('Mul', [scale(b, x, 0.5), onePlus], x.shape);
}

export function tanh(b: GraphBuilder, x: Value): Value {
  return b.op('Tanh', [x], x.shape);
}

// ——— linear layers ———

export interface ConvOptions {
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride?: number;
  /** ONNX order [top, left, bottom, right]; default "same" padding (k−1)/2 on every side. */
  readonly pads?: readonly [number, number, number, number];
  readonly bias?: boolean;
}

/** nn.Conv2d with OIHW weights `${key}.weight` and, unless bias is false, `${key}.bias`. */
export function conv2d(b: GraphBuilder, x: Value, key: string, o: ConvOptions): Value {
  const [n, c, h, w] = x.shape;
  const stride = o.stride ?? 1;
  const p = (o.kernel - 1) / 2;
  const pads = o.pads ?? [p, p, p, p];
  const weight = b.weight(`${key}.weight`, [o.outChannels, c, o.kernel, o.kernel]);
  const inputs = [x, weight];
  if (o.bias ?? true) inputs.push(b.weight(`${key}.bias`, [o.outChannels]));
  const outH = Math.floor((h + pads[0] + pads[2] - o.kernel) / stride) + 1;
  const outW = Math.floor((w + pads[1] + pads[3] - o.kernel) / stride) + 1;
  return b.op('Conv', inputs, [n, o.outChannels, outH, outW], {
    kernel_shape: attr.ints([o.kernel, o.kernel]),
    strides: attr.ints([stride, stride]),
    pads: attr.ints(pads),
  });
}

/** x·W + bias with W already laid out [in, out]. */
export function matmulAdd(b: GraphBuilder, x: Value, weight: Value, bias: Value): Value {
  const y = matmul(b, x, weight);
  return b.op('Add', [y, bias], y.shape);
}

/** nn.Linear: weight [out, in] transposed at write time for MatMul. */
export function linear(b: GraphBuilder, x: Value, key: string, outDim: number): Value {
  const inDim = x.shape[x.shape.length - 1];
  const w = b.weight(`${key}.weight`, [outDim, inDim], [{ kind: 'transpose' }]);
  return matmulAdd(b, x, w, b.weight(`${key}.bias`, [outDim]));
}

// ——— normalisation ———

/** nn.LayerNorm over the last axis. */
export function layerNorm(b: GraphBuilder, x: Value, key: string, eps: number): Value {
  const d = x.shape[x.shape.length - 1];
  return b.op('LayerNormalization', [x, b.weight(`${key}.weight`, [d]), b.weight(`${key}.bias`, [d])], x.shape, {
    axis: attr.int(-1),
    epsilon: attr.float(eps),
  });
}

// ——— attention ———

export interface Projection {
  /** [in, out], ready for MatMul. */
  readonly weight: Value;
  readonly bias: Value;
}

export interface AttentionWeights {
  readonly q: Projection;
  readonly k: Projection;
  readonly v: Projection;
  readonly out: Projection;
}

/**
 * Multi-head self-attention on (1,N,D) tokens. `scaleAt` follows the reference: PyTorch's
 * nn.MultiheadAttention divides q before QKᵀ, HF SigLIP scales the logits after it.
 */
export function multiHeadAttention(
  b: GraphBuilder,
  x: Value,
  w: AttentionWeights,
  heads: number,
  scaleAt: 'query' | 'logits',
): Value {
  const [n, tokens, d] = x.shape;
  if (d % heads !== 0) throw new Error(`attention: width ${d} is not divisible by ${heads} heads`);
  const dh = d / heads;
  const split = (y: Value, perm: number[]) => transpose(b, reshape(b, y, [n, tokens, heads, dh]), perm);
  let q = split(matmulAdd(b, x, w.q.weight, w.q.bias), [0, 2, 1, 3]);
  const k = split(matmulAdd(b, x, w.k.weight, w.k.bias), [0, 2, 3, 1]);
  const v = split(matmulAdd(b, x, w.v.weight, w.v.bias), [0, 2, 1, 3]);
  const factor = dh ** -0.5;
  if (scaleAt === 'query') q = scale(b, q, factor);
  let logits = matmul(b, q, k);
  if (scaleAt === 'logits') logits = scale(b, logits, factor);
  const probs = b.op('Softmax', [logits], logits.shape, { axis: attr.int(-1) });
  const ctx = reshape(b, transpose(b, matmul(b, probs, v), [0, 2, 1, 3]), [n, tokens, d]);
  return matmulAdd(b, ctx, w.out.weight, w.out.bias);
}

/**
 * How a tower names and runs its pre-norm blocks: the module names under a block's key (the two
 * LayerNorms, then the MLP's two Linears), where attention scales, and the MLP's activation.
 */
export interface BlockStyle {
  readonly names: readonly [norm1: string, norm2: string, fc1: string, fc2: string];
  readonly scaleAt: 'query' | 'logits';
  readonly activation: (b: GraphBuilder, x: Value) => Value;
}

export interface BlockDims {
  readonly heads: number;
  readonly mlpDim: number;
  readonly lnEps: number;
}

/** r = x + attention(LN₁(x)), then r + fc₂(act(fc₁(LN₂(r)))): the block order of CLIP and SigLIP alike. */
export function preNormBlock(
  b: GraphBuilder,
  x: Value,
  key: string,
  style: BlockStyle,
  attention: AttentionWeights,
  dims: BlockDims,
): Value {
  const [norm1, norm2, fc1, fc2] = style.names.map((name) => `${key}.${name}`);
  const attn = multiHeadAttention(b, layerNorm(b, x, norm1, dims.lnEps), attention, dims.heads, style.scaleAt);
  const r = binary(b, 'Add', x, attn);
  let m = linear(b, layerNorm(b, r, norm2, dims.lnEps), fc1, dims.mlpDim);
  m = linear(b, style.activation(b, m), fc2, x.shape[2]);
  return binary(b, 'Add', r, m);
}

/**
 * VQGAN AttnBlock: GroupNorm, 1×1 q/k/v, one head over the H·W positions with logits scaled
 * by C^-0.5 (after QKᵀ, as the reference), softmax over keys, 1×1 proj_out, residual.
 */
export function vqganAttnBlock(b: GraphBuilder, x: Value, key: string, gn: GroupNormSpec): Value {
  return b.scoped(key, () => {
    const [n, c, h, w] = x.shape;
    const hn = groupNorm(b, x, `${key}.norm`, gn);
    const conv1x1 = (name: string) => conv2d(b, hn, `${key}.${name}`, { outChannels: c, kernel: 1 });
    const q = transpose(b, reshape(b, conv1x1('q'), [n, c, h * w]), [0, 2, 1]); // (1,HW,C)
    const k = reshape(b, conv1x1('k'), [n, c, h * w]); // (1,C,HW)
    const v = reshape(b, conv1x1('v'), [n, c, h * w]); // (1,C,HW)
    const logits = scale(b, matmul(b, q, k), c ** -0.5); // [i (query), j (key)]
    const probs = b.op('Softmax', [logits], logits.shape, { axis: attr.int(2) });
    const attended = matmul(b, v, transpose(b, probs, [0, 2, 1])); // h[c,i] = Σ_j v[c,j]·p[i,j]
    const out = conv2d(b, reshape(b, attended, [n, c, h, w]), `${key}.proj_out`, { outChannels: c, kernel: 1 });
    return b.op('Add', [x, out], x.shape);
  });
}

// ——— conv-net blocks ———

/** ResnetBlock: GN, SiLU, conv3×3, GN, SiLU, (dropout 0), conv3×3; 1×1 nin_shortcut when widths differ. */
export function resnetBlock(b: GraphBuilder, x: Value, key: string, outChannels: number, gn: GroupNormSpec): Value {
  return b.scoped(key, () => {
    const inChannels = x.shape[1];
    let h = silu(b, groupNorm(b, x, `${key}.norm1`, gn));
    h = conv2d(b, h, `${key}.conv1`, { outChannels, kernel: 3 });
    h = silu(b, groupNorm(b, h, `${key}.norm2`, gn));
    h = conv2d(b, h, `${key}.conv2`, { outChannels, kernel: 3 });
    const shortcut = inChannels === outChannels ? x : conv2d(b, x, `${key}.nin_shortcut`, { outChannels, kernel: 1 });
    return b.op('Add', [shortcut, h], h.shape);
  });
}

/** Downsample: zero-pad right and bottom by one (F.pad (0,1,0,1)), conv3×3 stride 2. */
export function downsample(b: GraphBuilder, x: Value, key: string): Value {
  return conv2d(b, x, `${key}.conv`, { outChannels: x.shape[1], kernel: 3, stride: 2, pads: [0, 0, 1, 1] });
}

/** Nearest ×2 (PyTorch 'nearest' = asymmetric + floor; exact for factor 2). */
export function upsampleNearest2x(b: GraphBuilder, x: Value): Value {
  const [n, c, h, w] = x.shape;
  const scales = b.memo('upsample_scales_2x', () => b.constFloat('scales2x', [4], new Float32Array([1, 1, 2, 2])));
  return b.op('Resize', [x, '', scales], [n, c, 2 * h, 2 * w], {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  });
}

/** Upsample: nearest ×2 then conv3×3. */
export function upsample(b: GraphBuilder, x: Value, key: string): Value {
  return conv2d(b, upsampleNearest2x(b, x), `${key}.conv`, { outChannels: x.shape[1], kernel: 3 });
}

/**
 * PyTorch bicubic resize of square NCHW planes (align_corners False, a = −0.75, no
 * antialias) as two MatMuls with the constant matrix U from resample.ts: X·Uᵀ then U·(…).
 */
export function resizeBicubic(b: GraphBuilder, x: Value, outSize: number): Value {
  const [, , h, w] = x.shape;
  if (h !== w) throw new Error(`resizeBicubic: expects square planes, got ${fmtShape(x.shape)}`);
  const m = bicubicMatrix(h, outSize);
  const u = b.constFloat(`bicubic_${h}to${outSize}`, [outSize, h], Float32Array.from(m.data));
  const ut = new Float32Array(h * outSize);
  for (let o = 0; o < outSize; o++) for (let i = 0; i < h; i++) ut[i * outSize + o] = m.data[o * h + i];
  const uT = b.constFloat(`bicubic_${h}to${outSize}_T`, [h, outSize], ut);
  const alongWidth = matmul(b, x, uT); // (n,c,h,out)
  return matmul(b, u, alongWidth); // (n,c,out,out): U broadcasts over n and c
}
