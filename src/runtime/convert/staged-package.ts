/**
 * Writing a converted package so that a failed, cancelled or interrupted conversion never looks
 * like a package. OPFS has no rename, so the commit is a marker file written after every other
 * file is closed: a folder without the marker is incomplete, never listed, and swept away.
 */
import type { ByteSink } from '../../core/bytes/byte-sink.ts';
import type { PackageDirectory } from '../../../export/export-package.ts';
import type { FolderStore } from './folder-store.ts';

/** Written last; its presence is the commit. Not a package file, so the manifest never lists it. */
export const COMPLETE_MARKER = '.complete';

/** The folder a checkpoint converts into: its name and size, so a re-drop of the same file is recognised. */
export function convertedFolderName(fileName: string, size: number, precision: string): string {
  const base = (fileName.split(/[\\/]/).pop() ?? fileName).replace(/\.(pt|pth|bin|ckpt|safetensors)$/i, '');
  // OPFS names may not contain slashes; keep names readable and portable.
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'checkpoint';
  return `${safe}-${size}-${precision}`;
}

export interface StagedPackage extends PackageDirectory {
  readonly folder: string;
  /** Bytes written so far across all files (for progress). */
  bytesWritten(): number;
  /** Marks the folder complete; call only after the exporter returned. */
  commit(): Promise<void>;
  /** Deletes whatever was written. */
  abort(): Promise<void>;
}

/**
 * Opens `folder` for writing, deleting any earlier (complete or not) content first, so a
 * re-conversion never mixes files of two runs. `onWrite` hears the running byte total.
 */
export async function stagePackage(
  store: FolderStore,
  folder: string,
  onWrite?: (bytesWritten: number) => void,
): Promise<StagedPackage> {
  if (folder.includes('/') || folder.startsWith('.'))
    throw new Error(`converted package folder name ${JSON.stringify(folder)} must be a plain name`);
  await store.remove(folder);
  let written = 0;
  const open: ByteSink[] = [];
  return {
    folder,
    bytesWritten: () => written,
    async open(path: string): Promise<ByteSink> {
      if (path.includes('/') || path.includes('\\') || path === COMPLETE_MARKER) {
        throw new Error(`package file name ${JSON.stringify(path)} is not allowed in ${store.location}/${folder}`);
      }
      const sink = await store.create(folder, path);
      open.push(sink);
      return {
        async write(chunk) {
          await sink.write(chunk);
          written += chunk.byteLength;
          onWrite?.(written);
        },
        close: () => sink.close(),
      };
    },
    async commit() {
      const files = await store.files(folder);
      if (!files.includes('manifest.json'))
        throw new Error(`${store.location}/${folder}: no manifest.json was written; the conversion is incomplete`);
      const marker = await store.create(folder, COMPLETE_MARKER);
      await marker.write(new TextEncoder().encode(new Date().toISOString()));
      await marker.close();
    },
    async abort() {
      // Close first: OPFS refuses to delete a file with an open access handle.
      await Promise.all(open.map((s) => s.close().catch(() => undefined)));
      await store.remove(folder);
    },
  };
}

/** The folders holding a committed package. */
export async function completeFolders(store: FolderStore): Promise<string[]> {
  const out: string[] = [];
  for (const folder of await store.folders()) {
    if ((await store.files(folder)).includes(COMPLETE_MARKER)) out.push(folder);
  }
  return out.sort();
}

/**
 * Deletes folders without the marker (left by a closed tab or a crash), except `keep` (a
 * conversion running now). Returns the deleted names.
 */
export async function sweepIncomplete(store: FolderStore, keep: ReadonlySet<string> = new Set()): Promise<string[]> {
  const swept: string[] = [];
  for (const folder of await store.folders()) {
    if (keep.has(folder)) continue;
    if (!(await store.files(folder)).includes(COMPLETE_MARKER)) {
      await store.remove(folder);
      swept.push(folder);
    }
  }
  return swept;
}
