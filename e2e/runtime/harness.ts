/**
 * Browser side of the runtime tests and benchmark: starts the TokenFlow worker through the
 * page client and records every event, so tests can read back results, events and timings.
 */
import { TokenFlowClient } from '../../src/runtime/worker/worker-client.ts';
import type { EngineEvent } from '../../src/runtime/worker/messages.ts';

export interface RuntimeHarness {
  readonly client: TokenFlowClient;
  /** Every event the worker sent, in order. */
  readonly events: EngineEvent[];
  /** A fresh worker (the previous one terminated), with the event log cleared. */
  restart(): void;
}

function start(): { client: TokenFlowClient; events: EngineEvent[] } {
  const client = TokenFlowClient.start();
  const events: EngineEvent[] = [];
  for (const type of ['progress', 'cache', 'backend-chosen', 'backend-switched', 'timings'] as const) {
    client.on(type, (e) => events.push(e));
  }
  return { client, events };
}

let current = start();
const harness: RuntimeHarness = {
  get client() {
    return current.client;
  },
  get events() {
    return current.events;
  },
  restart() {
    current.client.terminate();
    current = start();
  },
};

(globalThis as { tokenflowHarness?: RuntimeHarness }).tokenflowHarness = harness;
document.getElementById('status')!.textContent = 'ready';
