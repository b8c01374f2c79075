/**
 * The page's own helper worker, for work too heavy for the UI thread that is not model work
 * (that lives in the TokenFlow workers): decoding dropped images, reconstruction metrics
 * (SSIM on a 256² image is ~50 ms), and the codebook colour tables (PCA over K rows).
 * Requests are answered in order; results' large buffers are transferred, not copied.
 */
/// <reference lib="webworker" />
import { decodeImageFile } from '../image/decode-image.ts';
import { computeCodeColours } from '../logic/code-colours.ts';
import { reconstructionMetrics } from '../logic/reconstruction-metrics.ts';
import type { PageReply, PageRequest, PageResult } from './page-worker-client.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

async function handle(request: PageRequest): Promise<{ result: PageResult; transfer: Transferable[] }> {
  switch (request.kind) {
    case 'decode-image': {
      const decoded = await decodeImageFile(request.file, request.name, request.options);
      return {
        result: { kind: 'decode-image', decoded },
        transfer: [decoded.image.data.buffer as ArrayBuffer, decoded.preview],
      };
    }
    case 'metrics':
      return {
        result: { kind: 'metrics', metrics: reconstructionMetrics(request.crop, request.recon, request.size) },
        transfer: [],
      };
    case 'colours': {
      const colours = computeCodeColours(request.codebook, request.rows, request.dim);
      return { result: { kind: 'colours', colours }, transfer: [colours.rgb.buffer as ArrayBuffer] };
    }
  }
}

scope.onmessage = async (e: MessageEvent<{ id: number; request: PageRequest }>) => {
  const { id, request } = e.data;
  let reply: PageReply;
  let transfer: Transferable[] = [];
  try {
    const done = await handle(request);
    reply = { id, ok: true, result: done.result };
    transfer = done.transfer;
  } catch (err) {
    const error = err as Error;
    reply = { id, ok: false, name: error.name, message: error.message };
  }
  scope.postMessage(reply, transfer);
};
