/**
 * One flat Float32Array view of all trainable parameters (in layout order), so the coordinator
 * and its gradient workers exchange weights and gradients through shared memory, not messages.
 */
import { tf } from './tf-backend.ts';

export interface FlatLayout {
  readonly names: readonly string[];
  readonly shapes: readonly number[][];
  readonly offsets: readonly number[];
  readonly total: number;
}

export function flatLayout(vars: readonly tf.Variable[]): FlatLayout {
  const offsets: number[] = [];
  let total = 0;
  for (const v of vars) {
    offsets.push(total);
    total += v.size;
  }
  return { names: vars.map((v) => v.name), shapes: vars.map((v) => [...v.shape]), offsets, total };
}

export function writeFlat(vars: readonly tf.Variable[], layout: FlatLayout, into: Float32Array): void {
  vars.forEach((v, i) => into.set(v.dataSync() as Float32Array, layout.offsets[i]));
}

export function readFlat(vars: readonly tf.Variable[], layout: FlatLayout, from: Float32Array): void {
  vars.forEach((v, i) => {
    const t = tf.tensor(from.subarray(layout.offsets[i], layout.offsets[i] + v.size), v.shape);
    v.assign(t);
    t.dispose();
  });
}
