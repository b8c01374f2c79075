/**
 * A gradient worker (worker thread): holds its own tfjs wasm instance (single-threaded in Node),
 * reads the current weights from shared memory, computes the gradient of its share of the batch
 * and writes it back to its own shared slot. The coordinator (gradient-pool.ts) averages them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CropStore } from './batches.ts';
import { readFlat, flatLayout } from './flat-params.ts';
import { batchGradients } from './objective.ts';
import { createParams, layoutFor, trainableList } from './params.ts';
import { readCropIndex } from './prepare-data.ts';
import { MultiScaleQuantizer } from './quantizer.ts';
import { MobileNetTeacher } from './teacher.ts';
import { startBackend, tf } from './tf-backend.ts';
import { TINY_CONFIG, TINY_SEMANTIC_DECODER } from './tiny-config.ts';
import { TokenFlowNet } from './tokenflow-net.ts';
import type { WorkerInit, WorkerReply, WorkerStep } from './gradient-pool.ts';

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  await startBackend(1);
  const params = createParams(layoutFor(TINY_CONFIG, TINY_SEMANTIC_DECODER));
  const vars = trainableList(params);
  const layout = flatLayout(vars);
  const weights = new Float32Array(init.weights);
  const grads = new Float32Array(init.grads);
  const net = new TokenFlowNet(TINY_CONFIG, params);
  const teacher = await MobileNetTeacher.load();
  const quantizer = new MultiScaleQuantizer(TINY_CONFIG.gridSize, TINY_CONFIG.scales, TINY_CONFIG.semanticCodeDim);
  const store = new CropStore(readCropIndex().count);
  const port = parentPort;
  if (!port) throw new Error('grad-worker must run as a worker thread');
  port.on('message', (msg: WorkerStep) => {
    try {
      readFlat(vars, layout, weights);
      const x = store.batch(msg.views, TINY_CONFIG.inputSize);
      const out = batchGradients(net, params, vars, teacher, quantizer, x, msg.bypass);
      x.dispose();
      out.grads.forEach((g, i) => grads.set(g.dataSync() as Float32Array, layout.offsets[i]));
      tf.dispose(out.grads);
      const reply: WorkerReply = {
        ok: true,
        losses: out.losses,
        indices: out.indices,
        samples: out.samples.slice(0, 64 * 40),
      };
      port.postMessage(reply);
    } catch (e) {
      const reply: WorkerReply = { ok: false, error: (e as Error).stack ?? String(e) };
      port.postMessage(reply);
    }
  });
  port.postMessage({ ok: true, ready: true });
}

main().catch((e: unknown) => {
  parentPort?.postMessage({ ok: false, error: (e as Error).stack ?? String(e) });
});
