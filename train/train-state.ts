/**
 * Resumable training state on disk: every parameter, the Adam moments, the step and the clock,
 * in one file (JSON header line + raw float32), written to a temporary name and renamed so an
 * interrupted save never corrupts the last good checkpoint.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Params } from './params.ts';
import { tf } from './tf-backend.ts';

export interface RunInfo {
  step: number;
  /** Seconds of training so far, summed over all sessions. */
  trainSeconds: number;
  /** Held-out PSNR history: [step, dB]. */
  valHistory: [number, number][];
  restarts: number;
}

interface Header {
  readonly info: RunInfo;
  readonly tensors: { readonly name: string; readonly shape: number[]; readonly kind: 'param' | 'optimizer' }[];
}

export async function saveState(path: string, params: Params, optimizer: tf.Optimizer, info: RunInfo): Promise<void> {
  const named: { name: string; tensor: tf.Tensor; kind: 'param' | 'optimizer' }[] = [];
  for (const [name, v] of params) named.push({ name, tensor: v, kind: 'param' });
  for (const w of await optimizer.getWeights()) named.push({ name: w.name, tensor: w.tensor, kind: 'optimizer' });
  const header: Header = { info, tensors: named.map((n) => ({ name: n.name, shape: n.tensor.shape, kind: n.kind })) };
  const parts: Buffer[] = [Buffer.from(JSON.stringify(header) + '\n')];
  for (const n of named) {
    const d = (await n.tensor.data()) as Float32Array;
    parts.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  }
  writeFileSync(`${path}.tmp`, Buffer.concat(parts));
  renameSync(`${path}.tmp`, path);
}

/** Restores parameters and optimizer moments in place; returns null when there is no saved state. */
export async function loadState(path: string, params: Params, optimizer: tf.Optimizer | null): Promise<RunInfo | null> {
  if (!existsSync(path)) return null;
  const buf = readFileSync(path);
  const nl = buf.indexOf(10);
  const header = JSON.parse(buf.subarray(0, nl).toString('utf8')) as Header;
  let off = nl + 1;
  const optWeights: Awaited<ReturnType<tf.Optimizer['getWeights']>> = [];
  for (const t of header.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + 4 * n));
    off += 4 * n;
    if (t.kind === 'param') {
      const v = params.get(t.name);
      if (!v)
        throw new Error(
          `${path}: saved parameter '${t.name}' is not in the model; delete the run folder to start afresh`,
        );
      if (v.shape.join() !== t.shape.join())
        throw new Error(`${path}: '${t.name}' was saved as [${t.shape}] but the model has [${v.shape}]`);
      v.assign(tf.tensor(data, t.shape));
    } else optWeights.push({ name: t.name, tensor: tf.tensor(data, t.shape) });
  }
  if (optimizer && optWeights.length) await optimizer.setWeights(optWeights);
  return header.info;
}
