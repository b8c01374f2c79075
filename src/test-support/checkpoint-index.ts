/**
 * A StateDict made only of the shapes in a fixture's checkpoint_index.json: lets the config
 * detection and layout be tested without reading tensor bytes.
 */
import { readFileSync } from 'node:fs';
import { fixturePath, type FixtureName } from './fixtures.ts';
import type { StateDict, StorageDType, TensorEntry } from '../../export/checkpoint/state-dict.ts';

export interface IndexEntry {
  key: string;
  dtype: StorageDType;
  shape: number[];
  numel: number;
  sha256: string;
}

export function loadCheckpointIndex(name: FixtureName): IndexEntry[] {
  const raw = JSON.parse(readFileSync(fixturePath(name, 'checkpoint_index.json'), 'utf8')) as { tensors: IndexEntry[] };
  return raw.tensors;
}

export function shapeOnlyStateDict(
  entries: readonly { key: string; shape: readonly number[]; dtype?: StorageDType }[],
): StateDict {
  const map = new Map<string, TensorEntry>();
  for (const e of entries) {
    map.set(e.key, {
      key: e.key,
      dtype: e.dtype ?? 'float32',
      shape: e.shape,
      readFloat32: () => Promise.reject(new Error(`shape-only state dict: ${e.key} has no data`)),
    });
  }
  return map;
}
