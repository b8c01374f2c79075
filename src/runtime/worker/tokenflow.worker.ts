/**
 * The TokenFlow web worker: receives RequestMessages, runs them one at a time on the engine
 * (so a decode never interleaves with the encode it depends on), answers each with a
 * ResponseMessage of the same id and forwards the engine's events. Encodes and decodes the page
 * cancels are answered with an AbortError: at once when still queued, or when their running ORT
 * session stops at its next node (run-cancel.ts).
 */
/// <reference lib="webworker" />
import { ortAssetUrl } from '../ort-assets.ts';
import { TokenFlowEngine } from './engine.ts';
import { RequestCancelledError, RunCancellation } from './run-cancel.ts';
import { isCancelBoard } from './cancel-board.ts';
import { observeWasmMemory, wasmHeapBytes, wasmMemoryOf } from './wasm-memory.ts';
import { CANCELLABLE } from './messages.ts';
import type {
  DecodeResult,
  EngineEvent,
  PageToWorker,
  ResponseMessage,
  ResultOf,
  WorkerRequest,
  WorkerToPage,
} from './messages.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: WorkerToPage, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

// Before ORT creates its heap, so the model panel can say how big it grew and the page can be
// given the heap in which running sessions are told to stop.
observeWasmMemory();
const cancellation = new RunCancellation({
  memoryOf: wasmMemoryOf,
  shareHeap: (heap, memory) => post({ kind: 'heap', heap, memory }),
});
cancellation.install();

const engine = new TokenFlowEngine({
  heapBytes: wasmHeapBytes,
  wasmPaths: ortAssetUrl(scope.location.origin, import.meta.env.BASE_URL),
  emit: (event: EngineEvent) => post({ kind: 'event', event }),
});

async function handle(
  request: WorkerRequest,
): Promise<{ result: ResultOf[WorkerRequest['type']]; transfer: Transferable[] }> {
  switch (request.type) {
    case 'load-model':
      return { result: await engine.load(request), transfer: [] };
    case 'encode':
      // Not transferred: the engine keeps this result for later decodes.
      return { result: await engine.encode(request), transfer: [] };
    case 'decode':
      return decoded(await engine.decode(request.scalesUsed));
    case 'decode-indices':
      return decoded(await engine.decodeTokens(request.indices));
    case 'prepare':
      return { result: await engine.prepare(), transfer: [] };
    case 'release':
      return { result: { released: await engine.release() }, transfer: [] };
    case 'clear-cache':
      return { result: { deleted: await engine.clearCache() }, transfer: [] };
    case 'debug-lose-device':
      return { result: { destroyed: engine.loseDevice() }, transfer: [] };
    default: {
      const unknown: never = request;
      throw new Error(`unknown request type ${JSON.stringify((unknown as { type?: unknown }).type)}`);
    }
  }
}

/** Decode outputs are fresh arrays, except f̂ when it is the kept encode's: copy that one. */
function decoded(result: DecodeResult): { result: DecodeResult; transfer: Transferable[] } {
  const fHat = result.fHat.slice();
  return { result: { ...result, fHat }, transfer: [fHat.buffer, result.image.buffer, result.imageU8.buffer] };
}

let queue: Promise<void> = Promise.resolve();

scope.onmessage = (e: MessageEvent<PageToWorker>) => {
  const message = e.data;
  if (message?.kind === 'cancel-board' && isCancelBoard(message.board)) return cancellation.attach(message.board);
  if (message?.kind === 'cancel' && typeof message.id === 'number') return cancellation.tell(message.id);
  if (message?.kind !== 'request' || typeof message.id !== 'number') return;
  queue = queue.then(async () => {
    const { id, request } = message;
    const cancellable = CANCELLABLE.has(request?.type);
    let response: ResponseMessage;
    let transfer: Transferable[] = [];
    let started = false;
    const t0 = performance.now();
    try {
      if (cancellable && cancellation.cancelled(id)) throw new RequestCancelledError(request.type, false);
      cancellation.begin(id, cancellable);
      started = true;
      const done = await handle(request);
      response = { kind: 'response', id, ok: true, type: request.type, result: done.result };
      transfer = done.transfer;
    } catch (err) {
      // A session stopped on request fails with ORT's own words; say what happened instead.
      const e =
        cancellable && started && cancellation.cancelled(id) ? new RequestCancelledError(request.type, true) : err;
      const error = e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
      response = { kind: 'response', id, ok: false, type: request?.type, error };
    } finally {
      cancellation.end(id);
    }
    // For bench:released's worker timeline: when each request ran, and how it ended.
    const outcome = response.ok ? '' : response.error.name === 'AbortError' ? ' (cancelled)' : ' (failed)';
    performance.measure(`tokenflow ${request?.type} #${id}${outcome}`, { start: t0 });
    post(response, transfer);
  });
};
