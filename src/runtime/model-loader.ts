/**
 * Model packages over HTTP: a PackageReader for a base URL that downloads each file with
 * per-file progress, keeps it in the package cache (package-cache.ts) and checks it against the
 * manifest. Progress uses transformers.js's vocabulary (initiate → progress… → done per file,
 * ready once the model can run), so a UI written for that library's events reads ours.
 */
import type { ModelManifest, PackageFile } from '../core/model-package/manifest.ts';
import { fileEntry } from '../core/model-package/manifest.ts';
import type { GraphRunner } from '../core/pipeline/graph-runner.ts';
import { loadModel, type LoadedModel } from '../core/pipeline/loaded-model.ts';
import { sha256Hex } from '../core/bytes/sha256.ts';
import { readManifest, type PackageReader } from '../core/pipeline/package-reader.ts';
import {
  openPackageCache,
  type CacheEnvironment,
  type CacheReport,
  type PackageCache,
  type PendingFile,
} from './package-cache.ts';
import { pipeBody, readBody } from './read-body.ts';
import { readBlobBytes } from './read-blob.ts';

export type LoadSource = 'network' | 'cache' | 'memory';

/** One file's life: initiate, progress (bytes so far of the file's total), done; then ready for the model. */
export type LoadProgress =
  | { readonly status: 'initiate'; readonly name: string; readonly file: string }
  | {
      readonly status: 'progress';
      readonly name: string;
      readonly file: string;
      readonly loaded: number;
      readonly total: number;
      /** 0…100, as transformers.js reports it. */
      readonly progress: number;
    }
  | { readonly status: 'done'; readonly name: string; readonly file: string; readonly from: LoadSource }
  | { readonly status: 'ready'; readonly name: string };

export const MANIFEST_FILE = 'manifest.json';

export interface UrlPackageOptions extends CacheEnvironment {
  /** Default: globalThis.fetch. */
  readonly fetch?: typeof fetch;
  readonly onProgress?: (event: LoadProgress) => void;
  /** Hears the cache store chosen at open, and any later switch to memory. */
  readonly onCache?: (report: CacheReport) => void;
  /** Emit a progress event at least every this many bytes of a file (and at its end); default 1% of the file. */
  readonly progressStepBytes?: number;
}

export interface UrlPackage {
  readonly manifest: ModelManifest;
  readonly reader: PackageReader;
  /** Where files are kept now (may change to memory while loading; onCache says when). */
  readonly cache: () => CacheReport;
}

/**
 * Fetches and parses the manifest (always from the network: it names the sha256 of every other
 * file, so a stale copy would pin stale weights), then opens the cache for the listed files.
 */
export async function openUrlPackage(baseUrl: string, options: UrlPackageOptions = {}): Promise<UrlPackage> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const name = base.replace(/\/$/, '');
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const emit = options.onProgress ?? (() => {});
  const stepFor = (total: number) => options.progressStepBytes ?? Math.max(1, Math.floor(total / 100));

  /** Progress of one file: at least every step bytes, and always its first and last chunk. */
  const progressOf = (file: string) => {
    let lastReported = -1;
    return (loaded: number, total: number) => {
      if (loaded === total || loaded - Math.max(lastReported, 0) >= stepFor(total) || lastReported < 0) {
        lastReported = loaded;
        emit({ status: 'progress', name, file, loaded, total, progress: total === 0 ? 100 : (100 * loaded) / total });
      }
    };
  };

  emit({ status: 'initiate', name, file: MANIFEST_FILE });
  const manifestUrl = `${base}${MANIFEST_FILE}`;
  const manifestResponse = await fetchFn(manifestUrl, { cache: 'no-cache' });
  if (!manifestResponse.ok) {
    const statusText = manifestResponse.statusText ? ` ${manifestResponse.statusText}` : '';
    throw new Error(`${manifestUrl}: HTTP ${manifestResponse.status}${statusText} (no model package at this URL?)`);
  }
  const manifestBytes = await readBody(manifestResponse, undefined, manifestUrl, progressOf(MANIFEST_FILE));
  emit({ status: 'done', name, file: MANIFEST_FILE, from: 'network' });
  const manifest = await readManifest({ location: name, readFile: async () => manifestBytes });

  const cache: PackageCache = await openPackageCache(manifest.files, options, (report) => options.onCache?.(report));
  options.onCache?.(cache.report);

  // Files whose sha256 was checked, when they were stored or just now: not hashed again.
  const verified = new Set<string>();

  /** Downloads a file into the store, streaming, then hashes it once; returns its bytes. */
  const download = async (entry: PackageFile, retried = false): Promise<Uint8Array> => {
    const where = `${base}${entry.path}`;
    let pending: PendingFile;
    try {
      pending = await cache.begin(entry);
    } catch (e) {
      if (retried) throw e;
      cache.fallBack(entry.path, e);
      return download(entry, true);
    }
    let writeError: unknown;
    try {
      const response = await fetchFn(where);
      if (!response.ok)
        throw new Error(`${where}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      await pipeBody(
        response,
        entry.bytes,
        where,
        async (chunk) => {
          try {
            await pending.write(chunk);
          } catch (e) {
            writeError = e;
            throw e;
          }
        },
        progressOf(entry.path),
      );
    } catch (e) {
      await pending.abort();
      // The disk filled up mid-file: keep the rest of this visit in memory, download this file again.
      if (writeError !== undefined && !retried && cache.report.store === 'opfs') {
        cache.fallBack(entry.path, writeError);
        return download(entry, true);
      }
      throw e;
    }
    const written = await pending.finish();
    const bytes = await storedBytes({ blob: written, readBytes: pending.readBytes }, where);
    const hash = await sha256Hex(bytes);
    if (hash !== entry.sha256) {
      await pending.abort();
      throw new Error(
        `${where} has sha256 ${hash}, the manifest says ${entry.sha256} (corrupt download or replaced file)`,
      );
    }
    try {
      await pending.commit();
    } catch (e) {
      // Not even the small record fits: keep the verified bytes in memory for this visit.
      await pending.abort();
      cache.fallBack(entry.path, e);
      const inMemory = await cache.begin(entry);
      await inMemory.write(bytes);
      await inMemory.finish();
      await inMemory.commit();
    }
    return bytes;
  };

  const readFile = async (path: string): Promise<Uint8Array> => {
    if (path === MANIFEST_FILE) return manifestBytes;
    const entry = fileEntry(manifest, path);
    emit({ status: 'initiate', name, file: path });
    const found = await cache.lookup(entry);
    if (found.kind === 'hit') {
      const bytes = await storedBytes(found, `${base}${path}`);
      verified.add(path);
      emit({ status: 'progress', name, file: path, loaded: bytes.byteLength, total: bytes.byteLength, progress: 100 });
      emit({ status: 'done', name, file: path, from: found.where });
      return bytes;
    }
    if (found.kind === 'damaged')
      cache.noteRepaired(`${path}: the stored copy was damaged (${found.why}); downloaded again`);
    const bytes = await download(entry);
    verified.add(path);
    emit({ status: 'done', name, file: path, from: 'network' });
    return bytes;
  };

  const recheck = async (path: string): Promise<boolean> => {
    if (!verified.has(path)) return false;
    const entry = fileEntry(manifest, path);
    const found = await cache.lookup(entry);
    const damaged =
      found.kind !== 'hit' || (await sha256Hex(await storedBytes(found, `${base}${path}`))) !== entry.sha256;
    if (damaged) {
      verified.delete(path);
      await cache.remove(entry);
      cache.noteRepaired(`${path}: the stored copy did not match its sha256; downloaded again`);
    }
    return damaged;
  };

  return {
    manifest,
    reader: { location: name, readFile, verifiedWhenStored: (path) => verified.has(path), recheck },
    cache: () => cache.report,
  };
}

/**
 * A stored file's bytes: through OPFS's synchronous access handle where the cache offers one
 * (faster, and its buffer is freed at once), else by reading the Blob.
 */
async function storedBytes(
  file: { readonly blob: Blob; readonly readBytes?: () => Promise<Uint8Array | undefined> },
  where: string,
): Promise<Uint8Array> {
  return (await file.readBytes?.()) ?? readBlobBytes(file.blob, where);
}

export interface LoadedUrlModel<R extends GraphRunner = GraphRunner> {
  readonly model: LoadedModel & { readonly runner: R };
  readonly package: UrlPackage;
}

/**
 * Loads a package from a URL with the core's loadModel (codebooks checked and verified) and a
 * runner built from the same reader, then reports ready.
 */
export async function loadModelFromUrl<R extends GraphRunner>(
  baseUrl: string,
  createRunner: (manifest: ModelManifest, reader: PackageReader) => Promise<R>,
  options: UrlPackageOptions = {},
): Promise<LoadedUrlModel<R>> {
  const pkg = await openUrlPackage(baseUrl, options);
  // The runner is the one createRunner returned, so its narrower type holds.
  const model = (await loadModel(pkg.reader, (manifest) => createRunner(manifest, pkg.reader))) as LoadedModel & {
    readonly runner: R;
  };
  options.onProgress?.({ status: 'ready', name: pkg.reader.location });
  return { model, package: pkg };
}
