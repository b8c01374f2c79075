import { describe, expect, it } from 'vitest';
import { registerRun, unregisterRun, type CancelBoard } from './cancel-board.ts';
import type { EngineEvent, PageToWorker, RequestMessage, WorkerToPage } from './messages.ts';
import { isAbortError, TokenFlowClient, WorkerRequestError, type WorkerPort } from './worker-client.ts';

/** A worker stand-in: records what the page sends; the test answers. */
class FakePort implements WorkerPort {
  readonly all: PageToWorker[] = [];
  terminated = false;
  private readonly listeners: {
    message: ((e: MessageEvent<WorkerToPage>) => void)[];
    error: ((e: ErrorEvent) => void)[];
  } = { message: [], error: [] };
  postMessage(message: PageToWorker): void {
    this.all.push(message);
  }
  get sent(): RequestMessage[] {
    return this.all.filter((m): m is RequestMessage => m.kind === 'request');
  }
  get board(): CancelBoard {
    const m = this.all.find((m) => m.kind === 'cancel-board');
    if (!m) throw new Error('the client shared no cancel board');
    return m.board;
  }
  get cancels(): number[] {
    return this.all.flatMap((m) => (m.kind === 'cancel' ? [m.id] : []));
  }
  addEventListener(type: 'message' | 'error', listener: never): void {
    (this.listeners[type] as unknown[]).push(listener);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(message: WorkerToPage): void {
    for (const l of this.listeners.message) l({ data: message } as MessageEvent<WorkerToPage>);
  }
  fail(message: string): void {
    for (const l of this.listeners.error) l({ message } as ErrorEvent);
  }
}

describe('the worker client', () => {
  it('resolves each request with the response of its id, in any order', async () => {
    const port = new FakePort();
    const client = new TokenFlowClient(port);
    const decode = client.decode(3);
    const release = client.release();
    expect(port.sent.map((m) => [m.id, m.request])).toEqual([
      [1, { type: 'decode', scalesUsed: 3 }],
      [2, { type: 'release' }],
    ]);
    port.reply({ kind: 'response', id: 2, ok: true, type: 'release', result: { released: true } });
    expect(await release).toEqual({ released: true });
    port.reply({
      kind: 'response',
      id: 1,
      ok: false,
      type: 'decode',
      error: { name: 'Error', message: 'nothing has been encoded yet' },
    });
    const error = await decode.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerRequestError);
    expect(error).toMatchObject({ request: 'decode', message: 'decode: nothing has been encoded yet' });
  });

  it('delivers events to the subscribers of their type until they unsubscribe', () => {
    const port = new FakePort();
    const client = new TokenFlowClient(port);
    const seen: EngineEvent[] = [];
    const off = client.on('progress', (e) => seen.push(e));
    client.on('cache', () => seen.push({ type: 'cache', report: { store: 'memory', reason: 'x' } }));
    const progress: EngineEvent = { type: 'progress', progress: { status: 'initiate', name: 'm', file: 'a' } };
    port.reply({ kind: 'event', event: progress });
    off();
    port.reply({ kind: 'event', event: progress });
    expect(seen).toEqual([progress]);
  });

  it('fails every pending request when the worker errors or is terminated', async () => {
    const port = new FakePort();
    const client = new TokenFlowClient(port);
    const a = client.loadModel('/m', { backend: 'wasm' });
    port.fail('Uncaught SyntaxError');
    await expect(a).rejects.toThrow('the TokenFlow worker failed: Uncaught SyntaxError');
    const b = client.clearCache();
    client.terminate();
    await expect(b).rejects.toThrow('the TokenFlow worker was terminated');
    expect(port.terminated).toBe(true);
  });

  it('cancels a queued request: the worker is told its id, and the answer is an AbortError', async () => {
    const port = new FakePort();
    const client = new TokenFlowClient(port);
    const controller = new AbortController();
    const decode = client.decode(undefined, { signal: controller.signal });
    const release = client.release();
    controller.abort();
    expect(port.cancels).toEqual([1]);
    port.reply({
      kind: 'response',
      id: 1,
      ok: false,
      type: 'decode',
      error: { name: 'AbortError', message: 'decode cancelled' },
    });
    await expect(decode).rejects.toMatchObject({ name: 'AbortError' });
    // Only the aborted request: the release after it is not touched.
    port.reply({ kind: 'response', id: 2, ok: true, type: 'release', result: { released: true } });
    expect(await release).toEqual({ released: true });
    // An already aborted signal never reaches the worker.
    await expect(
      client.encode({ width: 1, height: 1, data: new Uint8Array(3) }, { signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError', message: 'encode: encode cancelled before it started' });
    expect(port.sent).toHaveLength(2);
  });

  it("sets the stop flag of the aborted request's running session in the shared heap, and of no other", () => {
    const port = new FakePort();
    const client = new TokenFlowClient(port);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const heap = new Uint8Array(memory.buffer);
    port.reply({ kind: 'heap', heap: 1, memory });
    const a = new AbortController();
    const b = new AbortController();
    void client.decode(2, { signal: a.signal }).catch(() => undefined);
    void client.decodeIndices(new Int32Array(1), { signal: b.signal }).catch(() => undefined);
    // The worker, as ORT creates each run's options: request 1's flag at 100, request 2's at 200.
    registerRun(port.board, 1, 1, heap, 100);
    registerRun(port.board, 2, 1, heap, 200);
    a.abort();
    expect([heap[100], heap[200]]).toEqual([1, 0]);
    // A run whose options were freed is never written to, even when its request is cancelled later.
    unregisterRun(port.board, 1, 200);
    b.abort();
    expect(heap[200]).toBe(0);
  });

  it('cancelAll cancels every pending encode and decode, and nothing else', () => {
    const port = new FakePort();
    const client = new TokenFlowClient(port);
    void client.encode({ width: 1, height: 1, data: new Uint8Array(3) }).catch(() => undefined);
    void client.decode(2).catch(() => undefined);
    void client.prepare();
    void client.decodeIndices(new Int32Array(1)).catch(() => undefined);
    port.reply({ kind: 'response', id: 2, ok: true, type: 'decode', result: {} as never });
    client.cancelAll();
    // The decode already answered and the prepare are left alone.
    expect(port.cancels).toEqual([1, 4]);
    expect(isAbortError(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe(true);
    expect(isAbortError(new Error('x'))).toBe(false);
  });
});
