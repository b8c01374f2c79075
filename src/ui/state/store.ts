/**
 * The one zustand store. Components read it with selectors; the files in ../actions/ change it
 * (one per user action). Setters here are plain state updates, nothing asynchronous.
 */
import { create } from 'zustand';
import { OFFICIAL_WEIGHTS } from '../../core/quantizer/nearest-codes.ts';
import type { ModelView, PlaygroundState } from './types.ts';

export const initialState: PlaygroundState = {
  imagePhase: 'idle',
  models: [],
  weights: OFFICIAL_WEIGHTS,
  colourBy: 'pixel',
  backend: 'auto',
  zoom: 1,
  notices: [],
  defaultModel: 'unknown',
  gridOverlay: false,
  gridOverImage: true,
  resultView: 'side-by-side',
  codePatches: new Map(),
};

export const usePlayground = create<PlaygroundState>()(() => initialState);

export const getState = (): PlaygroundState => usePlayground.getState();
export const setState = (patch: Partial<PlaygroundState>): void => usePlayground.setState(patch);

/** Updates one model slot by id; a slot removed meanwhile is left alone. */
export function updateModel(id: number, patch: Partial<ModelView> | ((m: ModelView) => Partial<ModelView>)): void {
  usePlayground.setState((s) => ({
    models: s.models.map((m) => (m.id === id ? { ...m, ...(typeof patch === 'function' ? patch(m) : patch) } : m)),
  }));
}

export function findModel(id: number | undefined): ModelView | undefined {
  return id === undefined ? undefined : getState().models.find((m) => m.id === id);
}

/** The model the token views show: the chosen one, else the first. */
export function activeModel(s: PlaygroundState): ModelView | undefined {
  return s.models.find((m) => m.id === s.activeModel) ?? s.models[0];
}

export function addNotice(message: string): void {
  usePlayground.setState((s) => (s.notices.includes(message) ? s : { notices: [...s.notices, message] }));
}
