/**
 * Pictures of codes the image does not use (the inspector's candidates and per-codebook
 * winners): a token map with every token set to the code, decoded by the model's worker. One
 * decoder run each, so they are cached per model and code, asked for only when no token of the
 * image holds the code (unasked only for a small decoder, depth-strip.ts decodesUnasked; else on
 * a click), and decoded one at a time, newest request first.
 */
import { codePatchKey } from '../logic/code-patch-source.ts';
import { findModel, getState, setState } from '../state/store.ts';
import { isAbortError } from '../../runtime/worker/worker-client.ts';
import { engineFor } from './engines.ts';

let wanted: { id: number; codes: number[] } | undefined;
let running = false;
const failedKeys = new Set<string>();

/** Replaces the list of codes to decode for model `id` (earlier requests not yet run are dropped). */
export function requestCodePatches(id: number, codes: readonly number[]): void {
  const cached = getState().codePatches;
  const missing = codes.filter((c) => !cached.has(codePatchKey(id, c)) && !failedKeys.has(codePatchKey(id, c)));
  wanted = missing.length > 0 ? { id, codes: missing } : undefined;
  if (!running) void drain();
}

async function drain(): Promise<void> {
  running = true;
  try {
    while (wanted && wanted.codes.length > 0) {
      const list = wanted;
      const { id } = list;
      const code = list.codes.shift()!;
      const m = findModel(id);
      if (!m?.layout || m.phase !== 'ready') continue;
      const key = codePatchKey(id, code);
      try {
        const r = await engineFor(id).decodeIndices(new Int32Array(m.layout.numTokens).fill(code));
        const patches = new Map(getState().codePatches);
        patches.set(key, { width: r.outputSize, height: r.outputSize, data: r.imageU8 });
        setState({ codePatches: patches });
      } catch (e) {
        // Cancelled because the user moved on: not a failure, and the rest of that list is dropped
        // too (the inspector asks again for what it shows next).
        if (isAbortError(e)) {
          if (wanted === list) wanted = undefined;
          continue;
        }
        // Shown as "no picture" (the model was removed or its decoder failed); not retried.
        failedKeys.add(key);
      }
    }
  } finally {
    running = false;
  }
}
