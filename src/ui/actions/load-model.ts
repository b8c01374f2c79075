/**
 * User action: add a model package by URL (or the embedded default at start-up). The model
 * loads in a fresh worker with progress per file; then the page reads the codebooks for its
 * own views and encodes the current image, if there is one.
 */
import type { LoadProgress } from '../../runtime/model-loader.ts';
import { describeSource, type PackageSource } from '../../runtime/package-source.ts';
import { requestPersistentStorage } from '../../runtime/storage-persistence.ts';
import type { CodebookName } from '../logic/code-colours.ts';
import { explainLoadError } from '../logic/load-error.ts';
import { normaliseModelUrl } from '../logic/model-url.ts';
import { createTokenLayout } from '../logic/token-layout.ts';
import { MAX_MODELS } from '../logic/url-state.ts';
import { loadingModelView } from '../state/loading-model-view.ts';
import { findModel, getState, setState, updateModel, usePlayground } from '../state/store.ts';
import type { FileProgress, ModelView } from '../state/types.ts';
import { encodeModel, forgetEncodes } from './encode-image.ts';
import { startEngine, stopEngine } from './engines.ts';
import { readCodebooks } from './read-codebooks.ts';
import { forgetReconstructions } from './reconstruct.ts';
import { applyPendingSelection } from './url-sync.ts';
import { coloursInWorker } from '../workers/page-worker-client.ts';

let nextModelId = 1;

/** The per-file load events (everything but the final ready). */
type FileEvent = Exclude<LoadProgress, { status: 'ready' }>;

/**
 * Adds a model (at most MAX_MODELS side by side). Returns the slot id, or undefined when the
 * URL was refused (the reason is then the store's modelUrlError).
 */
export async function addModel(rawUrl: string): Promise<number | undefined> {
  let url: string;
  try {
    url = normaliseModelUrl(rawUrl, location.href);
  } catch (e) {
    setState({ modelUrlError: (e as Error).message });
    return undefined;
  }
  // A model that failed to load holds no place: trying its URL again replaces it, and it does not count toward the limit.
  for (const failed of getState().models.filter((m) => m.phase === 'error' && m.url === url)) removeModel(failed.id);
  const models = getState().models.filter((m) => m.phase !== 'error');
  if (models.some((m) => m.url === url)) {
    setState({ modelUrlError: `${rawUrl.trim()} is already loaded` });
    return undefined;
  }
  if (models.length >= MAX_MODELS) {
    setState({ modelUrlError: `at most ${MAX_MODELS} models are shown side by side; remove one first` });
    return undefined;
  }
  setState({ modelUrlError: undefined });
  return addSlot(url, undefined);
}

/**
 * Adds a model from a local source: a converted package or a picked folder. Returns the slot id,
 * or undefined when it is already shown or there is no room (the reason is modelUrlError).
 */
export async function addModelFromSource(source: PackageSource): Promise<number | undefined> {
  const key = describeSource(source);
  const { models } = getState();
  const same = models.find((m) => m.url === key);
  if (same) {
    setActiveModel(same.id);
    return same.id;
  }
  if (models.filter((m) => m.phase !== 'error').length >= MAX_MODELS) {
    setState({ modelUrlError: `at most ${MAX_MODELS} models are shown side by side; remove one first` });
    return undefined;
  }
  setState({ modelUrlError: undefined });
  return addSlot(key, source);
}

async function addSlot(url: string, source: PackageSource | undefined): Promise<number> {
  const id = nextModelId++;
  const slot = loadingModelView(id, url, source);
  usePlayground.setState((s) => ({ models: [...s.models, slot] }));
  // A local package was just asked for by the user (dropped, picked): show its tokens.
  if (source) setActiveModel(id);
  await loadInto(id, sourceOfSlot(slot));
  return id;
}

function sourceOfSlot(m: Pick<ModelView, 'url' | 'source'>): PackageSource {
  return m.source ?? { kind: 'url', baseUrl: m.url };
}

async function loadInto(id: number, source: PackageSource): Promise<void> {
  // Downloaded files go to OPFS; ask once that they are not evicted before the next visit.
  if (source.kind === 'url') void requestPersistentStorage();
  const client = startEngine(id);
  // Progress arrives per chunk; the store (and so the page) takes it at most once a frame.
  let queued: FileEvent[] = [];
  client.on('progress', ({ progress: p }) => {
    if (p.status === 'ready') return;
    if (queued.length === 0) {
      requestAnimationFrame(() => {
        const batch = queued;
        queued = [];
        updateModel(id, (m) => ({ files: batch.reduce((files, q) => withProgress(files, q.file, q), m.files) }));
      });
    }
    queued.push(p);
  });
  client.on('backend-chosen', ({ choice }) => updateModel(id, { choice }));
  client.on('backend-switched', ({ from, choice }) => updateModel(id, { choice, switchedFrom: from }));
  client.on('cache', ({ report }) => updateModel(id, { cache: report }));
  client.on('memory', ({ memory }) => updateModel(id, { memory }));

  try {
    const loaded = await client.loadSource(source, { backend: getState().backend });
    const m = loaded.manifest;
    updateModel(id, {
      phase: 'ready',
      manifest: m,
      layout: createTokenLayout(m.gridSize, m.scales),
      choice: loaded.choice,
      cache: loaded.cache,
      quantizer: loaded.quantizer,
      placement: loaded.placement,
      runtime: loaded.runtime,
      loadTimings: loaded.timings,
    });
  } catch (e) {
    if (findModel(id))
      updateModel(id, { phase: 'error', error: explainLoadError((e as Error).message, findModel(id)!.url) });
    stopEngine(id);
    return;
  }
  applyPendingSelection();
  // The decoder's session is created on the first decode; with no image coming, now.
  const { image, imagePhase } = getState();
  if (!image && imagePhase !== 'running') void client.prepare().catch(() => undefined);
  await Promise.all([encodeModel(id), loadCodebooksAndColours(id, source)]);
}

async function loadCodebooksAndColours(id: number, source: PackageSource): Promise<void> {
  try {
    const codebooks = await readCodebooks(source);
    if (!findModel(id)) return;
    updateModel(id, { codebooks });
    await ensureColours(id, getState().colourBy);
  } catch (e) {
    if (findModel(id))
      updateModel(id, {
        codebooksError: `the codebooks could not be read for the token colours and inspector: ${(e as Error).message}`,
      });
  }
}

/** Computes a model's colour table for one codebook (once per model and codebook). */
export async function ensureColours(id: number, which: CodebookName): Promise<void> {
  const m = findModel(id);
  if (!m?.codebooks || m.colours[which]) return;
  const cb = m.codebooks;
  // PCA over K rows runs in the page worker (a copy of the rows goes there).
  const colours = await coloursInWorker(
    which,
    which === 'semantic' ? cb.semantic : cb.pixel,
    which === 'semantic' ? cb.semanticDim : cb.pixelDim,
  );
  updateModel(id, (now) => ({ colours: { ...now.colours, [which]: colours } }));
}

/** User action: colour tokens by their semantic or pixel code. */
export async function setColourBy(which: CodebookName): Promise<void> {
  setState({ colourBy: which });
  await Promise.all(getState().models.map((m) => ensureColours(m.id, which)));
}

/** User action: remove a model (its worker is terminated). */
export function removeModel(id: number): void {
  stopEngine(id);
  forgetEncodes(id);
  forgetReconstructions(id);
  usePlayground.setState((s) => ({
    models: s.models.filter((m) => m.id !== id),
    activeModel: s.activeModel === id ? undefined : s.activeModel,
    selected: s.activeModel === id || s.models[0]?.id === id ? undefined : s.selected,
  }));
}

/** User action: show the token views of another loaded model. */
export function setActiveModel(id: number): void {
  setState({ activeModel: id, selected: undefined, chosenCode: undefined, scaleIndex: undefined });
}

function withProgress(files: readonly FileProgress[], file: string, p: FileEvent): FileProgress[] {
  const i = files.findIndex((f) => f.file === file);
  const prev: FileProgress = i >= 0 ? files[i] : { file, loaded: 0, total: 0, done: false };
  let next: FileProgress = prev;
  if (p.status === 'progress') next = { ...prev, loaded: p.loaded, total: p.total };
  if (p.status === 'done') next = { ...prev, done: true, from: p.from, loaded: Math.max(prev.loaded, prev.total) };
  if (i < 0) return [...files, next];
  const out = files.slice();
  out[i] = next;
  return out;
}

/** Loads a slot's package again in a fresh worker (e.g. on another backend), keeping its place. */
export async function reloadModel(id: number): Promise<void> {
  const m = findModel(id);
  if (!m) return;
  stopEngine(id);
  forgetReconstructions(id);
  updateModel(id, {
    phase: 'loading',
    error: undefined,
    files: [],
    choice: undefined,
    switchedFrom: undefined,
    encodePhase: 'idle',
    encoded: undefined,
    tokens: undefined,
    tokenSource: undefined,
    edits: new Map(),
    reconPhase: 'idle',
    recon: undefined,
  });
  await loadInto(id, sourceOfSlot(m));
}
