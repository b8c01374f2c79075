/** User actions on the converted packages kept in OPFS: list them (at start and after a conversion), remove one. */
import { openOpfsFolderStore, opfsUnavailableReason } from '../../runtime/convert/opfs-folder-store.ts';
import { listStoredPackages } from '../../runtime/convert/stored-packages.ts';
import { describeSource } from '../../runtime/package-source.ts';
import { getState, setState } from '../state/store.ts';
import { removeModel } from './load-model.ts';

export async function refreshStoredModels(): Promise<void> {
  if (opfsUnavailableReason()) {
    setState({ storedModels: [] });
    return;
  }
  try {
    setState({ storedModels: await listStoredPackages(await openOpfsFolderStore()), storedError: undefined });
  } catch (e) {
    setState({ storedModels: [], storedError: `the converted models could not be listed: ${(e as Error).message}` });
  }
}

export async function removeStoredModel(folder: string): Promise<void> {
  // A shown model reads its files from this folder: unload it first.
  const key = describeSource({ kind: 'opfs', folder });
  for (const m of getState().models) if (m.url === key) removeModel(m.id);
  try {
    await (await openOpfsFolderStore()).remove(folder);
  } catch (e) {
    setState({ storedError: `${folder} could not be removed: ${(e as Error).message}` });
  }
  await refreshStoredModels();
}
