/**
 * The worker's half of cancelling requests (the page's is in worker-client.ts): which request's
 * ORT runs may be stopped now, the flags of those runs on the shared board, and the ids the page
 * said to drop. A request cancelled before it started is answered at once; one cancelled while an
 * ORT run executes has that run stopped at its next node (cancel-board.ts, ort-glue-hook.ts).
 */
import { hookRunOptions, setOrtModuleHook, type OrtWasmModule } from '../ort-glue-hook.ts';
import { isCancelled, registerRun, unregisterRun, type CancelBoard } from './cancel-board.ts';

export interface RunCancelHost {
  /** The WebAssembly.Memory behind a heap buffer (wasm-memory.ts), to share with the page. */
  memoryOf(buffer: ArrayBufferLike): WebAssembly.Memory | undefined;
  /** Sends the page a heap in which it may set flags, under a number the board uses. */
  shareHeap(heap: number, memory: WebAssembly.Memory): void;
}

/** The answer to a cancelled request: an AbortError, as fetch and DOM APIs give. */
export class RequestCancelledError extends Error {
  /** `started`: its ORT session was stopped midway, else it was dropped from the queue. */
  constructor(what: string, started: boolean) {
    super(`${what} cancelled ${started ? 'while running' : 'before it started'}`);
    this.name = 'AbortError';
  }
}

export class RunCancellation {
  private board?: CancelBoard;
  private current?: number;
  /** Cancelled ids told by message (also where no board can be shared). */
  private readonly told = new Set<number>();
  private heaps = 0;

  constructor(private readonly host: RunCancelHost) {}

  /** Call before ORT loads: every ORT module of this worker passes through adopt. */
  install(): void {
    setOrtModuleHook((module) => this.adopt(module));
  }

  attach(board: CancelBoard): void {
    this.board = board;
  }

  /** The page cancelled request `id` (a message, read between requests and between runs). */
  tell(id: number): void {
    this.told.add(id);
  }

  cancelled(id: number): boolean {
    return this.told.has(id) || (this.board !== undefined && isCancelled(this.board, id));
  }

  /** Request `id` starts; its ORT runs may be stopped when `cancellable`. */
  begin(id: number, cancellable: boolean): void {
    this.current = cancellable ? id : undefined;
  }

  end(id: number): void {
    this.told.delete(id);
    this.current = undefined;
  }

  private adopt(module: OrtWasmModule): void {
    const memory = this.host.memoryOf(module.HEAPU8.buffer);
    if (!memory || !(memory.buffer instanceof SharedArrayBuffer)) return;
    const heap = ++this.heaps;
    const offset = hookRunOptions(module, {
      created: (index) => {
        const id = this.current;
        if (id === undefined) return;
        if (this.board) registerRun(this.board, id, heap, module.HEAPU8, index);
        // A cancel message already read (the page may have no board): stop this run at its first node.
        if (this.told.has(id)) Atomics.store(module.HEAPU8, index, 1);
      },
      released: (index) => {
        if (this.board) unregisterRun(this.board, heap, index);
      },
    });
    if (offset !== undefined) this.host.shareHeap(heap, memory);
  }
}
