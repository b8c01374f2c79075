/**
 * Encoding the current image with a model (in its worker): tokens, margins and top-k
 * candidates come back, then the reconstruction follows. Re-run when the image or the
 * distance weights change; every encode and decode of the model still pending for the previous
 * image (its reconstruction, depth strip, code pictures) is cancelled first — a released model on
 * wasm spends 20–45 s on each — and a late result is dropped.
 */
import { CodebookTally } from '../../core/metrics/codebook-usage.ts';
import { findModel, getState, updateModel } from '../state/store.ts';
import { engineFor } from './engines.ts';
import { reconstruct } from './reconstruct.ts';

/** Joint candidates kept per token for the inspector. */
export const TOP_K = 8;

const latestEncode = new Map<number, number>();
const tallies = new Map<number, CodebookTally>();
let encodeSeq = 0;

export async function encodeModel(id: number): Promise<void> {
  const { image, weights } = getState();
  const model = findModel(id);
  if (!image || !model || model.phase !== 'ready' || !model.manifest) return;
  const seq = ++encodeSeq;
  latestEncode.set(id, seq);
  updateModel(id, { encodePhase: 'running', encodeError: undefined });
  try {
    const engine = engineFor(id);
    engine.cancelAll();
    const encoded = await engine.encode(
      { width: image.width, height: image.height, data: image.data },
      { weights, topK: TOP_K },
    );
    if (latestEncode.get(id) !== seq) return;
    const K = model.manifest.codebookSize;
    const tally = tallies.get(id) ?? new CodebookTally(K);
    tallies.set(id, tally);
    tally.add(encoded.quantization.indices);
    updateModel(id, (m) => ({
      encodePhase: 'done',
      encoded,
      encodedWith: weights,
      tokens: encoded.quantization.indices,
      tokenSource: 'encoded',
      edits: new Map(),
      tokenNotes: [],
      session: {
        encodes: (m.session?.encodes ?? 0) + 1,
        tokens: tally.tokens,
        distinct: tally.distinct,
        perplexity: tally.perplexity,
      },
    }));
  } catch (e) {
    if (latestEncode.get(id) === seq) updateModel(id, { encodePhase: 'error', encodeError: (e as Error).message });
    return;
  }
  await reconstruct(id);
}

export async function encodeAll(): Promise<void> {
  await Promise.all(getState().models.map((m) => encodeModel(m.id)));
}

/** Forgets a removed model's session tally. */
export function forgetEncodes(id: number): void {
  latestEncode.delete(id);
  tallies.delete(id);
}
