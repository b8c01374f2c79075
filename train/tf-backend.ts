/**
 * Starts TensorFlow.js on its WebAssembly backend (XNNPACK, SIMD, threads when the runtime allows)
 * for training in Node. tfjs-node cannot be installed here; the wasm backend runs convolutions
 * fast but lacks some gradient kernels, which nn-ops.ts supplies as custom gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

let started: Promise<void> | null = null;

export function startBackend(threads = availableParallelism()): Promise<void> {
  started ??= (async () => {
    const require = createRequire(import.meta.url);
    const dist = join(require.resolve('@tensorflow/tfjs-backend-wasm'), '..') + '/';
    setWasmPaths(dist);
    setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend failed to start');
    await tf.ready();
  })();
  return started;
}

export { tf };
