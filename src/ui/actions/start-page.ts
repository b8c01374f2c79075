/**
 * What happens when the page opens: restore a shared link, load its models (or the embedded
 * default model when the link names none and one is shipped), open its example image — or, on a
 * plain visit to the embedded model, the first example, so a visitor sees tokens without a click —
 * and start keeping the link up to date.
 */
import { EXAMPLES, fetchExample } from '../examples.ts';
import { DEFAULT_MODEL_PATH } from '../logic/model-url.ts';
import { addNotice, getState, setState } from '../state/store.ts';
import { startDepthStrip } from './depth-strip.ts';
import { addModel } from './load-model.ts';
import { openExample, openImageFile } from './open-image.ts';
import { refreshStoredModels } from './stored-models.ts';
import { restoreFromUrl, startUrlSync } from './url-sync.ts';

let started = false;

export async function startPage(): Promise<void> {
  // StrictMode runs effects twice in development; the page starts once.
  if (started) return;
  started = true;
  const link = restoreFromUrl(location.search);
  startUrlSync();
  startDepthStrip();
  // Converted models from earlier visits, listed while the default model loads.
  void refreshStoredModels();
  let image = link.example ? openExample(link.example) : Promise.resolve();
  let models: Promise<unknown>[];
  if (link.models.length > 0) {
    models = link.models.map((url) => addModel(url));
  } else {
    const url = `${import.meta.env.BASE_URL}${DEFAULT_MODEL_PATH}`;
    const present = await hasEmbeddedModel(url);
    setState({ defaultModel: present ? 'present' : 'absent' });
    models = present ? [addModel(url)] : [];
    // The demo runs by itself: the image decodes while the model downloads, and is tokenized once
    // it is ready. Not when a link names models (that visitor came for something else) or an image
    // was already given meanwhile.
    if (present && !link.example && !getState().image && getState().imagePhase === 'idle') image = openFirstExample();
  }
  await Promise.all([image, ...models]);
}

/** Opens the first example unless the visitor has given an image while it downloaded (theirs wins). */
async function openFirstExample(): Promise<void> {
  const example = EXAMPLES[0];
  let blob: Blob;
  try {
    blob = await fetchExample(example);
  } catch (e) {
    addNotice(
      `the example ${example.file} could not be fetched to start with (${(e as Error).message}); give the page an image instead`,
    );
    return;
  }
  const s = getState();
  if (s.image || s.imagePhase !== 'idle') return;
  await openImageFile(blob, example.file, example.id);
}

/** True when the default folder holds a manifest (the dev server answers HTML for missing files, hence the JSON check). */
async function hasEmbeddedModel(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}manifest.json`, { cache: 'no-cache' });
    if (!response.ok) return false;
    const json: unknown = await response.json();
    return (
      typeof json === 'object' && json !== null && (json as { format?: unknown }).format === 'tokenflow-model-package'
    );
  } catch {
    return false;
  }
}
