/**
 * Picks the model weights out of a checkpoint's top-level object with the official readers'
 * priority (ema > model > state_dict), or the top level itself when it is a bare state dict.
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import type { StateDict, TensorEntry, WeightsKey } from './state-dict.ts';
import { TorchTensor } from './torch-checkpoint.ts';

/** Wrapper prefixes that do not belong to the model's own key names. */
const WRAPPER_PREFIXES = ['module.', '_orig_mod.'] as const;

export interface SelectedWeights {
  readonly topLevelKeys: readonly string[];
  readonly weightsKey: WeightsKey;
  readonly stateDict: StateDict;
}

const PRIORITY = ['ema', 'model', 'state_dict'] as const;

export function selectWeights(root: unknown, source: string): SelectedWeights {
  if (!(root instanceof Map)) {
    throw new CheckpointError(
      `${source}: the checkpoint holds ${describe(root)}, not a dict; ` +
        "expected a trainer dict with 'ema', 'model' or 'state_dict', or a state dict",
    );
  }
  const topLevelKeys = [...root.keys()].map((k) => String(k));
  for (const key of PRIORITY) {
    if (!root.has(key)) continue;
    const value = root.get(key);
    if (!(value instanceof Map))
      throw new CheckpointError(`${source}: '${key}' holds ${describe(value)}, not a state dict`);
    return { topLevelKeys, weightsKey: key, stateDict: toStateDict(value, `${source}: '${key}'`) };
  }
  if (
    root.size > 0 &&
    [...root.values()].some((v) => v instanceof TorchTensor) &&
    [...root.keys()].every((k) => typeof k === 'string')
  ) {
    return { topLevelKeys, weightsKey: '(top level)', stateDict: toStateDict(root, source) };
  }
  throw new CheckpointError(
    `${source}: no weights found; the top level has keys [${topLevelKeys.map((k) => `'${k}'`).join(', ')}] ` +
      "but the official readers look for 'ema', then 'model', then 'state_dict'",
  );
}

/** Tensors of a dict, keyed without wrapper prefixes; non-tensor values are skipped. */
function toStateDict(dict: Map<unknown, unknown>, where: string): StateDict {
  const tensors: [string, TorchTensor][] = [];
  for (const [k, v] of dict) if (typeof k === 'string' && v instanceof TorchTensor) tensors.push([k, v]);
  if (tensors.length === 0) throw new CheckpointError(`${where} holds no tensors`);
  let keys = tensors.map(([k]) => k);
  // DistributedDataParallel saves `module.<key>`, torch.compile `_orig_mod.<key>`; the official
  // trainer unwraps both before saving, but hand-saved checkpoints often do not. Strip a prefix
  // only when every key has it, so a real submodule named `module` is never touched.
  for (let changed = true; changed;) {
    changed = false;
    for (const prefix of WRAPPER_PREFIXES) {
      if (keys.every((k) => k.startsWith(prefix) && k.length > prefix.length)) {
        keys = keys.map((k) => k.slice(prefix.length));
        changed = true;
      }
    }
  }
  const out = new Map<string, TensorEntry>();
  tensors.forEach(([, t], i) => {
    const key = keys[i];
    out.set(key, { key, dtype: t.dtype, shape: t.shape, readFloat32: () => t.readFloat32(key) });
  });
  return out;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v instanceof TorchTensor) return 'a single tensor';
  if (Array.isArray(v)) return 'a list or tuple';
  return typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`;
}
