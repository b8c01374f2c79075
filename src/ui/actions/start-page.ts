/**
 * What happens when the page opens: restore a shared link, load its models (or the embedded
 * default model when the link names none and one is shipped), open its example image, and
 * start keeping the link up to date.
 */
import { DEFAULT_MODEL_PATH } from '../logic/model-url.ts';
import { setState } from '../state/store.ts';
import { addModel } from './load-model.ts';
import { openExample } from './open-image.ts';
import { refreshStoredModels } from './stored-models.ts';
import { restoreFromUrl, startUrlSync } from './url-sync.ts';

let started = false;

export async function startPage(): Promise<void> {
  // StrictMode runs effects twice in development; the page starts once.
  if (started) return;
  started = true;
  const link = restoreFromUrl(location.search);
  startUrlSync();
  // Converted models from earlier visits, listed while the default model loads.
  void refreshStoredModels();
  const image = link.example ? openExample(link.example) : Promise.resolve();
  let models: Promise<unknown>[];
  if (link.models.length > 0) {
    models = link.models.map((url) => addModel(url));
  } else {
    const url = `${import.meta.env.BASE_URL}${DEFAULT_MODEL_PATH}`;
    const present = await hasEmbeddedModel(url);
    setState({ defaultModel: present ? 'present' : 'absent' });
    models = present ? [addModel(url)] : [];
  }
  await Promise.all([image, ...models]);
}

/** True when the default folder holds a manifest (the dev server answers HTML for missing files, hence the JSON check). */
async function hasEmbeddedModel(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}manifest.json`, { cache: 'no-cache' });
    if (!response.ok) return false;
    const json: unknown = await response.json();
    return typeof json === 'object' && json !== null && (json as { format?: unknown }).format === 'tokenflow-model-package';
  } catch {
    return false;
  }
}
