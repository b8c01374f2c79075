/**
 * One conversion: the exporter (the one implementation, export/export-package.ts) from a
 * checkpoint Blob into a staged folder of a FolderStore, committed only on success. When the
 * preferred store fails for want of space or support, the conversion is redone in memory and
 * the reason is returned, so the user learns why the model will not be there next visit.
 */
import { blobSource } from '../../core/bytes/byte-source.ts';
import { exportPackage, type ExportProgress } from '../../../export/export-package.ts';
import type { Precision } from '../../../export/onnx/streaming-writer.ts';
import type { ModelManifest } from '../../core/model-package/manifest.ts';
import { memoryFolderStore, type FolderStore } from './folder-store.ts';
import { convertedFolderName, stagePackage, sweepIncomplete } from './staged-package.ts';

export interface ConversionHooks {
  readonly onProgress: (stage: ExportProgress['stage'] | 'storage', message: string) => void;
  readonly onBytes: (bytesWritten: number) => void;
}

export interface ConversionResult {
  readonly manifest: ModelManifest;
  readonly store: FolderStore;
  readonly folder: string;
  /** Set when the package is in memory although a persistent store was wanted. */
  readonly fallbackReason?: string;
}

/** A storage failure (quota, missing API), as opposed to a bad checkpoint: worth retrying in memory. */
export function isStorageError(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? '';
  return (
    name === 'QuotaExceededError' ||
    name === 'NotAllowedError' ||
    name === 'InvalidStateError' ||
    name === 'NoModificationAllowedError' ||
    /quota|disk .*full/i.test((e as Error)?.message ?? '')
  );
}

export async function runConversion(
  file: Blob,
  fileName: string,
  precision: Precision,
  openStore: () => Promise<FolderStore>,
  hooks: ConversionHooks,
): Promise<ConversionResult> {
  const folder = convertedFolderName(fileName, file.size, precision);
  let store: FolderStore;
  let fallbackReason: string | undefined;
  try {
    store = await openStore();
    // Leftovers of conversions that never finished (a closed tab) would otherwise take space forever.
    await sweepIncomplete(store, new Set([folder]));
  } catch (e) {
    fallbackReason = `${(e as Error).message}; the converted model is kept in memory for this visit only`;
    store = memoryFolderStore();
  }
  hooks.onProgress(
    'storage',
    fallbackReason ? `writing to memory (${fallbackReason})` : `writing to ${store.location}/${folder}`,
  );
  try {
    return { ...(await convertInto(store, folder, file, fileName, precision, hooks)), fallbackReason };
  } catch (e) {
    if (fallbackReason !== undefined || !isStorageError(e)) throw e;
    fallbackReason =
      `${store.location} refused the files (${(e as Error).message}); ` +
      'the converted model is kept in memory for this visit only';
    hooks.onProgress('storage', `retrying in memory: ${fallbackReason}`);
    return { ...(await convertInto(memoryFolderStore(), folder, file, fileName, precision, hooks)), fallbackReason };
  }
}

async function convertInto(
  store: FolderStore,
  folder: string,
  file: Blob,
  fileName: string,
  precision: Precision,
  hooks: ConversionHooks,
) {
  const staged = await stagePackage(store, folder, hooks.onBytes);
  try {
    const result = await exportPackage(blobSource(file, fileName), staged, {
      precision,
      onProgress: (p) => hooks.onProgress(p.stage, p.message),
    });
    await staged.commit();
    return { manifest: result.manifest, store, folder };
  } catch (e) {
    await staged.abort().catch(() => undefined);
    throw e;
  }
}
