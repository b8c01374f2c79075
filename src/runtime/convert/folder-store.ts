/**
 * Where converted model packages are kept: one folder per package under one root. The browser's
 * is the Origin Private File System (opfs-folder-store.ts); memory is the fallback when OPFS is
 * missing or full, and the fake the unit tests use. Kept this small so the staging rules
 * (staged-package.ts) are written once, over any store.
 */
import type { ByteSink } from '../../core/bytes/byte-sink.ts';
import { memorySink, type MemorySink } from '../../core/bytes/byte-sink.ts';

export interface FolderStore {
  /** For messages: e.g. "OPFS converted/" or "memory". */
  readonly location: string;
  /** The folder names under the root (any order). */
  folders(): Promise<string[]>;
  /** The file names directly inside `folder`; [] when it does not exist. */
  files(folder: string): Promise<string[]>;
  /** Creates or truncates `folder/file` and streams into it. */
  create(folder: string, file: string): Promise<ByteSink>;
  /** The whole file as a Blob (OPFS gives a File without reading it into memory). */
  read(folder: string, file: string): Promise<Blob>;
  /** Deletes `folder` and everything in it; no error when it is already gone. */
  remove(folder: string): Promise<void>;
}

/** A FolderStore in memory: the fallback when OPFS is unavailable, and the unit tests' fake. */
export function memoryFolderStore(location = 'memory'): FolderStore {
  const folders = new Map<string, Map<string, MemorySink>>();
  return {
    location,
    async folders() {
      return [...folders.keys()];
    },
    async files(folder) {
      return [...(folders.get(folder)?.keys() ?? [])];
    },
    async create(folder, file) {
      let f = folders.get(folder);
      if (!f) folders.set(folder, (f = new Map()));
      const sink = memorySink();
      f.set(file, sink);
      return sink;
    },
    async read(folder, file) {
      const sink = folders.get(folder)?.get(file);
      if (!sink) throw new Error(`${location}/${folder}/${file} does not exist`);
      return new Blob([sink.bytes() as Uint8Array<ArrayBuffer>]);
    },
    async remove(folder) {
      folders.delete(folder);
    },
  };
}
