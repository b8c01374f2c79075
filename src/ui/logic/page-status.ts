/**
 * The one status line near the top of the page: what the page is doing right now, in the order
 * a visit goes (model download → image → tokenizing → decoding → done), for the model the token
 * views show. Pure: it reads the store's plain data.
 */
import type { ModelView, PlaygroundState } from '../state/types.ts';
import { count } from './plural.ts';

export type StatusStep =
  'starting' | 'no-model' | 'downloading' | 'image' | 'waiting-image' | 'tokenizing' | 'decoding' | 'done' | 'error';

export interface PageStatus {
  readonly step: StatusStep;
  readonly text: string;
  /** True while something is running (the line shows a spinner and is announced politely). */
  readonly busy: boolean;
}

const mb = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MB`;

function modelName(m: ModelView): string {
  return m.manifest?.name ?? m.url;
}

export function pageStatus(
  s: Pick<PlaygroundState, 'models' | 'activeModel' | 'imagePhase' | 'imageError' | 'image' | 'defaultModel'>,
): PageStatus {
  // The model the token views show: the chosen one, else the first (as the store's activeModel).
  const m = s.models.find((x) => x.id === s.activeModel) ?? s.models[0];
  if (!m) {
    if (s.defaultModel === 'unknown') return { step: 'starting', text: 'Looking for the embedded model…', busy: true };
    return { step: 'no-model', text: 'No model loaded: add a model package below (Models).', busy: false };
  }
  if (m.phase === 'error')
    return { step: 'error', text: `${modelName(m)} could not be loaded: ${m.error ?? 'unknown error'}`, busy: false };
  if (m.phase === 'loading') {
    const done = m.files.filter((f) => f.done).length;
    const loaded = m.files.reduce((a, f) => a + f.loaded, 0);
    const total = m.files.reduce((a, f) => a + Math.max(f.total, f.loaded), 0);
    const files =
      m.files.length > 0
        ? `: ${done} of ${count(m.files.length, 'file')}, ${mb(loaded)}${total > 0 ? ` of ${mb(total)}` : ''}`
        : '';
    return { step: 'downloading', text: `Loading ${modelName(m)}${files}…`, busy: true };
  }
  if (s.imagePhase === 'running') return { step: 'image', text: 'Reading the image…', busy: true };
  if (s.imagePhase === 'error')
    return { step: 'error', text: `The image could not be opened: ${s.imageError ?? 'unknown error'}`, busy: false };
  if (m.encodePhase === 'error')
    return { step: 'error', text: `Tokenizing failed: ${m.encodeError ?? 'unknown error'}`, busy: false };
  if (m.encodePhase === 'running')
    return { step: 'tokenizing', text: `Tokenizing ${s.image?.name ?? 'the image'} with ${modelName(m)}…`, busy: true };
  if (!m.tokens) {
    return s.image
      ? { step: 'tokenizing', text: `Tokenizing ${s.image.name} with ${modelName(m)}…`, busy: true }
      : {
          step: 'waiting-image',
          text: `${modelName(m)} is ready: drop, paste or choose an image, or pick an example.`,
          busy: false,
        };
  }
  if (m.reconPhase === 'error')
    return { step: 'error', text: `Decoding failed: ${m.reconError ?? 'unknown error'}`, busy: false };
  const tokens = count(m.tokens.length, 'token');
  if (m.reconPhase === 'running' || !m.recon)
    return { step: 'decoding', text: `${tokens} ready; decoding the reconstruction…`, busy: true };
  const r = m.recon;
  const psnr = r.metrics ? `, PSNR ${r.metrics.psnr === Infinity ? '∞' : r.metrics.psnr.toFixed(2)} dB` : '';
  const enc = m.encoded?.timings.totalMs;
  const tokenized = enc !== undefined && r.from === 'encoded' ? `tokenized in ${Math.round(enc)} ms, ` : '';
  const time = ` (${tokenized}decoded in ${Math.round(r.result.timings.totalMs)} ms)`;
  const what = r.from === 'pasted' ? 'pasted tokens' : (s.image?.name ?? 'the image');
  return {
    step: 'done',
    text: `Done: ${what} → ${tokens} → reconstruction from ${count(r.scalesUsed, 'scale')}${psnr}${time}.`,
    busy: false,
  };
}
