/**
 * Strict check of a state dict against the official layout, like the official loaders'
 * `load_state_dict(strict=True)` for the parts inference uses: a key left out would otherwise
 * leave a block at zero and produce a black or noisy image much later.
 */
import type { StateDict } from './checkpoint/state-dict.ts';
import { CheckpointMismatchError } from './detect-config.ts';
import type { ModelConfig } from './model-config.ts';
import { officialLayout, type LayoutEntry } from './state-dict-layout.ts';

const FLOAT_DTYPES = new Set(['float32', 'float16', 'bfloat16', 'float64']);
const SHOWN = 12;

/** Returns the layout entries inference needs; throws listing every missing or mis-shaped key. */
export function validateStateDict(sd: StateDict, config: ModelConfig, sourceName = 'checkpoint'): LayoutEntry[] {
  const needed = officialLayout(config).filter((e) => e.role !== 'training_only');
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const entry of needed) {
    const found = sd.get(entry.key);
    if (!found) {
      missing.push(entry.key);
    } else if (!sameShape(found.shape, entry.shape)) {
      wrong.push(`${entry.key}: found [${found.shape.join(', ')}], expected [${entry.shape.join(', ')}]`);
    } else if (!FLOAT_DTYPES.has(found.dtype)) {
      wrong.push(`${entry.key}: dtype ${found.dtype}, expected a floating-point tensor`);
    }
  }
  if (missing.length || wrong.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`${missing.length} missing key(s): ${list(missing)}`);
    if (wrong.length) parts.push(`${wrong.length} mismatched tensor(s): ${list(wrong)}`);
    throw new CheckpointMismatchError(
      `${sourceName}: the state dict does not match the ${describe(config)} it looks like; ${parts.join('; ')}`,
    );
  }
  return needed;
}

function describe(config: ModelConfig): string {
  const decoder = config.pixelDecoder.enhanced ? 'enhanced' : 'normal';
  return `TokenFlow ${config.variant.toUpperCase()} model (K=${config.codebookSize}, ${decoder} decoder)`;
}

function list(items: string[]): string {
  return items.slice(0, SHOWN).join(', ') + (items.length > SHOWN ? `, … and ${items.length - SHOWN} more` : '');
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
