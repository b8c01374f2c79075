/** User action: open an image (dropped, pasted, picked, or a bundled example). */
import { EXAMPLES, fetchExample, findExample } from '../examples.ts';
import { decodeImageInWorker } from '../workers/page-worker-client.ts';
import { getState, setState } from '../state/store.ts';
import { CHECKPOINT_FILE, convertAndLoad } from './convert-checkpoint.ts';
import { encodeAll } from './encode-image.ts';
import { decodePastedTokens } from './paste-tokens.ts';

let openSeq = 0;
/** The file shown, so its EXIF orientation can be applied or undone without asking for it again. */
let shown: { readonly file: Blob; readonly name: string; readonly example?: string } | undefined;

/**
 * Decodes the file off-thread, shows it, and encodes it with every loaded model. By default the
 * stored pixels, as the official code sees them; `applyOrientation` turns them as the file's EXIF
 * orientation asks.
 */
export async function openImageFile(
  file: Blob,
  name: string,
  example?: string,
  applyOrientation = false,
): Promise<void> {
  const seq = ++openSeq;
  setState({ imagePhase: 'running', imageError: undefined });
  try {
    const decoded = await decodeImageInWorker(file, name, { applyOrientation });
    if (seq !== openSeq) {
      decoded.preview.close();
      return;
    }
    getState().image?.preview.close();
    setState({
      imagePhase: 'done',
      image: {
        name: decoded.name,
        format: decoded.format,
        width: decoded.image.width,
        height: decoded.image.height,
        data: decoded.image.data,
        translucentPixels: decoded.translucentPixels,
        checksum: decoded.checksum,
        preview: decoded.preview,
        ...(example ? { example } : {}),
        ...(decoded.orientation ? { orientation: decoded.orientation } : {}),
      },
      selected: undefined,
      chosenCode: undefined,
    });
  } catch (e) {
    if (seq === openSeq) setState({ imagePhase: 'error', imageError: (e as Error).message });
    return;
  }
  shown = { file, name, ...(example ? { example } : {}) };
  await encodeAll();
}

/** "Rotate as displayed" and back: the shown file again, with its EXIF orientation applied or not. */
export async function setOrientationApplied(applied: boolean): Promise<void> {
  const image = getState().image;
  if (!shown || !image?.orientation || image.orientation.applied === applied || image.name !== shown.name) return;
  await openImageFile(shown.file, shown.name, shown.example, applied);
}

/**
 * The first file of a drop, paste or picker selection; says so when several were given. A
 * token file (.json, as exported) is decoded with the active model instead of opened as an image;
 * a checkpoint (.pt, .safetensors) is converted into a model package.
 */
export async function openFileList(files: FileList | readonly File[]): Promise<void> {
  const list = Array.from(files);
  if (list.length === 0) {
    setState({ imagePhase: 'error', imageError: 'nothing to open: the drop or paste held no file' });
    return;
  }
  if (CHECKPOINT_FILE.test(list[0].name)) {
    setState({ imageError: undefined });
    await convertAndLoad(list[0]);
    return;
  }
  if (/\.json$/i.test(list[0].name) || list[0].type === 'application/json') {
    const problem = await decodePastedTokens(await list[0].text());
    setState({ imageError: problem ? `${list[0].name}: ${problem}` : undefined });
    return;
  }
  await openImageFile(list[0], list[0].name || 'pasted image');
  if (list.length > 1 && getState().imagePhase === 'done') {
    setState({ imageError: `${list.length} files were given; only ${list[0].name} is shown` });
  }
}

export async function openExample(id: string): Promise<void> {
  const example = findExample(id);
  if (!example) {
    setState({
      imagePhase: 'error',
      imageError: `there is no example "${id}"; the examples are ${EXAMPLES.map((e) => e.id).join(', ')}`,
    });
    return;
  }
  let blob: Blob;
  try {
    blob = await fetchExample(example);
  } catch (e) {
    setState({
      imagePhase: 'error',
      imageError: `${example.file}: the example could not be fetched (${(e as Error).message})`,
    });
    return;
  }
  await openImageFile(blob, example.file, example.id);
}
