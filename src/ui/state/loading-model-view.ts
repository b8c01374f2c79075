import type { PackageSource } from '../../runtime/package-source.ts';
import type { ModelView } from './types.ts';

/**
 * A model slot as it starts: loading, with nothing downloaded, encoded, edited or reconstructed
 * yet. The page adds slots this way, and tests build their model views from it, so a field added
 * to ModelView gets its starting value in one place.
 */
export function loadingModelView(id: number, url: string, source?: PackageSource): ModelView {
  return {
    id,
    url,
    ...(source ? { source } : {}),
    phase: 'loading',
    files: [],
    colours: {},
    encodePhase: 'idle',
    edits: new Map(),
    tokenNotes: [],
    reconPhase: 'idle',
  };
}
