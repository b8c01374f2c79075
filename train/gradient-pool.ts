/**
 * Data-parallel gradients on CPU cores: tfjs' wasm backend cannot use threads in Node, so we run
 * one single-threaded tfjs per worker thread. Weights go out through one shared buffer, each
 * worker's gradient comes back through its own, and the coordinator averages them.
 */
import { Worker } from 'node:worker_threads';
import type { Losses } from './objective.ts';
import type { CropView } from './batches.ts';

export interface WorkerInit {
  readonly weights: SharedArrayBuffer;
  readonly grads: SharedArrayBuffer;
}

export interface WorkerStep {
  readonly views: CropView[];
  /** Quantizer bypass warm-up for this step (see MultiScaleQuantizer.quantize). */
  readonly bypass: boolean;
}

export type WorkerReply =
  | {
      readonly ok: true;
      readonly ready?: true;
      readonly losses: Losses;
      readonly indices: Int32Array[];
      readonly samples: Float32Array;
    }
  | { readonly ok: false; readonly error: string };

export interface PooledResult {
  readonly losses: Losses;
  readonly indices: Int32Array[];
  readonly samples: Float32Array;
}

export class GradientPool {
  readonly weights: Float32Array;
  /** The averaged gradient after `run`. */
  readonly grad: Float32Array;
  private readonly slots: Float32Array[];
  private readonly workers: Worker[];

  private constructor(size: number, count: number) {
    const weightsBuf = new SharedArrayBuffer(4 * size);
    this.weights = new Float32Array(weightsBuf);
    this.grad = new Float32Array(size);
    this.slots = [];
    this.workers = [];
    for (let i = 0; i < count; i++) {
      const grads = new SharedArrayBuffer(4 * size);
      this.slots.push(new Float32Array(grads));
      const init: WorkerInit = { weights: weightsBuf, grads };
      // Workers need the TypeScript loader the main thread was started with (tsx).
      this.workers.push(new Worker(new URL('./grad-worker-entry.mjs', import.meta.url), { workerData: init }));
    }
  }

  static async start(size: number, count: number): Promise<GradientPool> {
    const pool = new GradientPool(size, count);
    await Promise.all(pool.workers.map((w) => pool.reply(w)));
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  private reply(w: Worker): Promise<WorkerReply & { ok: true }> {
    return new Promise((resolve, reject) => {
      const onMessage = (r: WorkerReply) => {
        w.off('error', onError);
        if (r.ok) resolve(r);
        else reject(new Error(`gradient worker failed: ${r.error}`));
      };
      const onError = (e: Error) => {
        w.off('message', onMessage);
        reject(e);
      };
      w.once('message', onMessage);
      w.once('error', onError);
    });
  }

  /** Splits the batch over the workers (weights must already be in `weights`) and averages their gradients into `grad`. */
  async run(step: WorkerStep): Promise<PooledResult> {
    const n = Math.min(this.workers.length, step.views.length);
    const parts = Array.from({ length: n }, (_, i) => {
      const lo = Math.floor((i * step.views.length) / n);
      const hi = Math.floor(((i + 1) * step.views.length) / n);
      return { ...step, views: step.views.slice(lo, hi) };
    });
    const replies = await Promise.all(
      parts.map((p, i) => {
        const r = this.reply(this.workers[i]);
        this.workers[i].postMessage(p);
        return r;
      }),
    );
    // Each worker's loss is a mean over its share; shares differ by at most one sample, so weight by size.
    const g = this.grad;
    g.fill(0);
    const losses: Losses = { total: 0, rec: 0, perceptual: 0, semantic: 0, vq: 0 };
    replies.forEach((r, i) => {
      const w = parts[i].views.length / step.views.length;
      const slot = this.slots[i];
      for (let k = 0; k < g.length; k++) g[k] += w * slot[k];
      for (const key of Object.keys(losses) as (keyof Losses)[]) losses[key] += w * r.losses[key];
    });
    return { losses, indices: replies.flatMap((r) => r.indices), samples: replies[0].samples };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
