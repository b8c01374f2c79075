/**
 * Stopping a model run that is already executing. onnxruntime-web runs a session synchronously in
 * the worker's thread, so while a 20–45 s decode runs the worker reads no message; the only way
 * in is memory both threads see. onnxruntime checks its run options' `terminate` flag before every
 * node and then fails the run ("Exiting due to terminate flag being set to true"), so the page
 * stops a run by writing 1 into that flag, which lives in ORT's shared wasm heap
 * (ort-glue-hook.ts finds it).
 *
 * The board is a small SharedArrayBuffer the page creates and the worker shares. The worker lists
 * the flags of runs in flight (request id, heap, byte index) and removes each before ORT frees its
 * run options; the page writes a flag only under the same lock, so it never writes into memory
 * ORT has freed and reused. The page also records cancelled request ids, so a run that starts
 * after the cancel (the next graph of the same request) is stopped at its first node.
 */

/** Runs in flight at once: one per graph of a request on the wasm build; a few for asyncify. */
const SLOTS = 8;
/** Cancelled request ids remembered (a ring: only recent requests can still be running). */
const RING = 32;

const LOCK = 0;
const RING_POS = 1;
const SLOT_BASE = 2;
const SLOT_WORDS = 3; // request id, heap number, byte index + 1 (0 = empty)
const RING_BASE = SLOT_BASE + SLOTS * SLOT_WORDS;
const WORDS = RING_BASE + RING;

export type CancelBoard = Int32Array<SharedArrayBuffer>;

/** A new board, or undefined where memory cannot be shared (no cross-origin isolation). */
export function createCancelBoard(): CancelBoard | undefined {
  if (typeof SharedArrayBuffer !== 'function' || globalThis.crossOriginIsolated === false) return undefined;
  const board = new Int32Array(new SharedArrayBuffer(WORDS * 4));
  // Request ids start at 1, so 0 marks an empty ring entry.
  return board;
}

/** True when `board` has this module's layout (a board crossed postMessage from the page). */
export function isCancelBoard(board: unknown): board is CancelBoard {
  return board instanceof Int32Array && board.buffer instanceof SharedArrayBuffer && board.length === WORDS;
}

/** Spins before giving up on the lock: far beyond a few stores, short of a noticeable freeze. */
const MAX_SPINS = 1 << 22;

/**
 * Runs `body` holding the lock, or returns `fallback` if it cannot be had (a worker ended while
 * holding it: the page must never hang on a dead worker's lock).
 */
function withLock<T>(board: CancelBoard, body: () => T, fallback: T): T {
  // Both sides hold the lock for a few loads and stores, so spinning costs nothing measurable,
  // and the page's thread may not Atomics.wait.
  let spins = 0;
  while (Atomics.compareExchange(board, LOCK, 0, 1) !== 0) {
    if (++spins > MAX_SPINS) return fallback;
  }
  try {
    return body();
  } finally {
    Atomics.store(board, LOCK, 0);
  }
}

function ringHas(board: CancelBoard, id: number): boolean {
  for (let i = 0; i < RING; i++) if (Atomics.load(board, RING_BASE + i) === id) return true;
  return false;
}

/** Where the flags live: heap number → the bytes of that wasm heap. */
export type HeapViews = (heap: number) => Uint8Array | undefined;

/**
 * Page side: marks request `id` cancelled and sets the terminate flag of each of its runs in
 * flight. Returns how many running runs were told to stop.
 */
export function cancelRequest(board: CancelBoard, id: number, heaps: HeapViews): number {
  return withLock(
    board,
    () => {
      const pos = Atomics.load(board, RING_POS);
      Atomics.store(board, RING_BASE + (pos % RING), id);
      Atomics.store(board, RING_POS, (pos + 1) % RING);
      let stopped = 0;
      for (let s = 0; s < SLOTS; s++) {
        const at = SLOT_BASE + s * SLOT_WORDS;
        if (Atomics.load(board, at + 2) === 0 || Atomics.load(board, at) !== id) continue;
        const heap = heaps(Atomics.load(board, at + 1));
        const index = Atomics.load(board, at + 2) - 1;
        if (heap && index < heap.length) {
          Atomics.store(heap, index, 1);
          stopped++;
        }
      }
      return stopped;
    },
    0,
  );
}

/** Either side: whether request `id` was cancelled (recently enough to be remembered). */
export function isCancelled(board: CancelBoard, id: number): boolean {
  return withLock(board, () => ringHas(board, id), false);
}

/**
 * Worker side, as ORT creates a run's options: lists its terminate flag (heap[index]) under
 * request `id`, and sets it at once when that request is already cancelled. Returns false when
 * every slot is taken (that run then cannot be stopped midway; the request still ends after it).
 */
export function registerRun(board: CancelBoard, id: number, heapNo: number, heap: Uint8Array, index: number): boolean {
  return withLock(
    board,
    () => {
      if (ringHas(board, id)) Atomics.store(heap, index, 1);
      for (let s = 0; s < SLOTS; s++) {
        const at = SLOT_BASE + s * SLOT_WORDS;
        if (Atomics.load(board, at + 2) !== 0) continue;
        Atomics.store(board, at, id);
        Atomics.store(board, at + 1, heapNo);
        Atomics.store(board, at + 2, index + 1);
        return true;
      }
      return false;
    },
    false,
  );
}

/** Worker side, before ORT frees a run's options: the flag's byte may be reused from now on. */
export function unregisterRun(board: CancelBoard, heapNo: number, index: number): void {
  withLock(
    board,
    () => {
      for (let s = 0; s < SLOTS; s++) {
        const at = SLOT_BASE + s * SLOT_WORDS;
        if (Atomics.load(board, at + 2) === index + 1 && Atomics.load(board, at + 1) === heapNo) {
          Atomics.store(board, at + 2, 0);
        }
      }
    },
    undefined,
  );
}
