import { describe, expect, it } from 'vitest';
import {
  cancelRequest,
  createCancelBoard,
  isCancelBoard,
  isCancelled,
  registerRun,
  unregisterRun,
} from './cancel-board.ts';

function setup() {
  const board = createCancelBoard();
  if (!board) throw new Error('SharedArrayBuffer is available in Node');
  const heap = new Uint8Array(new SharedArrayBuffer(1024));
  return { board, heap, heaps: (n: number) => (n === 1 ? heap : undefined) };
}

describe('the cancel board', () => {
  it('is recognised after crossing postMessage, and nothing else is', () => {
    const { board } = setup();
    expect(isCancelBoard(structuredClone(board))).toBe(true);
    expect(isCancelBoard(new Int32Array(board.length))).toBe(false);
    expect(isCancelBoard({})).toBe(false);
  });

  it('stops a running run of the cancelled request only', () => {
    const { board, heap, heaps } = setup();
    expect(registerRun(board, 7, 1, heap, 10)).toBe(true);
    expect(registerRun(board, 8, 1, heap, 20)).toBe(true);
    expect(cancelRequest(board, 7, heaps)).toBe(1);
    expect([heap[10], heap[20]]).toEqual([1, 0]);
    expect(isCancelled(board, 7)).toBe(true);
    expect(isCancelled(board, 8)).toBe(false);
  });

  it('stops a run that starts after its request was cancelled, at once', () => {
    const { board, heap, heaps } = setup();
    expect(cancelRequest(board, 3, heaps)).toBe(0);
    registerRun(board, 3, 1, heap, 40);
    expect(heap[40]).toBe(1);
  });

  it('never writes a flag whose run options were freed', () => {
    const { board, heap, heaps } = setup();
    registerRun(board, 5, 1, heap, 30);
    unregisterRun(board, 1, 30);
    heap[30] = 0x55; // the freed bytes, reused by ORT for something else
    expect(cancelRequest(board, 5, heaps)).toBe(0);
    expect(heap[30]).toBe(0x55);
  });

  it('skips a heap the page has not been given, and says when every slot is taken', () => {
    const { board, heap } = setup();
    registerRun(board, 1, 2, heap, 50);
    expect(cancelRequest(board, 1, () => undefined)).toBe(0);
    expect(heap[50]).toBe(0);
    let registered = 1;
    while (registerRun(board, 100 + registered, 1, heap, 100 + registered)) registered++;
    expect(registered).toBe(8);
  });

  it('remembers the last 32 cancelled ids', () => {
    const { board, heaps } = setup();
    for (let id = 1; id <= 33; id++) cancelRequest(board, id, heaps);
    expect(isCancelled(board, 1)).toBe(false);
    expect(isCancelled(board, 2)).toBe(true);
    expect(isCancelled(board, 33)).toBe(true);
  });

  it('gives up on a lock that is never released (a worker ended inside it) instead of hanging the page', () => {
    const { board, heap, heaps } = setup();
    registerRun(board, 9, 1, heap, 60);
    Atomics.store(board, 0, 1); // the lock word, held by a thread that is gone
    expect(cancelRequest(board, 9, heaps)).toBe(0);
    expect(heap[60]).toBe(0);
    expect(isCancelled(board, 9)).toBe(false);
  });
});
