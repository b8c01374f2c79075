/**
 * One TokenFlow worker per loaded model (the runtime keeps one model per worker), so two models
 * shown side by side run independently. The clients live here, outside the store, because they
 * are handles, not state.
 */
import { TokenFlowClient } from '../../runtime/worker/worker-client.ts';

const clients = new Map<number, TokenFlowClient>();

export function startEngine(id: number): TokenFlowClient {
  stopEngine(id);
  const client = TokenFlowClient.start();
  clients.set(id, client);
  return client;
}

/** The worker of a model slot; throws naming the slot when it has none (removed meanwhile). */
export function engineFor(id: number): TokenFlowClient {
  const client = clients.get(id);
  if (!client) throw new Error(`model #${id} has no worker (it was removed)`);
  return client;
}

export function stopEngine(id: number): void {
  clients.get(id)?.terminate();
  clients.delete(id);
}
