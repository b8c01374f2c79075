/**
 * Where downloaded model files are kept between visits: the Origin Private File System (one
 * folder per file, named by its sha256, holding the bytes and a record of the check), memory
 * otherwise (for this page's life only, so a GPU-loss reload still needs no second download).
 *
 * A released package is 1.4–2.2 GB, so: the download streams to disk (never a whole-file
 * buffer), the sha256 is checked once, when the file is stored, and recorded beside it — a later
 * visit trusts a stored file whose record and size match, instead of hashing gigabytes again.
 * A stored file whose size no longer matches is dropped and downloaded again, with a note.
 * Cache Storage is not used: it refused a 346 MB entry with "Unexpected internal error".
 */
import type { PackageFile } from '../core/model-package/manifest.ts';
import type { FolderStore } from './convert/folder-store.ts';
import { openOpfsFolderStore } from './convert/opfs-folder-store.ts';
import { openSyncRead, readAllSync } from './opfs-sync-read.ts';

/** OPFS folder of downloaded files; bump the name when the layout changes. */
export const DOWNLOADS_FOLDER = 'downloads-v1';
/** The Cache Storage cache earlier builds used; deleted on sight so its space comes back. */
export const LEGACY_CACHE_NAME = 'tokenflow-model-packages-v1';
const DATA_FILE = 'data';
/** Written after the bytes verified; its presence (with matching sha256 and size) is the commit. */
const RECORD_FILE = 'verified.json';

export type CacheStoreKind = 'opfs' | 'memory';

export interface CacheReport {
  readonly store: CacheStoreKind;
  /** Why memory is used; absent for OPFS. */
  readonly reason?: string;
  /** Stored files found damaged (and downloaded again) during this load. */
  readonly repaired?: readonly string[];
}

/** What the decision depends on, gathered by openPackageCache (or given by a test). */
export interface StorageFacts {
  /** Why no persistent store could be opened (OPFS missing, refused); undefined when it opened. */
  readonly unavailable?: string;
  /** navigator.storage.estimate(), when available. */
  readonly quota?: number;
  readonly usage?: number;
  /** Bytes of the files not stored yet. */
  readonly neededBytes: number;
  /** Bytes of the whole package, for the message. */
  readonly packageBytes: number;
}

const MEMORY_ONLY = 'the model is kept in memory for this visit only and downloads again next time';

/** Pure: OPFS unless it is missing, refused or too small for what must be added. */
export function decideCacheStore(facts: StorageFacts): CacheReport {
  if (facts.unavailable !== undefined) return { store: 'memory', reason: `${facts.unavailable}; ${MEMORY_ONLY}` };
  if (facts.quota !== undefined && facts.usage !== undefined) {
    const free = Math.max(0, facts.quota - facts.usage);
    if (facts.neededBytes > free) {
      return {
        store: 'memory',
        reason:
          `not enough browser storage: this ${gb(facts.packageBytes)} model needs ${gb(facts.neededBytes)} more, ` +
          `but only ${gb(free)} is free (the browser allows this site ${gb(facts.quota)}, ${gb(facts.usage)} is used); ${MEMORY_ONLY}`,
      };
    }
  }
  return { store: 'opfs' };
}

/** Pure: the report after storing `file` failed; a full store says so, anything else is quoted. */
export function storeFailure(file: string, error: unknown): CacheReport {
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'QuotaExceededError' || /quota|full/i.test(message)) {
    return {
      store: 'memory',
      reason: `browser storage became full while storing ${file}; from there on ${MEMORY_ONLY}`,
    };
  }
  return { store: 'memory', reason: `storing ${file} failed (${message}); ${MEMORY_ONLY}` };
}

/** A stored file: its bytes on disk (OPFS gives a File without reading it) or in memory. */
export type StoredLookup =
  | {
      readonly kind: 'hit';
      readonly blob: Blob;
      readonly where: 'cache' | 'memory';
      /**
       * OPFS in a worker: the bytes through a synchronous access handle (opfs-sync-read.ts: faster
       * than reading the Blob, and freed at once); undefined when no handle could be had.
       */
      readonly readBytes?: () => Promise<Uint8Array | undefined>;
    }
  | { readonly kind: 'miss' }
  /** A record exists but the bytes no longer match it; the entry has been dropped. */
  | { readonly kind: 'damaged'; readonly why: string };

/** Where one file's download goes; `commit` after the bytes verified, `abort` otherwise. */
export interface PendingFile {
  write(chunk: Uint8Array): Promise<void>;
  /** Closes the file and returns it, unverified, for the caller to hash. */
  finish(): Promise<Blob>;
  /** After finish, on OPFS in a worker: its bytes read as a stored file's are (StoredLookup.readBytes). */
  readonly readBytes?: () => Promise<Uint8Array | undefined>;
  /** Records the verified sha256: from now on the file is served without hashing. */
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface PackageCache {
  readonly report: CacheReport;
  lookup(entry: PackageFile): Promise<StoredLookup>;
  /** Starts storing a file; throws (a quota error, say) when the store refuses it. */
  begin(entry: PackageFile): Promise<PendingFile>;
  /** Drops a file (e.g. one that failed its check when re-hashed). */
  remove(entry: PackageFile): Promise<void>;
  /** After begin/write failed for want of space: switches to memory for the rest of this load. */
  fallBack(file: string, error: unknown): void;
  /** Notes a file that was found damaged and downloaded again (reported through onChange). */
  noteRepaired(message: string): void;
}

export interface CacheEnvironment {
  /** The persistent store; default OPFS `downloads-v1/`. Pass null for "not available". */
  readonly store?: FolderStore | null;
  /** Why `store` is null, for the report. */
  readonly storeUnavailable?: string;
  /** Default: globalThis.navigator.storage. */
  readonly storage?: Pick<StorageManager, 'estimate'> | null;
  /** Default: globalThis.caches (only to delete the legacy cache). */
  readonly caches?: Pick<CacheStorage, 'delete'> | null;
}

/**
 * Opens the download store for a package's files, choosing OPFS or memory with decideCacheStore
 * (the quota is checked before anything is downloaded). `onChange` hears later changes.
 */
export async function openPackageCache(
  files: readonly PackageFile[],
  env: CacheEnvironment = {},
  onChange?: (report: CacheReport) => void,
): Promise<PackageCache> {
  const caches =
    env.caches === undefined ? (globalThis as { caches?: CacheStorage }).caches : (env.caches ?? undefined);
  // An earlier build's Cache Storage copy would count against the quota for nothing.
  await caches?.delete(LEGACY_CACHE_NAME).catch(() => false);
  let store: FolderStore | undefined;
  let dataHandle: DataHandle | undefined;
  let unavailable = env.storeUnavailable;
  if (env.store === undefined) {
    try {
      store = await openOpfsFolderStore(DOWNLOADS_FOLDER);
      dataHandle = opfsDataHandle;
    } catch (e) {
      unavailable = `the Origin Private File System could not be opened (${(e as Error).message})`;
    }
  } else if (env.store === null) {
    unavailable ??= 'no persistent browser storage is available here';
  } else {
    store = env.store;
  }
  let neededBytes = 0;
  if (store) {
    const present = new Set(await store.folders());
    for (const f of files) if (!present.has(f.sha256)) neededBytes += f.bytes;
  }
  const storage =
    env.storage === undefined
      ? (globalThis as { navigator?: { storage?: Pick<StorageManager, 'estimate'> } }).navigator?.storage
      : (env.storage ?? undefined);
  let quota: number | undefined;
  let usage: number | undefined;
  if (store && neededBytes > 0 && storage?.estimate) {
    try {
      ({ quota, usage } = await storage.estimate());
    } catch {
      // No estimate: try storing and let a failed write decide.
    }
  }
  const packageBytes = files.reduce((a, f) => a + f.bytes, 0);
  const initial = decideCacheStore({ unavailable, quota, usage, neededBytes, packageBytes });
  return createCache(store, initial, onChange, dataHandle);
}

/** The OPFS handle of a stored file's bytes, for a synchronous read. */
type DataHandle = (sha256: string) => Promise<FileSystemFileHandle>;

async function opfsDataHandle(sha256: string): Promise<FileSystemFileHandle> {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(DOWNLOADS_FOLDER);
  return (await root.getDirectoryHandle(sha256)).getFileHandle(DATA_FILE);
}

function createCache(
  store: FolderStore | undefined,
  initial: CacheReport,
  onChange?: (report: CacheReport) => void,
  dataHandle?: DataHandle,
): PackageCache {
  let report = initial;
  // Memory entries are Blobs: the browser may keep big ones on disk, and JS holds no copy.
  const memory = new Map<string, Blob>();
  const change = (next: CacheReport) => {
    report = next;
    onChange?.(report);
  };
  /** OPFS in a worker: a stored file's bytes through a synchronous access handle (opfs-sync-read.ts). */
  const syncReader = (entry: PackageFile) =>
    dataHandle &&
    (async () => {
      const t0 = performance.now();
      const access = await dataHandle(entry.sha256)
        .then(openSyncRead)
        .catch(() => undefined);
      if (!access) return undefined;
      const bytes = readAllSync(access, entry.bytes, `OPFS ${DOWNLOADS_FOLDER}/${entry.sha256}/${DATA_FILE}`);
      // A User Timing entry, so DevTools and bench:released show which reads took this path.
      performance.measure(`tokenflow ${entry.path}: sync read`, { start: t0 });
      return bytes;
    });
  return {
    get report() {
      return report;
    },
    async lookup(entry) {
      const inMemory = memory.get(entry.sha256);
      if (inMemory) return { kind: 'hit', blob: inMemory, where: 'memory' };
      // Files stored before a switch to memory are still on disk.
      if (!store) return { kind: 'miss' };
      const names = await store.files(entry.sha256);
      if (!names.includes(RECORD_FILE)) {
        // An interrupted download: never trusted, its space given back.
        if (names.length > 0) await store.remove(entry.sha256);
        return { kind: 'miss' };
      }
      let why: string | undefined;
      let blob: Blob | undefined;
      try {
        const record = JSON.parse(await (await store.read(entry.sha256, RECORD_FILE)).text()) as Partial<StoredRecord>;
        blob = await store.read(entry.sha256, DATA_FILE);
        if (record.sha256 !== entry.sha256 || record.bytes !== entry.bytes)
          why = `its record says ${record.bytes} bytes with sha256 ${record.sha256}`;
        else if (blob.size !== entry.bytes) why = `it has ${blob.size} bytes, the manifest says ${entry.bytes}`;
      } catch (e) {
        why = `it could not be read (${(e as Error).message})`;
      }
      if (why === undefined && blob) return { kind: 'hit', blob, where: 'cache', readBytes: syncReader(entry) };
      await store.remove(entry.sha256);
      return { kind: 'damaged', why: why ?? 'it could not be read' };
    },
    async begin(entry) {
      if (report.store === 'opfs' && store)
        return { ...(await beginOnDisk(store, entry)), readBytes: syncReader(entry) };
      return beginInMemory(memory, entry);
    },
    async remove(entry) {
      memory.delete(entry.sha256);
      await store?.remove(entry.sha256);
    },
    fallBack(file, error) {
      if (report.store === 'memory') return;
      change(storeFailure(file, error));
    },
    noteRepaired(message) {
      change({ ...report, repaired: [...(report.repaired ?? []), message] });
    },
  };
}

interface StoredRecord {
  readonly sha256: string;
  readonly bytes: number;
  readonly verifiedAt: string;
}

async function beginOnDisk(store: FolderStore, entry: PackageFile): Promise<PendingFile> {
  await store.remove(entry.sha256);
  const sink = await store.create(entry.sha256, DATA_FILE);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await sink.close();
  };
  return {
    write: (chunk) => sink.write(chunk),
    async finish() {
      await close();
      return store.read(entry.sha256, DATA_FILE);
    },
    async commit() {
      const record: StoredRecord = { sha256: entry.sha256, bytes: entry.bytes, verifiedAt: new Date().toISOString() };
      const out = await store.create(entry.sha256, RECORD_FILE);
      await out.write(new TextEncoder().encode(JSON.stringify(record)));
      await out.close();
    },
    async abort() {
      await close().catch(() => undefined);
      await store.remove(entry.sha256);
    },
  };
}

function beginInMemory(memory: Map<string, Blob>, entry: PackageFile): PendingFile {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let blob: Blob | undefined;
  return {
    async write(chunk) {
      // Copied: the reader may reuse its chunk.
      chunks.push(chunk.slice() as Uint8Array<ArrayBuffer>);
    },
    async finish() {
      blob = new Blob(chunks);
      chunks.length = 0;
      return blob;
    },
    async commit() {
      if (blob) memory.set(entry.sha256, blob);
    },
    async abort() {
      chunks.length = 0;
      blob = undefined;
    },
  };
}

/** Deletes every downloaded model file (and the legacy cache); resolves to whether there was anything. */
export async function clearPackageCache(): Promise<boolean> {
  let deleted = false;
  const caches = (globalThis as { caches?: CacheStorage }).caches;
  if (caches) deleted = (await caches.delete(LEGACY_CACHE_NAME).catch(() => false)) || deleted;
  const storage = (globalThis as { navigator?: Navigator }).navigator?.storage;
  if (storage && typeof storage.getDirectory === 'function') {
    try {
      await (await storage.getDirectory()).removeEntry(DOWNLOADS_FOLDER, { recursive: true });
      deleted = true;
    } catch (e) {
      if ((e as DOMException).name !== 'NotFoundError') throw e;
    }
  }
  return deleted;
}

function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
