/**
 * The reconstruction after the first k scales (progressive decode), in the model's worker, and
 * its metrics against the crop the model saw. Unedited encoded tokens decode the encode's own
 * f̂ (bit-for-bit the reference pipeline's reconstruction at k = all); edited or pasted tokens
 * go through decode-indices. One decode runs per model at a time; slider moves in between
 * collapse into the newest (latest-only.ts), and a running decode of other tokens or another depth
 * is cancelled, so the page does not wait 20–45 s (a released model on wasm) for a stale image.
 */
import { latestOnly } from '../logic/latest-only.ts';
import { scalesCovered } from '../logic/token-layout.ts';
import { findModel, getState, setState, updateModel } from '../state/store.ts';
import type { ModelView } from '../state/types.ts';
import { metricsInWorker } from '../workers/page-worker-client.ts';
import { isAbortError } from '../../runtime/worker/worker-client.ts';
import { engineFor } from './engines.ts';

const runners = new Map<number, (id: number) => Promise<void>>();

/** The decode running for each model: what it decodes, and how to stop it. */
interface Running {
  readonly tokens: Int32Array;
  readonly k: number;
  readonly controller: AbortController;
}
const running = new Map<number, Running>();

/** How many scales model `m` decodes for the slider value `k` (clamped to what it has). */
export function scalesFor(m: ModelView, k: number | undefined): number {
  if (!m.layout || !m.tokens) return 0;
  const covered = scalesCovered(m.layout, m.tokens.length);
  return Math.max(1, Math.min(k ?? covered, covered));
}

async function run(id: number): Promise<void> {
  const m = findModel(id);
  if (!m || !m.tokens || !m.layout || !m.tokenSource) return;
  const k = scalesFor(m, getState().reconScales);
  const from = m.tokenSource;
  const tokens = m.tokens;
  const controller = new AbortController();
  const mine: Running = { tokens, k, controller };
  running.set(id, mine);
  updateModel(id, { reconPhase: 'running', reconError: undefined });
  try {
    const client = engineFor(id);
    const { signal } = controller;
    const result =
      from === 'encoded'
        ? await client.decode(k, { signal })
        : await client.decodeIndices(tokens.slice(0, m.layout.tokenOffsets[k]), { signal });
    const now = findModel(id);
    // Tokens replaced while decoding: the run queued after this one decodes the new ones.
    if (!now || now.tokens !== tokens) return;
    const crop = from === 'pasted' ? undefined : now.encoded?.crop.image;
    // SSIM takes tens of milliseconds: the page worker computes it, the UI thread stays free.
    const metrics =
      crop && crop.width === result.outputSize
        ? await metricsInWorker(crop.data, result.imageU8, result.outputSize)
        : undefined;
    if (findModel(id)?.tokens !== tokens) return;
    updateModel(id, { reconPhase: 'done', recon: { scalesUsed: k, result, metrics, from } });
  } catch (e) {
    // Cancelled because newer tokens or another depth were asked for: that run follows.
    if (!isAbortError(e)) updateModel(id, { reconPhase: 'error', reconError: (e as Error).message });
  } finally {
    if (running.get(id) === mine) running.delete(id);
  }
}

export function reconstruct(id: number): Promise<void> {
  const now = running.get(id);
  const m = findModel(id);
  if (now && m && (m.tokens !== now.tokens || scalesFor(m, getState().reconScales) !== now.k)) now.controller.abort();
  let runner = runners.get(id);
  if (!runner) runners.set(id, (runner = latestOnly(run)));
  return runner(id);
}

export async function reconstructAll(): Promise<void> {
  await Promise.all(getState().models.map((m) => reconstruct(m.id)));
}

/** User action: the scale slider (k = 1…n; undefined = all scales). */
export function setReconScales(k: number | undefined): Promise<void> {
  setState({ reconScales: k });
  return reconstructAll();
}

export function forgetReconstructions(id: number): void {
  running.delete(id);
  runners.delete(id);
}
