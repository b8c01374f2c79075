/** User action: run the models on another backend (auto, WebGPU or WebAssembly); reloads them. */
import type { BackendParam } from '../logic/url-state.ts';
import { getState, setState } from '../state/store.ts';
import { reloadModel } from './load-model.ts';

export async function setBackend(backend: BackendParam): Promise<void> {
  if (getState().backend === backend) return;
  setState({ backend });
  await Promise.all(getState().models.map((m) => reloadModel(m.id)));
}
