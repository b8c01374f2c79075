/**
 * Where downloaded model files are kept between visits: Cache Storage when the browser allows
 * it and has room, memory otherwise (for this page's life only, so a GPU-loss reload still
 * needs no second download). The choice and every change of it are reported with a reason,
 * because "the 1.5 GB model downloads again on every visit" must be explainable.
 */

/** Bump when the cache layout changes; old caches are then simply never read. */
export const PACKAGE_CACHE_NAME = 'tokenflow-model-packages-v1';

export type CacheStoreKind = 'cache-storage' | 'memory';

export interface CacheReport {
  readonly store: CacheStoreKind;
  /** Why memory is used; absent for Cache Storage. */
  readonly reason?: string;
}

/** What the decision depends on, gathered by openPackageCache (or given by a test). */
export interface StorageFacts {
  /** `caches` exists in this context (it is missing in insecure contexts). */
  readonly cachesAvailable: boolean;
  /** caches.open() threw (storage disabled, private mode, blocked by policy). */
  readonly openError?: string;
  /** navigator.storage.estimate(), when available. */
  readonly quota?: number;
  readonly usage?: number;
  /** Bytes of the files not in the cache yet. */
  readonly neededBytes: number;
}

/** Pure: Cache Storage unless it is missing, refused or too small for what must be added. */
export function decideCacheStore(facts: StorageFacts): CacheReport {
  if (!facts.cachesAvailable) {
    return { store: 'memory', reason: 'Cache Storage is not available here (it needs a secure context: https:// or localhost); the model is kept in memory for this visit only' };
  }
  if (facts.openError !== undefined) {
    return { store: 'memory', reason: `the browser refused Cache Storage (${facts.openError}); the model is kept in memory for this visit only` };
  }
  if (facts.quota !== undefined && facts.usage !== undefined) {
    const free = facts.quota - facts.usage;
    if (facts.neededBytes > free) {
      return {
        store: 'memory',
        reason: `not enough browser storage: the model needs ${mb(facts.neededBytes)} more, ${mb(Math.max(0, free))} is free; the model is kept in memory for this visit only`,
      };
    }
  }
  return { store: 'cache-storage' };
}

/** Pure: the report after storing `file` failed; a full store says so, anything else is quoted. */
export function putFailure(file: string, error: unknown): CacheReport {
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'QuotaExceededError') {
    return { store: 'memory', reason: `browser storage became full while caching ${file}; the rest of the model is kept in memory for this visit only` };
  }
  return { store: 'memory', reason: `caching ${file} failed (${message}); the rest of the model is kept in memory for this visit only` };
}

export interface PackageCache {
  readonly report: CacheReport;
  /** Cached bytes (memory) or a response to stream (Cache Storage), or undefined. */
  match(key: string): Promise<Uint8Array | Response | undefined>;
  /** Stores verified bytes; on failure switches to memory (reported through onChange) and keeps them there. */
  put(key: string, file: string, bytes: Uint8Array): Promise<void>;
  /** Drops a bad entry (e.g. one whose bytes no longer verify). */
  remove(key: string): Promise<void>;
}

export interface CacheEnvironment {
  /** Default: globalThis.caches. Pass null to mean "not available". */
  readonly caches?: CacheStorage | null;
  /** Default: globalThis.navigator.storage. */
  readonly storage?: Pick<StorageManager, 'estimate'> | null;
}

/**
 * Opens the package cache for files under the given keys (with their sizes), choosing the
 * store with decideCacheStore. `onChange` hears about a later switch to memory.
 */
export async function openPackageCache(
  files: readonly { readonly key: string; readonly bytes: number }[],
  env: CacheEnvironment = {},
  onChange?: (report: CacheReport) => void,
): Promise<PackageCache> {
  const caches = env.caches === undefined ? (globalThis as { caches?: CacheStorage }).caches : env.caches ?? undefined;
  const storage =
    env.storage === undefined ? (globalThis as { navigator?: { storage?: Pick<StorageManager, 'estimate'> } }).navigator?.storage : env.storage ?? undefined;
  let cache: Cache | undefined;
  let openError: string | undefined;
  if (caches) {
    try {
      cache = await caches.open(PACKAGE_CACHE_NAME);
    } catch (e) {
      openError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
  }
  let neededBytes = 0;
  if (cache) {
    for (const f of files) if (!(await cache.match(f.key))) neededBytes += f.bytes;
  }
  let quota: number | undefined;
  let usage: number | undefined;
  if (cache && storage?.estimate) {
    try {
      ({ quota, usage } = await storage.estimate());
    } catch {
      // No estimate: try storing and let a failed put decide.
    }
  }
  const initial = decideCacheStore({ cachesAvailable: caches !== undefined, openError, quota, usage, neededBytes });
  return createCache(initial.store === 'cache-storage' ? cache : undefined, initial, onChange);
}

function createCache(cache: Cache | undefined, initial: CacheReport, onChange?: (report: CacheReport) => void): PackageCache {
  let report = initial;
  const memory = new Map<string, Uint8Array>();
  return {
    get report() {
      return report;
    },
    async match(key) {
      const inMemory = memory.get(key);
      if (inMemory) return inMemory;
      // Files stored before a switch to memory are still in the cache.
      if (!cache) return undefined;
      return (await cache.match(key)) ?? undefined;
    },
    async put(key, file, bytes) {
      if (report.store === 'cache-storage' && cache) {
        try {
          const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) };
          await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
          return;
        } catch (e) {
          report = putFailure(file, e);
          onChange?.(report);
        }
      }
      memory.set(key, bytes);
    },
    async remove(key) {
      memory.delete(key);
      if (cache) await cache.delete(key).catch(() => false);
    },
  };
}

/** Deletes every cached model file; resolves to whether there was a cache to delete. */
export async function clearPackageCache(caches: CacheStorage | undefined = (globalThis as { caches?: CacheStorage }).caches): Promise<boolean> {
  if (!caches) return false;
  return caches.delete(PACKAGE_CACHE_NAME);
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
