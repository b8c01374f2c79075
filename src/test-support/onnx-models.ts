/**
 * Test-only helpers for the ONNX exporter: in-memory state dicts, a file sink, running a
 * written model in onnxruntime-node, and error measures.
 */
import * as ort from 'onnxruntime-node';
import type { StateDict, TensorEntry } from '../../export/checkpoint/state-dict.ts';

export function memoryStateDict(tensors: Record<string, { shape: readonly number[]; data: Float32Array }>): StateDict {
  const map = new Map<string, TensorEntry>();
  for (const [key, t] of Object.entries(tensors)) {
    map.set(key, { key, dtype: 'float32', shape: [...t.shape], readFloat32: async () => t.data.slice() });
  }
  return map;
}

/** Deterministic pseudo-random values in [-amp, amp) (xorshift32). */
export function randomFloats(n: number, seed: number, amp = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 2 ** 32) * 2 * amp - amp;
  }
  return out;
}

export type Feeds = Record<string, { data: Float32Array; shape: readonly number[] }>;
export type Outputs = Record<string, { data: Float32Array; shape: readonly number[] }>;

/** One onnxruntime-node session, kept open across runs (creating one costs more than running it). */
export interface OrtModel {
  run(feeds: Feeds): Promise<Outputs>;
  release(): Promise<void>;
}

export async function openModel(path: string): Promise<OrtModel> {
  const session = await ort.InferenceSession.create(path, { graphOptimizationLevel: 'all' });
  return {
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, [...t.shape]);
      const results = await session.run(ortFeeds);
      const out: Outputs = {};
      for (const [name, t] of Object.entries(results)) out[name] = { data: t.data as Float32Array, shape: t.dims };
      return out;
    },
    release: () => session.release(),
  };
}

export async function runModel(path: string, feeds: Feeds): Promise<Outputs> {
  const model = await openModel(path);
  try {
    return await model.run(feeds);
  } finally {
    await model.release();
  }
}

export { maxAbsDiff } from './compare.ts';
