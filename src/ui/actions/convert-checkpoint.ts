/**
 * User action: a dropped or picked checkpoint (.pt, .safetensors) is converted in the
 * conversion worker by the project's exporter, stored in OPFS (or memory, with the reason),
 * listed, and loaded like any other package.
 */
import { convertCheckpoint } from '../../runtime/convert/convert-client.ts';
import { getState, setState } from '../state/store.ts';
import type { ConversionView } from '../state/types.ts';
import { addModelFromSource } from './load-model.ts';
import { refreshStoredModels } from './stored-models.ts';

/** Names the exporter may read; anything else is an image (or refused as one). */
export const CHECKPOINT_FILE = /\.(pt|pth|ckpt|bin|safetensors)$/i;

let running: { cancel: () => void } | undefined;

/** User action: stop the running conversion (its unfinished folder is swept by the next one). */
export function cancelConversion(): void {
  running?.cancel();
}

export async function convertAndLoad(file: File): Promise<void> {
  // One conversion at a time: a second drop replaces the first (its partial folder is swept later).
  running?.cancel();
  const update = (patch: Partial<ConversionView>) => {
    const now = getState().conversion;
    if (now && now.fileName === file.name) setState({ conversion: { ...now, ...patch } });
  };
  setState({
    conversion: {
      fileName: file.name,
      fileBytes: file.size,
      phase: 'running',
      stage: 'start',
      message: `converting ${file.name}`,
      bytesWritten: 0,
    },
  });
  const job = convertCheckpoint(file, 'fp32', (p) =>
    update({ stage: p.stage, message: p.message, bytesWritten: p.bytesWritten }),
  );
  running = job;
  let converted;
  try {
    converted = await job.done;
  } catch (e) {
    if (running === job) update({ phase: 'error', error: `${file.name}: ${(e as Error).message}` });
    return;
  } finally {
    if (running === job) running = undefined;
  }
  update({
    phase: 'done',
    message: `converted ${file.name} into “${converted.manifest.name}”`,
    ...(converted.memoryReason ? { memoryReason: converted.memoryReason } : {}),
  });
  await refreshStoredModels();
  await addModelFromSource(converted.source);
}
