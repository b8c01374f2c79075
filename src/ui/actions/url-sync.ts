/**
 * The shareable part of the state in the query string (logic/url-state.ts): restored once at
 * start-up, then kept up to date with history.replaceState (no history entry per slider move).
 * The scale and token of a link can only be resolved once a model's scale list is known, so
 * they wait in `pending` until the first model is ready.
 */
import { displayModelUrl, DEFAULT_MODEL_PATH, normaliseModelUrl } from '../logic/model-url.ts';
import { flatIndex, positionOf } from '../logic/token-layout.ts';
import { formatUrlState, parseUrlState, type UrlState, type UrlToken } from '../logic/url-state.ts';
import { activeModel, addNotice, getState, setState, usePlayground } from '../state/store.ts';
import type { PlaygroundState } from '../state/types.ts';

let pending: { scale?: number; token?: UrlToken } = {};

/** Reads the link; sets what needs no model; returns the whole state for start-up to act on. */
export function restoreFromUrl(search: string): UrlState {
  const { state, problems } = parseUrlState(search);
  for (const p of problems) addNotice(p);
  setState({
    ...(state.weights ? { weights: state.weights } : {}),
    ...(state.colour ? { colourBy: state.colour } : {}),
    ...(state.backend ? { backend: state.backend } : {}),
    ...(state.upto !== undefined ? { reconScales: state.upto } : {}),
  });
  pending = { scale: state.scale, token: state.token };
  return state;
}

/** Resolves a link's scale and token against the active model, once it is ready. */
export function applyPendingSelection(): void {
  const layout = activeModel(getState())?.layout;
  if (!layout || (pending.scale === undefined && !pending.token)) return;
  const { scale, token } = pending;
  pending = {};
  if (scale !== undefined) {
    const i = layout.scales.indexOf(scale);
    if (i >= 0) setState({ scaleIndex: i });
    else
      addNotice(
        `the link's scale ${scale} is not one of this model's scales (${layout.scales.join(', ')}); showing the finest`,
      );
  }
  if (token) {
    const i = layout.scales.indexOf(token.scale);
    try {
      if (i < 0) throw new Error(`scale ${token.scale} is not one of this model's scales`);
      setState({
        selected: flatIndex(layout, { scaleIndex: i, row: token.row, col: token.col }),
        ...(scale === undefined ? { scaleIndex: i } : {}),
      });
    } catch (e) {
      addNotice(
        `the link's token ${token.scale},${token.row},${token.col} cannot be selected: ${(e as Error).message}`,
      );
    }
  }
}

/** What the link should say for the current state. */
export function urlStateOf(s: PlaygroundState, pageUrl: string): UrlState {
  const defaultUrl = normaliseModelUrl(`${import.meta.env.BASE_URL}${DEFAULT_MODEL_PATH}`, pageUrl);
  // Local packages (converted, picked folders) exist only in this browser: a link cannot carry them.
  // A model that failed to load is not shared either: the link would fail again on every reload.
  const urls = s.models.filter((m) => m.source === undefined && m.phase !== 'error').map((m) => m.url);
  const onlyDefault = urls.length === 1 && urls[0] === defaultUrl;
  const model = activeModel(s);
  const layout = model?.layout;
  const selected =
    layout && s.selected !== undefined && s.selected < layout.numTokens ? positionOf(layout, s.selected) : undefined;
  const weightsChanged = s.weights.semantic !== 1 || s.weights.pixel !== 1;
  return {
    models: onlyDefault ? [] : urls.map((u) => displayModelUrl(u, pageUrl)),
    ...(s.image?.example ? { example: s.image.example } : {}),
    ...(layout && s.scaleIndex !== undefined
      ? { scale: layout.scales[s.scaleIndex] }
      : pending.scale !== undefined
        ? { scale: pending.scale }
        : {}),
    ...(selected && layout
      ? { token: { scale: layout.scales[selected.scaleIndex], row: selected.row, col: selected.col } }
      : pending.token
        ? { token: pending.token }
        : {}),
    ...(s.reconScales !== undefined ? { upto: s.reconScales } : {}),
    ...(weightsChanged ? { weights: s.weights } : {}),
    ...(s.colourBy !== 'pixel' ? { colour: s.colourBy } : {}),
    ...(s.backend !== 'auto' ? { backend: s.backend } : {}),
  };
}

/** The parts of the state urlStateOf reads. */
const LINKED: readonly (keyof PlaygroundState)[] = [
  'models',
  'activeModel',
  'image',
  'scaleIndex',
  'selected',
  'reconScales',
  'weights',
  'colourBy',
  'backend',
];

/** Keeps location.search in step with the store; returns the unsubscribe function. */
export function startUrlSync(): () => void {
  const write = (s: PlaygroundState) => {
    const query = formatUrlState(urlStateOf(s, location.href));
    if (query !== location.search)
      history.replaceState(history.state, '', `${location.pathname}${query}${location.hash}`);
  };
  let written = pending;
  write(getState());
  // Most store changes (hover, progress, results) leave the link as it is; parsing URLs and
  // replacing history for each of them cost the page's thread time while a model runs.
  return usePlayground.subscribe((s, previous) => {
    if (written === pending && !LINKED.some((key) => s[key] !== previous[key])) return;
    written = pending;
    write(s);
  });
}
