/** User action: add a model package from a folder picked on disk (`<input webkitdirectory>`). */
import { addModelFromSource } from './load-model.ts';
import { setState } from '../state/store.ts';

export async function addModelFolder(picked: FileList | readonly File[]): Promise<void> {
  const files = Array.from(picked);
  if (files.length === 0) return;
  // webkitRelativePath is "<picked folder>/<file>": the folder's name labels the model.
  const first = (files[0] as File & { webkitRelativePath?: string }).webkitRelativePath || files[0].name;
  const label = first.includes('/') ? first.split('/')[0] : 'picked folder';
  setState({ modelUrlError: undefined });
  await addModelFromSource({ kind: 'files', label, files });
}
