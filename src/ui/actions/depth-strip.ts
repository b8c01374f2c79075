/**
 * The strip of every depth 1…n under the results: the active model's tokens decoded from the
 * first k scales, for each k, with PSNR against the crop. It fills itself in the model's worker
 * one decode at a time once the main reconstruction is done, and yields whenever that worker has
 * other work (a new reconstruction, new tokens), resuming where it stopped: its decode under way
 * is cancelled then, so a slider move or a new photo never waits behind it. Each depth costs a
 * full decode, so the strip fills by itself only for a small decoder (the embedded model);
 * otherwise it waits for a click (decodeEveryDepth).
 */
import { psnrU8 } from '../../core/metrics/psnr.ts';
import { scalesCovered } from '../logic/token-layout.ts';
import { activeModel, findModel, getState, setState, usePlayground } from '../state/store.ts';
import type { DepthResult, PlaygroundState } from '../state/types.ts';
import { isAbortError } from '../../runtime/worker/worker-client.ts';
import { engineFor } from './engines.ts';

/**
 * Decodes run unasked only for models whose output is at most this side: the decoder's cost grows
 * with the output area, and at 128 px (the embedded model) one decode is a fraction of a second,
 * so a user action waits little behind one. A size rule rather than a timing keeps the page the
 * same on a busy and an idle machine.
 */
export const UNASKED_MAX_OUTPUT = 128;

let filling: Int32Array | undefined;
/** The model being filled and how to stop its decode under way. */
let fillingModel: { readonly id: number; readonly controller: AbortController } | undefined;
/** Tokens the visitor asked to decode at every depth (slow decoders). */
let asked: Int32Array | undefined;

/** True when the model decodes quickly enough for pictures to be decoded without asking. */
export function decodesUnasked(outputSize: number | undefined): boolean {
  return outputSize !== undefined && outputSize <= UNASKED_MAX_OUTPUT;
}

/** User action: decode every depth of the active model's tokens (for a slow decoder, where the strip does not fill by itself). */
export function decodeEveryDepth(): void {
  const m = activeModel(getState());
  if (!m?.tokens) return;
  asked = m.tokens;
  check(getState());
}
/** Tokens whose strip hit a decoder error: not retried on every store change. */
let failed: Int32Array | undefined;

/** Starts watching the store; returns the unsubscribe function. */
export function startDepthStrip(): () => void {
  return usePlayground.subscribe(check);
}

function check(s: PlaygroundState): void {
  const m = activeModel(s);
  // The worker has other work, or the strip's tokens are stale: stop its decode under way.
  if (filling && fillingModel && (m?.id !== fillingModel.id || m.tokens !== filling || m.reconPhase !== 'done'))
    fillingModel.controller.abort();
  if (!m?.tokens || !m.layout || m.reconPhase !== 'done' || !m.recon || filling === m.tokens || failed === m.tokens)
    return;
  const strip = s.depthStrip;
  const same = strip?.modelId === m.id && strip.tokens === m.tokens;
  if (same && strip.depths.every(Boolean)) return;
  if (!same)
    setState({
      depthStrip: {
        modelId: m.id,
        tokens: m.tokens,
        depths: new Array<DepthResult | undefined>(scalesCovered(m.layout, m.tokens.length)).fill(undefined),
      },
    });
  if (asked === m.tokens || decodesUnasked(m.manifest?.outputSize)) void fill(m.id, m.tokens);
}

async function fill(id: number, tokens: Int32Array): Promise<void> {
  filling = tokens;
  const controller = new AbortController();
  fillingModel = { id, controller };
  const { signal } = controller;
  try {
    for (;;) {
      const s = getState();
      const m = findModel(id);
      const strip = s.depthStrip;
      // Stale (new tokens, another model shown) or the worker is busy with the main reconstruction: stop; the watcher resumes.
      if (
        !m?.layout ||
        m.tokens !== tokens ||
        activeModel(s)?.id !== id ||
        strip?.tokens !== tokens ||
        m.reconPhase !== 'done' ||
        !m.recon
      )
        return;
      const k = strip.depths.findIndex((d) => d === undefined) + 1;
      if (k === 0) return;
      const crop = m.tokenSource !== 'pasted' ? m.encoded?.crop.image : undefined;
      // The reconstruction on screen is one of the depths already.
      const result =
        m.recon.scalesUsed === k
          ? m.recon.result
          : m.tokenSource === 'encoded'
            ? await engineFor(id).decode(k, { signal })
            : await engineFor(id).decodeIndices(tokens.slice(0, m.layout.tokenOffsets[k]), { signal });
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
  } catch (e) {
    // Cancelled: the watcher resumes. A failed depth decode leaves its place empty; the main
    // reconstruction reports decoder errors.
    if (!isAbortError(e)) failed = tokens;
  } finally {
    if (filling === tokens) filling = undefined;
    if (fillingModel?.controller === controller) fillingModel = undefined;
  }
}
