/**
 * The page's handle on the TokenFlow worker: one promise per request, event subscriptions, and
 * cancelling (an AbortSignal per encode or decode). The UI holds state and progress bars; the
 * model lives in the worker.
 */
import type { RgbImage } from '../../core/image/rgb-image.ts';
import type { PackageSource } from '../package-source.ts';
import { cancelRequest, createCancelBoard } from './cancel-board.ts';
import { CANCELLABLE } from './messages.ts';
import type {
  EncodeRequest,
  EngineEvent,
  EngineEventType,
  LoadModelRequest,
  PageToWorker,
  RequestOf,
  RequestType,
  ResultOf,
  WorkerRequest,
  WorkerToPage,
} from './messages.ts';

/** What the client needs of a Worker (a fake in tests). */
export interface WorkerPort {
  postMessage(message: PageToWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<WorkerToPage>) => void): void;
  addEventListener(type: 'error', listener: (e: ErrorEvent) => void): void;
  terminate(): void;
}

export class WorkerRequestError extends Error {
  constructor(
    readonly request: RequestType,
    name: string,
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** Whether a request failed because it was cancelled (an aborted signal, or cancelAll). */
export function isAbortError(e: unknown): boolean {
  return (e as { name?: unknown } | null)?.name === 'AbortError';
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; type: RequestType };

/** Options of the requests a newer one makes useless. */
export interface Cancellable {
  /** Aborting it stops the request: dropped when queued, its ORT session stopped when running. */
  readonly signal?: AbortSignal;
}

export class TokenFlowClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EngineEventType, Set<(event: EngineEvent) => void>>();
  /** Shared with the worker (cancel-board.ts); undefined without cross-origin isolation. */
  private readonly board = createCancelBoard();
  /** The worker's wasm heaps, where a running session's stop flag is set. */
  private readonly heaps = new Map<number, WebAssembly.Memory>();

  /** Starts the worker (bundled by Vite from this URL pattern in dev and in the build). */
  static start(): TokenFlowClient {
    const worker = new Worker(new URL('./tokenflow.worker.ts', import.meta.url), { type: 'module', name: 'tokenflow' });
    return new TokenFlowClient(worker as unknown as WorkerPort);
  }

  constructor(private readonly worker: WorkerPort) {
    worker.addEventListener('message', (e: MessageEvent<WorkerToPage>) => this.receive(e.data));
    worker.addEventListener('error', (e: ErrorEvent) => {
      // A worker that fails to start or throws at top level answers nothing: fail every waiter.
      const error = new Error(`the TokenFlow worker failed: ${e.message || 'script error (see the console)'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
    if (this.board) worker.postMessage({ kind: 'cancel-board', board: this.board });
  }

  request<T extends RequestType>(
    request: RequestOf<T>,
    transfer: Transferable[] = [],
    signal?: AbortSignal,
  ): Promise<ResultOf[T]> {
    if (signal?.aborted)
      return Promise.reject(
        new WorkerRequestError(
          request.type,
          'AbortError',
          `${request.type}: ${request.type} cancelled before it started`,
        ),
      );
    const id = this.nextId++;
    return new Promise<ResultOf[T]>((resolve, reject) => {
      const onAbort = () => this.cancel(id);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle =
        <V>(f: (v: V) => void) =>
        (v: V) => {
          signal?.removeEventListener('abort', onAbort);
          f(v);
        };
      this.pending.set(id, {
        resolve: settle(resolve as (value: unknown) => void),
        reject: settle(reject),
        type: request.type,
      });
      this.worker.postMessage({ kind: 'request', id, request: request as WorkerRequest }, transfer);
    });
  }

  /** Stops request `id`: the flag of its running session at once, and the worker is told for the rest. */
  private cancel(id: number): void {
    if (!this.pending.has(id)) return;
    if (this.board) {
      cancelRequest(this.board, id, (heap) => {
        const memory = this.heaps.get(heap);
        return memory && new Uint8Array(memory.buffer);
      });
    }
    this.worker.postMessage({ kind: 'cancel', id });
  }

  /**
   * Cancels every encode and decode sent so far and not yet answered: the user moved on (a new
   * photo, new weights), so all of this model's pending pictures are stale. Their promises reject
   * with an AbortError; later requests are not touched.
   */
  cancelAll(): void {
    for (const [id, p] of this.pending) if (CANCELLABLE.has(p.type)) this.cancel(id);
  }

  /** `baseUrl` may be relative to the page; it is resolved here, since the worker's own URL differs. */
  loadModel(
    baseUrl: string,
    options: Omit<LoadModelRequest, 'type' | 'baseUrl'> = {},
  ): Promise<ResultOf['load-model']> {
    const page = (globalThis as { location?: { href: string } }).location?.href;
    return this.request({ type: 'load-model', baseUrl: page ? new URL(baseUrl, page).href : baseUrl, ...options });
  }

  /** Loads from any PackageSource (a converted package in OPFS, picked files, or a URL). */
  loadSource(
    source: PackageSource,
    options: Omit<LoadModelRequest, 'type' | 'baseUrl' | 'source'> = {},
  ): Promise<ResultOf['load-model']> {
    if (source.kind === 'url') return this.loadModel(source.baseUrl, options);
    return this.request({ type: 'load-model', source, ...options });
  }

  encode(
    image: RgbImage,
    { signal, ...options }: Omit<EncodeRequest, 'type' | 'image'> & Cancellable = {},
  ): Promise<ResultOf['encode']> {
    return this.request({ type: 'encode', image, ...options }, [], signal);
  }

  decode(scalesUsed?: number, { signal }: Cancellable = {}): Promise<ResultOf['decode']> {
    return this.request({ type: 'decode', scalesUsed }, [], signal);
  }

  decodeIndices(indices: Int32Array, { signal }: Cancellable = {}): Promise<ResultOf['decode-indices']> {
    return this.request({ type: 'decode-indices', indices }, [], signal);
  }

  /** Creates the decoder's session now instead of on the first decode. */
  prepare(): Promise<ResultOf['prepare']> {
    return this.request({ type: 'prepare' });
  }

  release(): Promise<ResultOf['release']> {
    return this.request({ type: 'release' });
  }

  clearCache(): Promise<ResultOf['clear-cache']> {
    return this.request({ type: 'clear-cache' });
  }

  /** Test hook: destroys the worker's GPU device to exercise the switch to wasm. */
  debugLoseDevice(): Promise<ResultOf['debug-lose-device']> {
    return this.request({ type: 'debug-lose-device' });
  }

  /** Subscribes to one kind of event; returns the unsubscribe function. */
  on<T extends EngineEventType>(type: T, handler: (event: Extract<EngineEvent, { type: T }>) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const h = handler as (event: EngineEvent) => void;
    set.add(h);
    return () => set.delete(h);
  }

  terminate(): void {
    this.worker.terminate();
    const error = new Error('the TokenFlow worker was terminated');
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private receive(message: WorkerToPage): void {
    if (message.kind === 'heap') {
      this.heaps.set(message.heap, message.memory);
      return;
    }
    if (message.kind === 'event') {
      for (const h of this.listeners.get(message.event.type) ?? []) h(message.event);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else
      pending.reject(
        new WorkerRequestError(pending.type, message.error.name, `${pending.type}: ${message.error.message}`),
      );
  }
}
