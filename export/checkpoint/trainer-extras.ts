/**
 * The non-model entries the official `vq_train.py` saves next to `model`: Adam optimizer state
 * dicts, the PatchGAN discriminator (with its int64 BatchNorm counter), the step count and the
 * argparse Namespace of CLI options. Shapes and values are small and deterministic; they exist
 * so that readers are tested against everything a real trainer checkpoint contains.
 */
import { OP } from './pickle-opcodes.ts';
import { PyCustom, PyFloat, PyTupleValue, type PickleValue } from './pickle-writer.ts';
import type { TensorSpec } from './torch-writer.ts';

export interface TrainerExtrasSpec {
  /** Default 100. */
  readonly steps?: number;
  /** Overrides/extends the default CLI options stored in `args`. */
  readonly args?: Readonly<Record<string, PickleValue>>;
}

type TensorFactory = (t: TensorSpec) => PickleValue;
type OrderedDictFactory = (items: readonly (readonly [string, PickleValue])[]) => PickleValue;

/** Adam keeps state only for parameters that got gradients; a few small ones are enough. */
const MAX_STATE_PARAMS = 3;
const MAX_STATE_NUMEL = 65536;

/** Deterministic values in [-scale, scale) so files are reproducible byte for byte. */
function pseudoRandom(n: number, seed: number, scale = 0.02): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const DISCRIMINATOR: readonly { key: string; shape: number[]; int64?: boolean }[] = [
  { key: 'main.0.weight', shape: [8, 3, 4, 4] },
  { key: 'main.0.bias', shape: [8] },
  { key: 'main.2.weight', shape: [16, 8, 4, 4] },
  { key: 'main.3.weight', shape: [16] },
  { key: 'main.3.bias', shape: [16] },
  { key: 'main.3.running_mean', shape: [16] },
  { key: 'main.3.running_var', shape: [16] },
  { key: 'main.3.num_batches_tracked', shape: [], int64: true },
  { key: 'main.5.weight', shape: [1, 16, 4, 4] },
  { key: 'main.5.bias', shape: [1] },
];

/** Options in the order vq_train.py's parser defines them (a representative subset). */
function defaultArgs(): [string, PickleValue][] {
  return [
    ['data_path', '/path/to/your/dataset'],
    ['cloud_save_path', './logs/tokenflow-training/'],
    ['no_local_save', false],
    ['vq_model', 'TokenFlow'],
    ['teacher', 'clipb_224'],
    ['vq_ckpt', null],
    ['finetune', false],
    ['ema', false],
    ['codebook_size', 32768],
    ['codebook_embed_dim', 8],
    ['semantic_code_dim', 32],
    ['codebook_l2_norm', true],
    ['commit_loss_beta', new PyFloat(0.25)],
    ['disc_weight', new PyFloat(0.5)],
    ['disc_start', 20000],
    ['compile', false],
    ['dropout_p', new PyFloat(0)],
    ['dataset', 'imagenet'],
    ['image_size', 224],
    ['epochs', 100],
    ['lr', new PyFloat(1e-4)],
    ['weight_decay', new PyFloat(0.05)],
    ['beta1', new PyFloat(0.9)],
    ['beta2', new PyFloat(0.95)],
    ['global_batch_size', 32],
    ['mixed_precision', 'bf16'],
    ['enhanced_decoder', false],
  ];
}

/** An Adam `state_dict()`: {'state': {index: {step, exp_avg, exp_avg_sq}}, 'param_groups': [...]}. */
function adamState(
  params: readonly { key: string; shape: readonly number[] }[],
  steps: number,
  tensor: TensorFactory,
  seed: number,
): PickleValue {
  const state = new Map<PickleValue, PickleValue>();
  params.forEach((p, index) => {
    if (state.size >= MAX_STATE_PARAMS || numel(p.shape) > MAX_STATE_NUMEL) return;
    const n = numel(p.shape);
    state.set(
      index,
      new Map<PickleValue, PickleValue>([
        // torch ≥ 1.12 keeps Adam's step as a 0-dim float tensor.
        ['step', tensor({ key: `step.${index}`, shape: [], values: () => Float32Array.of(steps) })],
        [
          'exp_avg',
          tensor({ key: `exp_avg.${index}`, shape: p.shape, values: () => pseudoRandom(n, seed + index, 1e-3) }),
        ],
        [
          'exp_avg_sq',
          tensor({
            key: `exp_avg_sq.${index}`,
            shape: p.shape,
            values: () => pseudoRandom(n, seed + index + 7, 1e-6).map(Math.abs),
          }),
        ],
      ]),
    );
  });
  const group = new Map<PickleValue, PickleValue>([
    ['lr', new PyFloat(1e-4)],
    ['betas', new PyTupleValue(new PyFloat(0.9), new PyFloat(0.95))],
    ['eps', new PyFloat(1e-8)],
    ['weight_decay', new PyFloat(0)],
    ['amsgrad', false],
    ['maximize', false],
    ['foreach', null],
    ['capturable', false],
    ['differentiable', false],
    ['fused', false],
    ['params', params.map((_, i) => i)],
  ]);
  return new Map<PickleValue, PickleValue>([
    ['state', state],
    ['param_groups', [group]],
  ]);
}

/** `argparse.Namespace(**options)`, pickled as Python does: GLOBAL, NEWOBJ with no args, BUILD with the dict. */
function namespace(options: readonly [string, PickleValue][]): PickleValue {
  return new PyCustom((w) => {
    w.global('argparse', 'Namespace');
    w.byte(OP.EMPTY_TUPLE, OP.NEWOBJ);
    w.put();
    w.value(new Map<PickleValue, PickleValue>(options));
    w.byte(OP.BUILD);
  });
}

/** The top-level entries after `model`, in vq_train.py's order. */
export function trainerExtras(
  modelParams: readonly { key: string; shape: readonly number[] }[],
  spec: TrainerExtrasSpec,
  tensor: TensorFactory,
  orderedDict: OrderedDictFactory,
): [string, PickleValue][] {
  const steps = spec.steps ?? 100;
  const discriminator = DISCRIMINATOR.map((d, i): [string, PickleValue] => [
    d.key,
    tensor({
      key: `discriminator.${d.key}`,
      shape: d.shape,
      dtype: d.int64 ? 'int64' : 'float32',
      values: () => (d.int64 ? BigInt64Array.of(BigInt(steps)) : pseudoRandom(numel(d.shape), 1000 + i)),
    }),
  ]);
  const discParams = DISCRIMINATOR.filter((d) => !d.int64 && !d.key.includes('running_'));
  const args = new Map<string, PickleValue>(defaultArgs());
  for (const [k, v] of Object.entries(spec.args ?? {})) args.set(k, v);
  return [
    ['optimizer', adamState(modelParams, steps, tensor, 1)],
    ['discriminator', orderedDict(discriminator)],
    ['optimizer_disc', adamState(discParams, steps, tensor, 500)],
    ['steps', steps],
    ['args', namespace([...args])],
  ];
}
