/**
 * Encoding the current image with a model (in its worker): tokens, margins and top-k
 * candidates come back, then the reconstruction follows. Re-run when the image or the
 * distance weights change; the model's encode or decode still running for the previous image is
 * cancelled (a released model on wasm spends 20–45 s on each), and a late result is dropped.
 */
import { CodebookTally } from '../../core/metrics/codebook-usage.ts';
import { findModel, getState, updateModel } from '../state/store.ts';
import { engineFor } from './engines.ts';
import { cancelReconstruction, reconstruct } from './reconstruct.ts';

/** Joint candidates kept per token for the inspector. */
export const TOP_K = 8;

const latestEncode = new Map<number, number>();
const encoding = new Map<number, AbortController>();
const tallies = new Map<number, CodebookTally>();
let encodeSeq = 0;

export async function encodeModel(id: number): Promise<void> {
  const { image, weights } = getState();
  const model = findModel(id);
  if (!image || !model || model.phase !== 'ready' || !model.manifest) return;
  const seq = ++encodeSeq;
  latestEncode.set(id, seq);
  encoding.get(id)?.abort();
  cancelReconstruction(id);
  const controller = new AbortController();
  encoding.set(id, controller);
  updateModel(id, { encodePhase: 'running', encodeError: undefined });
  try {
    const encoded = await engineFor(id).encode(
      { width: image.width, height: image.height, data: image.data },
      { weights, topK: TOP_K, signal: controller.signal },
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
  } finally {
    if (encoding.get(id) === controller) encoding.delete(id);
  }
  await reconstruct(id);
}

export async function encodeAll(): Promise<void> {
  await Promise.all(getState().models.map((m) => encodeModel(m.id)));
}

/** Forgets a removed model's session tally. */
export function forgetEncodes(id: number): void {
  encoding.get(id)?.abort();
  encoding.delete(id);
  latestEncode.delete(id);
  tallies.delete(id);
}
