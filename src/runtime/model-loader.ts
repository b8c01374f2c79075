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
import { openPackageCache, type CacheEnvironment, type CacheReport, type PackageCache } from './package-cache.ts';
import { readBody } from './read-body.ts';

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

  const download = async (file: string, expected: PackageFile | undefined, source: () => Promise<Response>, from: LoadSource) => {
    const response = await source();
    if (!response.ok) {
      throw new Error(`${base}${file}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${file === MANIFEST_FILE ? ' (no model package at this URL?)' : ''}`);
    }
    let lastReported = -1;
    const bytes = await readBody(response, expected?.bytes, `${base}${file}`, (loaded, total) => {
      if (loaded === total || loaded - Math.max(lastReported, 0) >= stepFor(total) || lastReported < 0) {
        lastReported = loaded;
        emit({ status: 'progress', name, file, loaded, total, progress: total === 0 ? 100 : (100 * loaded) / total });
      }
    });
    return { bytes, from };
  };

  emit({ status: 'initiate', name, file: MANIFEST_FILE });
  const manifestBytes = (await download(MANIFEST_FILE, undefined, () => fetchFn(`${base}${MANIFEST_FILE}`, { cache: 'no-cache' }), 'network')).bytes;
  emit({ status: 'done', name, file: MANIFEST_FILE, from: 'network' });
  const manifest = await readManifest({ location: name, readFile: async () => manifestBytes });

  const keyOf = (f: PackageFile) => `${base}${f.path}?sha256=${f.sha256}`;
  const cache: PackageCache = await openPackageCache(
    manifest.files.map((f) => ({ key: keyOf(f), bytes: f.bytes })),
    options,
    (report) => options.onCache?.(report),
  );
  options.onCache?.(cache.report);

  const readFile = async (path: string): Promise<Uint8Array> => {
    if (path === MANIFEST_FILE) return manifestBytes;
    const entry = fileEntry(manifest, path);
    const key = keyOf(entry);
    emit({ status: 'initiate', name, file: path });
    const cached = await cache.match(key);
    if (cached instanceof Uint8Array) {
      emit({ status: 'progress', name, file: path, loaded: cached.byteLength, total: cached.byteLength, progress: 100 });
      emit({ status: 'done', name, file: path, from: 'memory' });
      return cached;
    }
    if (cached) {
      try {
        const { bytes } = await download(path, entry, async () => cached, 'cache');
        emit({ status: 'done', name, file: path, from: 'cache' });
        return bytes;
      } catch {
        // A truncated or stale entry: forget it and download the file again.
        await cache.remove(key);
      }
    }
    const { bytes } = await download(path, entry, () => fetchFn(`${base}${path}`), 'network');
    // Only verified bytes are cached; the caller's readVerified checks again whatever the source.
    const hash = await sha256Hex(bytes);
    if (hash !== entry.sha256) {
      throw new Error(`${base}${path} has sha256 ${hash}, the manifest says ${entry.sha256} (corrupt download or replaced file)`);
    }
    await cache.put(key, path, bytes);
    emit({ status: 'done', name, file: path, from: 'network' });
    return bytes;
  };

  return { manifest, reader: { location: name, readFile }, cache: () => cache.report };
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
  const model = (await loadModel(pkg.reader, (manifest) => createRunner(manifest, pkg.reader))) as LoadedModel & { readonly runner: R };
  options.onProgress?.({ status: 'ready', name: pkg.reader.location });
  return { model, package: pkg };
}

