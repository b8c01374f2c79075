import { describe, expect, it } from 'vitest';
import { GRAPH_NAMES, type ModelManifest } from '../core/model-package/manifest.ts';
import type { GraphRunner } from '../core/pipeline/graph-runner.ts';
import { readVerified, type PackageReader } from '../core/pipeline/package-reader.ts';
import { loadModelFromUrl, openUrlPackage, type LoadProgress } from './model-loader.ts';
import type { FolderStore } from './convert/folder-store.ts';
import type { CacheReport } from './package-cache.ts';
import { fakeFetch, fakeOpfs, overwriteStored, tinyPackage } from '../test-support/browser-fakes.ts';

const BASE = 'https://models.test/tiny/';

/** Reads every graph and external-data file the way ort-web-runner does, runs nothing. */
async function fakeRunner(manifest: ModelManifest, reader: PackageReader): Promise<GraphRunner> {
  for (const g of GRAPH_NAMES) {
    await readVerified(reader, manifest, manifest.graphs[g].file);
    for (const path of manifest.graphs[g].externalData) await readVerified(reader, manifest, path);
  }
  return { backend: 'fake', run: () => Promise.reject(new Error('not a real runner')), release: async () => {} };
}

/** Each event as a short line; consecutive progress events of a file become one "progress…" line. */
function summarise(events: LoadProgress[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const line =
      e.status === 'ready' ? 'ready' : e.status === 'done' ? `done ${e.file} (${e.from})` : `${e.status} ${e.file}`;
    if (e.status === 'progress' && out[out.length - 1] === `progress… ${e.file}`) continue;
    out.push(e.status === 'progress' ? `progress… ${e.file}` : line);
  }
  return out;
}

async function load(
  options: {
    store?: FolderStore | null;
    storage?: { estimate(): Promise<StorageEstimate> } | null;
    chunk?: number;
  } = {},
) {
  const { files } = tinyPackage();
  const net = fakeFetch(BASE, files, options.chunk ?? 8);
  const events: LoadProgress[] = [];
  const reports: CacheReport[] = [];
  const loaded = await loadModelFromUrl(BASE, fakeRunner, {
    fetch: net.fetch,
    store: options.store ?? null,
    caches: null,
    storage: options.storage ?? null,
    onProgress: (e) => events.push(e),
    onCache: (r) => reports.push(r),
  });
  return { loaded, events, reports, requested: net.requested, files };
}

const FILE_ORDER = [
  'codebook_semantic.f32.bin',
  'codebook_pixel.f32.bin',
  'semantic_encoder.onnx',
  'pixel_encoder.onnx',
  'pixel_decoder.onnx',
  'pixel_decoder.onnx.data',
];

describe('loading a model package over HTTP', () => {
  it('reports initiate → progress… → done for every file, manifest first, then ready (transformers.js vocabulary)', async () => {
    const { events } = await load();
    expect(summarise(events)).toEqual([
      'initiate manifest.json',
      'progress… manifest.json',
      'done manifest.json (network)',
      ...FILE_ORDER.flatMap((f) => [`initiate ${f}`, `progress… ${f}`, `done ${f} (network)`]),
      'ready',
    ]);
    // One file in full: 20 bytes in chunks of 8.
    const sem = events.filter((e) => e.status === 'progress' && e.file === 'semantic_encoder.onnx');
    expect(sem).toEqual([
      {
        status: 'progress',
        name: 'https://models.test/tiny',
        file: 'semantic_encoder.onnx',
        loaded: 8,
        total: 20,
        progress: 40,
      },
      {
        status: 'progress',
        name: 'https://models.test/tiny',
        file: 'semantic_encoder.onnx',
        loaded: 16,
        total: 20,
        progress: 80,
      },
      {
        status: 'progress',
        name: 'https://models.test/tiny',
        file: 'semantic_encoder.onnx',
        loaded: 20,
        total: 20,
        progress: 100,
      },
    ]);
    for (const f of ['manifest.json', ...FILE_ORDER]) {
      const p = events.filter(
        (e): e is Extract<LoadProgress, { status: 'progress' }> => e.status === 'progress' && e.file === f,
      );
      expect(p.map((e) => e.loaded)).toEqual([...p.map((e) => e.loaded)].sort((a, b) => a - b));
      expect(p[p.length - 1].loaded, f).toBe(p[p.length - 1].total);
    }
  });

  it('emits progress at most every progressStepBytes of a file, and always at its end', async () => {
    const { files } = tinyPackage();
    const events: LoadProgress[] = [];
    const pkg = await openUrlPackage(BASE, {
      fetch: fakeFetch(BASE, files, 4).fetch,
      store: null,
      caches: null,
      storage: null,
      progressStepBytes: 10,
      onProgress: (e) => events.push(e),
    });
    await pkg.reader.readFile('pixel_decoder.onnx.data');
    const loaded = events
      .filter((e) => e.status === 'progress' && e.file === 'pixel_decoder.onnx.data')
      .map((e) => (e as { loaded: number }).loaded);
    // 33 bytes in chunks of 4: the first chunk, then every ≥10 bytes, then the end.
    expect(loaded).toEqual([4, 16, 28, 33]);
  });

  it('streams each file into a buffer of exactly the manifest size (never response.arrayBuffer())', async () => {
    const { files } = tinyPackage();
    const pkg = await openUrlPackage(BASE, {
      fetch: fakeFetch(BASE, files, 5).fetch,
      store: null,
      caches: null,
      storage: null,
    });
    for (const f of pkg.manifest.files) {
      const bytes = await pkg.reader.readFile(f.path);
      expect(bytes.buffer.byteLength, f.path).toBe(f.bytes);
      expect(Array.from(bytes)).toEqual(Array.from(files.get(f.path)!));
    }
  });

  it('a second load reads every file from browser storage and fetches only the manifest, without hashing again', async () => {
    const store = fakeOpfs();
    const first = await load({ store });
    expect(first.reports).toEqual([{ store: 'opfs' }]);
    const second = await load({ store });
    expect(second.requested).toEqual([`${BASE}manifest.json`]);
    expect(second.events.filter((e) => e.status === 'done').map((e) => (e as { from: string }).from)).toEqual([
      'network',
      ...FILE_ORDER.map(() => 'cache'),
    ]);
    expect(second.loaded.model.codebooks.semantic).toEqual(new Float32Array([1, 0, 0, 1]));
    for (const f of FILE_ORDER) expect(second.loaded.package.reader.verifiedWhenStored?.(f), f).toBe(true);
  });

  it('keeps files in memory, and says why, when there is no persistent store or it is too small', async () => {
    const missing = await load({ store: null });
    expect(missing.reports).toEqual([
      { store: 'memory', reason: expect.stringMatching(/no persistent browser storage/) },
    ]);

    const store = fakeOpfs();
    const small = await load({ store, storage: { estimate: async () => ({ quota: 100, usage: 90 }) } });
    expect(small.reports[0]).toEqual({
      store: 'memory',
      reason: expect.stringMatching(
        new RegExp(
          '^not enough browser storage: this 113 B|' +
            'not enough browser storage: this 0\\.0 MB model needs 0\\.0 MB more, but only 0\\.0 MB is free',
        ),
      ),
    });
    expect(
      small.events.filter((e) => e.status === 'done').every((e) => (e as { from: string }).from === 'network'),
    ).toBe(true);
    expect(await store.folders()).toEqual([]);
  });

  it('switches to memory when the store fills up mid-load, reports it, and still serves every file without the network', async () => {
    const store = fakeOpfs({ quotaBytes: 300 });
    const { reports, loaded, requested } = await load({ store });
    expect(reports).toEqual([
      { store: 'opfs' },
      { store: 'memory', reason: expect.stringMatching(/storage became full while storing semantic_encoder\.onnx/) },
    ]);
    expect(loaded.package.cache().store).toBe('memory');
    // Re-reading (as a GPU-loss reload does) needs no network: the first files from the disk, the rest from memory.
    const fetched = requested.length;
    for (const f of FILE_ORDER) await loaded.package.reader.readFile(f);
    expect(requested.length).toBe(fetched);
  });

  it('downloads again what the browser evicted', async () => {
    const store = fakeOpfs();
    await load({ store });
    await store.remove((await store.folders())[0]);
    const second = await load({ store });
    expect(second.requested).toHaveLength(2);
    expect(second.reports).toEqual([{ store: 'opfs' }]);
  });

  it('detects a stored file cut short, downloads it again and says so', async () => {
    const store = fakeOpfs();
    const first = await load({ store });
    const entry = first.loaded.model.manifest.files.find((f) => f.path === 'pixel_encoder.onnx')!;
    await overwriteStored(store, entry.sha256, 'data', new Uint8Array(5));
    const second = await load({ store });
    expect(second.requested).toEqual([`${BASE}manifest.json`, `${BASE}pixel_encoder.onnx`]);
    expect(second.reports.at(-1)).toEqual({
      store: 'opfs',
      repaired: [
        'pixel_encoder.onnx: the stored copy was damaged (it has 5 bytes, the manifest says 12); downloaded again',
      ],
    });
    const third = await load({ store });
    expect(third.requested).toEqual([`${BASE}manifest.json`]);
  });

  it('a stored file damaged in place (right size) is found by recheck when its graph fails to load, then downloaded again', async () => {
    const store = fakeOpfs();
    const first = await load({ store });
    const entry = first.loaded.model.manifest.files.find((f) => f.path === 'pixel_decoder.onnx')!;
    await overwriteStored(store, entry.sha256, 'data', new Uint8Array(entry.bytes));
    const second = await load({ store });
    const reader = second.loaded.package.reader;
    expect(await reader.recheck!('pixel_encoder.onnx')).toBe(false);
    expect(await reader.recheck!('pixel_decoder.onnx')).toBe(true);
    expect(second.loaded.package.cache().repaired).toEqual([
      'pixel_decoder.onnx: the stored copy did not match its sha256; downloaded again',
    ]);
    const bytes = await readVerified(reader, second.loaded.model.manifest, 'pixel_decoder.onnx');
    expect(Array.from(bytes)).toEqual(Array.from(second.files.get('pixel_decoder.onnx')!));
    expect(second.requested.at(-1)).toBe(`${BASE}pixel_decoder.onnx`);
  });

  it('fails naming the URL and both sizes when a file is longer or shorter than the manifest says', async () => {
    const { files } = tinyPackage();
    const longer = new Map(files);
    longer.set('pixel_encoder.onnx', new Uint8Array(13));
    const pkg = await openUrlPackage(BASE, {
      fetch: fakeFetch(BASE, longer, 8).fetch,
      store: null,
      caches: null,
      storage: null,
    });
    await expect(pkg.reader.readFile('pixel_encoder.onnx')).rejects.toThrow(
      `${BASE}pixel_encoder.onnx: the server sends 13 bytes (Content-Length), the manifest says 12`,
    );
  });

  it('refuses a corrupt download (right size, wrong sha256) and does not keep it', async () => {
    const { files } = tinyPackage();
    const corrupt = new Map(files);
    corrupt.set('pixel_encoder.onnx', new Uint8Array(12));
    const store = fakeOpfs();
    const pkg = await openUrlPackage(BASE, {
      fetch: fakeFetch(BASE, corrupt, 8).fetch,
      store,
      caches: null,
      storage: null,
    });
    await expect(pkg.reader.readFile('pixel_encoder.onnx')).rejects.toThrow(
      /pixel_encoder\.onnx has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}/,
    );
    expect(await store.folders()).toEqual([]);
  });

  it('names the URL when there is no package there', async () => {
    await expect(
      openUrlPackage('https://models.test/none', {
        fetch: fakeFetch(BASE, new Map(), 8).fetch,
        store: null,
        caches: null,
        storage: null,
      }),
    ).rejects.toThrow('https://models.test/none/manifest.json: HTTP 404 Not Found (no model package at this URL?)');
  });
});
