/**
 * The strip of every depth 1…n under the results: the active model's tokens decoded from the
 * first k scales, for each k, with PSNR against the crop. It fills itself in the model's worker
 * one decode at a time once the main reconstruction is done, and yields whenever that worker has
 * other work (a new reconstruction, new tokens), resuming where it stopped.
 */
import { psnrU8 } from '../../core/metrics/psnr.ts';
import { scalesCovered } from '../logic/token-layout.ts';
import { activeModel, findModel, getState, setState, usePlayground } from '../state/store.ts';
import type { DepthResult, PlaygroundState } from '../state/types.ts';
import { engineFor } from './engines.ts';

let filling: Int32Array | undefined;
/** Tokens whose strip hit a decoder error: not retried on every store change. */
let failed: Int32Array | undefined;

/** Starts watching the store; returns the unsubscribe function. */
export function startDepthStrip(): () => void {
  const check = (s: PlaygroundState) => {
    const m = activeModel(s);
    if (!m?.tokens || !m.layout || m.reconPhase !== 'done' || !m.recon || filling === m.tokens || failed === m.tokens) return;
    const strip = s.depthStrip;
    const same = strip?.modelId === m.id && strip.tokens === m.tokens;
    if (same && strip.depths.every(Boolean)) return;
    if (!same) setState({ depthStrip: { modelId: m.id, tokens: m.tokens, depths: new Array<DepthResult | undefined>(scalesCovered(m.layout, m.tokens.length)).fill(undefined) } });
    void fill(m.id, m.tokens);
  };
  return usePlayground.subscribe(check);
}

async function fill(id: number, tokens: Int32Array): Promise<void> {
  filling = tokens;
  try {
    for (;;) {
      const s = getState();
      const m = findModel(id);
      const strip = s.depthStrip;
      // Stale (new tokens, another model shown) or the worker is busy with the main reconstruction: stop; the watcher resumes.
      if (!m?.layout || m.tokens !== tokens || activeModel(s)?.id !== id || strip?.tokens !== tokens || m.reconPhase !== 'done' || !m.recon) return;
      const k = strip.depths.findIndex((d) => d === undefined) + 1;
      if (k === 0) return;
      const crop = m.tokenSource !== 'pasted' ? m.encoded?.crop.image : undefined;
      // The reconstruction on screen is one of the depths already.
      const result =
        m.recon.scalesUsed === k
          ? m.recon.result
          : m.tokenSource === 'encoded'
            ? await engineFor(id).decode(k)
            : await engineFor(id).decodeIndices(tokens.slice(0, m.layout.tokenOffsets[k]));
      const now = getState().depthStrip;
      if (findModel(id)?.tokens !== tokens || now?.tokens !== tokens) return;
      const size = result.outputSize;
      const depth: DepthResult = {
        k,
        image: { width: size, height: size, data: result.imageU8 },
        ...(crop && crop.width === size ? { psnr: psnrU8(crop.data, result.imageU8) } : {}),
      };
      setState({ depthStrip: { ...now, depths: now.depths.map((d, i) => (i === k - 1 ? depth : d)) } });
    }
  } catch {
    // A failed depth decode leaves its place empty; the main reconstruction reports decoder errors.
    failed = tokens;
  } finally {
    if (filling === tokens) filling = undefined;
  }
}
