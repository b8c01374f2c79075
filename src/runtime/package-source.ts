/**
 * Where a model package comes from: a URL (downloaded and cached, model-loader.ts), a converted
 * package in a FolderStore (OPFS, or memory), or the files of a folder the user picked. Each is
 * opened into the same {manifest, reader, cache}, so the engine has one loading path and every
 * file is checked by readVerified whatever its source.
 */
import type { ModelManifest } from '../core/model-package/manifest.ts';
import { readManifest, type PackageReader } from '../core/pipeline/package-reader.ts';
import type { FolderStore } from './convert/folder-store.ts';
import { openOpfsFolderStore } from './convert/opfs-folder-store.ts';
import { COMPLETE_MARKER } from './convert/staged-package.ts';
import {
  MANIFEST_FILE,
  openUrlPackage,
  type LoadProgress,
  type UrlPackage,
  type UrlPackageOptions,
} from './model-loader.ts';
import { readBlobBytes } from './read-blob.ts';

export type PackageSource =
  | { readonly kind: 'url'; readonly baseUrl: string }
  /** A converted package under OPFS `converted/<folder>`. */
  | { readonly kind: 'opfs'; readonly folder: string }
  /** A picked folder's files (`<input webkitdirectory>`) or a conversion kept in memory; names are the package-relative paths. */
  | { readonly kind: 'files'; readonly label: string; readonly files: readonly File[] };

/** What opening any source gives: the same shape the URL loader returns. */
export type OpenedPackage = UrlPackage;

/** A short description for messages and the model list, e.g. "converted: clip-224-…". */
export function describeSource(source: PackageSource): string {
  switch (source.kind) {
    case 'url':
      return source.baseUrl;
    case 'opfs':
      return `converted:${source.folder}`;
    case 'files':
      return `folder:${source.label}`;
  }
}

/**
 * A reader over Blobs by package path. Per-file progress uses the loader's vocabulary, so the
 * UI's file bars work for every source.
 */
export function blobReader(
  location: string,
  lookup: (path: string) => Promise<Blob>,
  emit: (e: LoadProgress) => void = () => {},
): PackageReader {
  return {
    location,
    async readFile(path) {
      emit({ status: 'initiate', name: location, file: path });
      const bytes = await readBlobBytes(await lookup(path), `${location}/${path}`);
      emit({
        status: 'progress',
        name: location,
        file: path,
        loaded: bytes.byteLength,
        total: bytes.byteLength,
        progress: 100,
      });
      emit({ status: 'done', name: location, file: path, from: 'cache' });
      return bytes;
    },
  };
}

/**
 * The files of a picked folder by package path. `webkitRelativePath` starts with the picked
 * folder's own name ("clip-224/manifest.json"), which is stripped; a manifest deeper down (the
 * user picked the parent) is refused with the paths found, rather than guessed at.
 */
export function filesByPackagePath(files: readonly File[], label: string): Map<string, File> {
  const byPath = new Map<string, File>();
  for (const f of files) {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
    const parts = rel.split('/');
    byPath.set(parts.length > 1 ? parts.slice(1).join('/') : rel, f);
  }
  if (!byPath.has(MANIFEST_FILE)) {
    const shown = [...byPath.keys()].slice(0, 8).join(', ');
    throw new Error(
      `${label}: the folder holds no ${MANIFEST_FILE} at its top level (found ${shown || 'no files'}); ` +
        'pick the model package folder itself',
    );
  }
  return byPath;
}

export interface OpenSourceOptions extends UrlPackageOptions {
  /** The store for 'opfs' sources; default the browser's OPFS. */
  readonly store?: FolderStore;
}

export async function openPackageSource(
  source: PackageSource,
  options: OpenSourceOptions = {},
): Promise<OpenedPackage> {
  if (source.kind === 'url') return openUrlPackage(source.baseUrl, options);
  const emit = options.onProgress ?? (() => {});
  let reader: PackageReader;
  if (source.kind === 'opfs') {
    const store = options.store ?? (await openOpfsFolderStore());
    if (!(await store.files(source.folder)).includes(COMPLETE_MARKER)) {
      throw new Error(
        `${store.location}/${source.folder} holds no complete converted package (it was removed, or its conversion did not finish)`,
      );
    }
    // The exporter hashed every file while writing it and the marker commits the folder: a
    // converted package is not hashed again on each load (its sizes still are checked).
    reader = {
      ...blobReader(`${store.location}/${source.folder}`, (path) => store.read(source.folder, path), emit),
      verifiedWhenStored: () => true,
    };
  } else {
    const byPath = filesByPackagePath(source.files, source.label);
    reader = blobReader(
      source.label,
      async (path) => {
        const f = byPath.get(path);
        if (!f) throw new Error(`${source.label}/${path} is missing from the picked folder (the manifest lists it)`);
        return f;
      },
      emit,
    );
  }
  const manifest: ModelManifest = await readManifest(reader);
  // Nothing is downloaded: the files are read (into memory) from where they already are.
  const cache = { store: 'memory', reason: `read from ${reader.location}, not downloaded` } as const;
  return { manifest, reader, cache: () => cache };
}
