/**
 * What a shared link restores: the model(s), the example image, the scale shown, the selected
 * token, the reconstruction depth, the distance weights, the colouring and the backend. Scales
 * and tokens are written by scale side (scale=8, token=8,3,5 for row 3, column 5 of the 8×8
 * grid) so links read like the paper and survive a model with a different scale count.
 * A malformed value is dropped with a problem message rather than breaking the page.
 */
import type { DistanceWeights } from '../../core/quantizer/nearest-codes.ts';
import type { CodebookName } from './code-colours.ts';

export type BackendParam = 'auto' | 'webgpu' | 'wasm';

export interface UrlToken {
  /** Scale side s. */
  readonly scale: number;
  readonly row: number;
  readonly col: number;
}

export interface UrlState {
  /** Model package URLs; the first is the main model, a second is shown beside it. */
  readonly models: readonly string[];
  /** A bundled example image by id (e.g. "astronaut"). */
  readonly example?: string;
  /** Scale side shown in the token grid. */
  readonly scale?: number;
  readonly token?: UrlToken;
  /** Reconstruct from the first `upto` scales. */
  readonly upto?: number;
  readonly weights?: DistanceWeights;
  readonly colour?: CodebookName;
  readonly backend?: BackendParam;
}

/** At most this many models side by side. */
export const MAX_MODELS = 2;

export function parseUrlState(search: string): { state: UrlState; problems: string[] } {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  const positiveInt = (name: string): number | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const v = Number(raw);
    if (Number.isInteger(v) && v >= 1) return v;
    problems.push(`link parameter ${name}=${raw} is not a positive integer; ignored`);
    return undefined;
  };

  const models = params.getAll('model').filter((m) => m.trim() !== '');
  if (models.length > MAX_MODELS)
    problems.push(`the link names ${models.length} models; only the first ${MAX_MODELS} are loaded`);

  let token: UrlToken | undefined;
  const rawToken = params.get('token');
  if (rawToken !== null) {
    const parts = rawToken.split(',').map(Number);
    if (
      parts.length === 3 &&
      parts.every(Number.isInteger) &&
      parts[0] >= 1 &&
      parts[1] >= 0 &&
      parts[2] >= 0 &&
      parts[1] < parts[0] &&
      parts[2] < parts[0]
    ) {
      token = { scale: parts[0], row: parts[1], col: parts[2] };
    } else {
      problems.push(`link parameter token=${rawToken} must be "side,row,column" inside the grid (e.g. 8,3,5); ignored`);
    }
  }

  let weights: DistanceWeights | undefined;
  const rawW = params.get('w');
  if (rawW !== null) {
    const parts = rawW.split(':').map(Number);
    if (parts.length === 2 && parts.every((x) => Number.isFinite(x) && x >= 0) && parts[0] + parts[1] > 0) {
      weights = { semantic: parts[0], pixel: parts[1] };
    } else {
      problems.push(`link parameter w=${rawW} must be "semantic:pixel" weights (e.g. 1:1); ignored`);
    }
  }

  const colour = oneOf(params.get('colour'), ['semantic', 'pixel'] as const, 'colour', problems);
  const backend = oneOf(params.get('backend'), ['auto', 'webgpu', 'wasm'] as const, 'backend', problems);
  const example = params.get('example') ?? undefined;
  if (example !== undefined && !/^[a-z0-9-]+$/.test(example))
    problems.push(`link parameter example=${example} is not an example id; ignored`);

  const state: UrlState = {
    models: models.slice(0, MAX_MODELS),
    ...(example !== undefined && /^[a-z0-9-]+$/.test(example) ? { example } : {}),
    ...defined('scale', positiveInt('scale')),
    ...defined('token', token),
    ...defined('upto', positiveInt('upto')),
    ...defined('weights', weights),
    ...defined('colour', colour),
    ...defined('backend', backend),
  };
  return { state, problems };
}

/** The query string ('' or starting with '?') for a state; parameters in a fixed order. */
export function formatUrlState(state: UrlState): string {
  const params = new URLSearchParams();
  for (const m of state.models) params.append('model', m);
  if (state.example) params.set('example', state.example);
  if (state.scale !== undefined) params.set('scale', String(state.scale));
  if (state.token) params.set('token', `${state.token.scale},${state.token.row},${state.token.col}`);
  if (state.upto !== undefined) params.set('upto', String(state.upto));
  if (state.weights) params.set('w', `${formatNumber(state.weights.semantic)}:${formatNumber(state.weights.pixel)}`);
  if (state.colour) params.set('colour', state.colour);
  if (state.backend && state.backend !== 'auto') params.set('backend', state.backend);
  const s = params.toString().replace(/%2F/g, '/').replace(/%3A/g, ':').replace(/%2C/g, ',');
  return s ? `?${s}` : '';
}

function formatNumber(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function oneOf<T extends string>(
  raw: string | null,
  allowed: readonly T[],
  name: string,
  problems: string[],
): T | undefined {
  if (raw === null) return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`link parameter ${name}=${raw} must be one of ${allowed.join(', ')}; ignored`);
  return undefined;
}
