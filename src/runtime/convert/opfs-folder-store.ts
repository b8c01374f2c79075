/**
 * A FolderStore in the Origin Private File System, under `converted/` (or another root folder:
 * downloaded model files live under `downloads/`, package-cache.ts). In a worker, writes go
 * through a synchronous access handle: it streams to disk chunk by chunk, so a 1.5 GB package
 * never sits in memory. On the page (listing, reading, removing) only the async API is used.
 */
import type { ByteSink } from '../../core/bytes/byte-sink.ts';
import type { FolderStore } from './folder-store.ts';

export const OPFS_ROOT_FOLDER = 'converted';

/** Directory iteration is not in the TS DOM lib this project compiles against. */
interface IterableDirectory extends FileSystemDirectoryHandle {
  keys(): AsyncIterableIterator<string>;
  values(): AsyncIterableIterator<FileSystemHandle>;
}

/** Why OPFS cannot be used here, or undefined when it can. */
export function opfsUnavailableReason(): string | undefined {
  const storage = (globalThis as { navigator?: Navigator }).navigator?.storage;
  if (!storage || typeof storage.getDirectory !== 'function') {
    return 'the Origin Private File System is not available here (it needs a secure context: https:// or localhost)';
  }
  return undefined;
}

export async function openOpfsFolderStore(rootFolder = OPFS_ROOT_FOLDER): Promise<FolderStore> {
  const reason = opfsUnavailableReason();
  if (reason) throw new Error(reason);
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(rootFolder, { create: true });
  const location = `OPFS ${rootFolder}`;
  const dir = (name: string, create: boolean) => root.getDirectoryHandle(name, { create });
  return {
    location,
    async folders() {
      const out: string[] = [];
      for await (const h of (root as IterableDirectory).values()) if (h.kind === 'directory') out.push(h.name);
      return out;
    },
    async files(folder) {
      let d: FileSystemDirectoryHandle;
      try {
        d = await dir(folder, false);
      } catch {
        return [];
      }
      const out: string[] = [];
      for await (const name of (d as IterableDirectory).keys()) out.push(name);
      return out;
    },
    async create(folder, file) {
      const handle = await (await dir(folder, true)).getFileHandle(file, { create: true });
      return fileSink(handle, `${location}/${folder}/${file}`);
    },
    async read(folder, file) {
      try {
        return await (await (await dir(folder, false)).getFileHandle(file)).getFile();
      } catch (e) {
        throw new Error(`${location}/${folder}/${file} could not be read: ${(e as Error).message}`);
      }
    },
    async remove(folder) {
      try {
        await root.removeEntry(folder, { recursive: true });
      } catch (e) {
        if ((e as DOMException).name !== 'NotFoundError') throw e;
      }
    },
  };
}

async function fileSink(handle: FileSystemFileHandle, where: string): Promise<ByteSink> {
  const syncCapable = handle as FileSystemFileHandle & {
    createSyncAccessHandle?: () => Promise<FileSystemSyncAccessHandle>;
  };
  if (
    typeof syncCapable.createSyncAccessHandle === 'function' &&
    typeof (globalThis as { document?: unknown }).document === 'undefined'
  ) {
    const access = await syncCapable.createSyncAccessHandle();
    access.truncate(0);
    let at = 0;
    let closed = false;
    return {
      async write(chunk) {
        const n = access.write(chunk as Uint8Array<ArrayBuffer>, { at });
        if (n !== chunk.byteLength)
          throw new Error(`${where}: wrote ${n} of ${chunk.byteLength} bytes (the disk or the quota is full)`);
        at += n;
      },
      async close() {
        if (closed) return;
        closed = true;
        access.flush();
        access.close();
      },
    };
  }
  const stream = await handle.createWritable();
  let closed = false;
  return {
    write: (chunk) => stream.write(chunk as Uint8Array<ArrayBuffer>),
    async close() {
      if (closed) return;
      closed = true;
      await stream.close();
    },
  };
}
