/**
 * nn.GroupNorm on NCHW, without ONNX GroupNormalization (its spec changed in opset 21 and
 * ORT-web has no WebGPU kernel for it). Two formulations:
 *
 * - 'reduce-mean' (default): two-pass mean/variance where each reduction runs in two levels,
 *   first along W, then along the rest of the group. onnxruntime's CPU reductions (and its
 *   InstanceNormalization, which the wasm backend shares) accumulate a whole group in a few
 *   float32 running sums; on 432×432 planes that costs ~3e-4 absolute at the SigLIP pixel
 *   encoder output, against ~1e-5 for this form (PyTorch sums pairwise). Measured on the
 *   siglip-384 fixture against a float64 reference.
 * - 'instance-norm': Reshape(1,G,−1) → InstanceNormalization(ones, zeros) → Reshape, the
 *   fewest nodes; fine for small planes, kept for backends where it is faster.
 *
 * Both apply the per-channel affine γ·x̂ + β ('reduce-mean' folds γ into the per-group scale).
 */
import { attr, type GraphBuilder, type Value } from './graph-builder.ts';

export type GroupNormImpl = 'reduce-mean' | 'instance-norm';

export interface GroupNormSpec {
  readonly groups: number;
  readonly eps: number;
  readonly impl?: GroupNormImpl;
}

export function groupNorm(b: GraphBuilder, x: Value, key: string, gn: GroupNormSpec): Value {
  const [n, c, h, w] = x.shape;
  if (x.shape.length !== 4) throw new Error(`${key}: GroupNorm expects NCHW, got [${x.shape.join(',')}]`);
  if (c % gn.groups !== 0) throw new Error(`${key}: ${c} channels do not split into ${gn.groups} groups`);
  if ((gn.impl ?? 'reduce-mean') === 'instance-norm') {
    const normed = normalizeInstanceNorm(b, x, [n, gn.groups, (c / gn.groups) * h * w], gn);
    const affine = [c, 1, 1];
    const gamma = b.weight(`${key}.weight`, [c], [{ kind: 'reshape', dims: affine }]);
    const beta = b.weight(`${key}.bias`, [c], [{ kind: 'reshape', dims: affine }]);
    return b.op('Add', [b.op('Mul', [normed, gamma], x.shape), beta], x.shape);
  }
  return normalizeTwoLevel(b, x, key, [n, gn.groups, c / gn.groups, h, w], gn.eps);
}

function reshapeTo(b: GraphBuilder, x: Value, shape: readonly number[]): Value {
  return b.op('Reshape', [x, b.constInt64('shape', shape)], shape);
}

/**
 * (x − mean)·(γ·(var + eps)^−½) + β per group, every mean taken as a mean of row means. The
 * grouped view (N, G, C/G, H, W) keeps channels apart, so γ folds into the per-group scale
 * on a (N, G, C/G, 1, 1) tensor and the full-size tensor sees one Mul and one Add after
 * centring: two fewer passes over it than normalising first and applying γ, β after, which
 * matters on the decoder's 256×256 planes (measured in export/bench/bench-decoder.ts).
 */
function normalizeTwoLevel(b: GraphBuilder, x: Value, key: string, grouped: readonly number[], eps: number): Value {
  const [n, groups, perGroup] = grouped;
  const g = reshapeTo(b, x, grouped);
  const rowShape = [n, groups, perGroup, grouped[3], 1];
  const statShape = [n, groups, 1, 1, 1];
  const channelShape = [1, groups, perGroup, 1, 1];
  // Rows have equal length, so the mean of row means is the group mean.
  const groupMean = (t: Value) =>
    b.op(
      'ReduceMean',
      [b.op('ReduceMean', [t], rowShape, { axes: attr.ints([4]), keepdims: attr.int(1) })],
      statShape,
      {
        axes: attr.ints([2, 3]),
        keepdims: attr.int(1),
      },
    );
  const centered = b.op('Sub', [g, groupMean(g)], g.shape);
  const variance = groupMean(b.op('Mul', [centered, centered], g.shape));
  const std = b.op('Sqrt', [b.op('Add', [variance, b.scalar(eps)], statShape)], statShape);
  const gamma = b.weight(`${key}.weight`, [grouped[1] * perGroup], [{ kind: 'reshape', dims: channelShape }]);
  const beta = b.weight(`${key}.bias`, [grouped[1] * perGroup], [{ kind: 'reshape', dims: channelShape }]);
  const scale = b.op('Div', [gamma, std], [n, groups, perGroup, 1, 1]);
  return reshapeTo(b, b.op('Add', [b.op('Mul', [centered, scale], g.shape), beta], g.shape), x.shape);
}

function normalizeInstanceNorm(b: GraphBuilder, x: Value, grouped: readonly number[], gn: GroupNormSpec): Value {
  const ones = b.memo(`gn_ones_${gn.groups}`, () =>
    b.constFloat(`ones${gn.groups}`, [gn.groups], new Float32Array(gn.groups).fill(1)),
  );
  const zeros = b.memo(`gn_zeros_${gn.groups}`, () =>
    b.constFloat(`zeros${gn.groups}`, [gn.groups], new Float32Array(gn.groups)),
  );
  const g = reshapeTo(b, x, grouped);
  const normed = b.op('InstanceNormalization', [g, ones, zeros], g.shape, { epsilon: attr.float(gn.eps) });
  return reshapeTo(b, normed, x.shape);
}
