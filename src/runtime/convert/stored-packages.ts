/**
 * The converted packages kept in OPFS, as the page lists them: committed folders only (see
 * staged-package.ts), each with its manifest's name. Removing one deletes its folder.
 */
import { readManifest } from '../../core/pipeline/package-reader.ts';
import type { FolderStore } from './folder-store.ts';
import { completeFolders } from './staged-package.ts';

export interface StoredPackage {
  readonly folder: string;
  readonly name: string;
  /** Sum of the manifest's files. */
  readonly bytes: number;
  /** The checkpoint it was converted from. */
  readonly sourceFile: string;
}

export async function listStoredPackages(store: FolderStore): Promise<StoredPackage[]> {
  const out: StoredPackage[] = [];
  for (const folder of await completeFolders(store)) {
    try {
      const manifest = await readManifest({
        location: `${store.location}/${folder}`,
        readFile: async (path) => new Uint8Array(await (await store.read(folder, path)).arrayBuffer()),
      });
      out.push({
        folder,
        name: manifest.name,
        bytes: manifest.files.reduce((a, f) => a + f.bytes, 0),
        sourceFile: manifest.source.file,
      });
    } catch (e) {
      // Listed with the reason, so the user can see and remove it rather than wonder where it went.
      out.push({ folder, name: `unreadable package: ${(e as Error).message}`, bytes: 0, sourceFile: '' });
    }
  }
  return out;
}
