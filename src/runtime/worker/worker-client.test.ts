import { describe, expect, it } from 'vitest';
import type { EngineEvent, RequestMessage, WorkerToPage } from './messages.ts';
import { TokenFlowClient, WorkerRequestError, type WorkerPort } from './worker-client.ts';

/** A worker stand-in: records requests; the test answers them. */
class FakePort implements WorkerPort {
  readonly sent: RequestMessage[] = [];
  terminated = false;
  private readonly listeners: {
    message: ((e: MessageEvent<WorkerToPage>) => void)[];
    error: ((e: ErrorEvent) => void)[];
  } = { message: [], error: [] };
  postMessage(message: RequestMessage): void {
    this.sent.push(message);
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
});
