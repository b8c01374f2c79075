/**
 * Test-only stand-ins for the browser APIs the loader uses (fetch, a storage
 * estimate) and a tiny but valid model package, so the loader's pure logic runs under Vitest
 * in Node. Responses refuse arrayBuffer()/blob(): the loader must stream.
 */
import { createHash } from 'node:crypto';
import type { ModelManifest } from '../core/model-package/manifest.ts';
import { testManifest } from './test-manifest.ts';
import { memoryFolderStore, type FolderStore } from '../runtime/convert/folder-store.ts';

export type FakeFiles = Map<string, Uint8Array>;

/** A streamed response that fails the test if anyone reads it whole. */
class StreamOnlyResponse extends Response {
  override arrayBuffer(): Promise<ArrayBuffer> {
    throw new Error('arrayBuffer() called: model files must be streamed');
  }
  override blob(): Promise<Blob> {
    throw new Error('blob() called: model files must be streamed');
  }
}

export function chunkedResponse(bytes: Uint8Array, chunkBytes: number, headers: Record<string, string> = {}): Response {
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunkBytes));
      at += chunkBytes;
    },
  });
  return new StreamOnlyResponse(body, {
    status: 200,
    headers: { 'content-length': String(bytes.byteLength), ...headers },
  });
}

export interface FakeFetch {
  readonly fetch: typeof fetch;
  /** URLs requested, in order. */
  readonly requested: string[];
}

/** Serves `files` under `base` in chunks of `chunkBytes`; anything else is a 404. */
export function fakeFetch(base: string, files: FakeFiles, chunkBytes: number): FakeFetch {
  const requested: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    const url = String(input);
    requested.push(url);
    const bytes = url.startsWith(base) ? files.get(url.slice(base.length)) : undefined;
    if (!bytes) return new Response('not found', { status: 404, statusText: 'Not Found' });
    return chunkedResponse(bytes, chunkBytes);
  }) as typeof fetch;
  return { fetch: fetchFn, requested };
}

export function quotaExceeded(): Error {
  const e = new Error('The quota has been exceeded.');
  e.name = 'QuotaExceededError';
  return e;
}

/**
 * A valid package with K=2, Ds=2, Dp=1, one 1×1 scale, graph "files" of arbitrary bytes (the
 * loader never parses them) and external data for the decoder.
 */
export function tinyPackage(): { files: FakeFiles; manifest: ModelManifest } {
  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
  const content: [string, Uint8Array][] = [
    ['semantic_encoder.onnx', bytes(20, 1)],
    ['pixel_encoder.onnx', bytes(12, 2)],
    ['pixel_decoder.onnx', bytes(9, 3)],
    ['pixel_decoder.onnx.data', bytes(33, 4)],
    ['codebook_semantic.f32.bin', new Uint8Array(new Float32Array([1, 0, 0, 1]).buffer)],
    ['codebook_pixel.f32.bin', new Uint8Array(new Float32Array([1, -1]).buffer)],
  ];
  const files: FakeFiles = new Map(content);
  const io = (name: string, shape: number[]) => [{ name, dtype: 'float32' as const, shape }];
  const manifest = testManifest({
    name: 'tiny',
    source: { file: 'tiny.pt', bytes: 1, weightsKey: 'model' },
    inputSize: 16,
    gridSize: 1,
    pixelBranchSize: 16,
    outputSize: 16,
    scales: [1],
    numTokens: 1,
    codebookSize: 2,
    semanticCodeDim: 2,
    pixelCodeDim: 1,
    graphs: {
      semanticEncoder: {
        file: 'semantic_encoder.onnx',
        externalData: [],
        inputs: io('image', [1, 3, 16, 16]),
        outputs: io('semantic', [1, 2, 1, 1]),
      },
      pixelEncoder: {
        file: 'pixel_encoder.onnx',
        externalData: [],
        inputs: io('image', [1, 3, 16, 16]),
        outputs: io('pixel', [1, 1, 1, 1]),
      },
      pixelDecoder: {
        file: 'pixel_decoder.onnx',
        externalData: ['pixel_decoder.onnx.data'],
        inputs: io('z', [1, 1, 1, 1]),
        outputs: io('image', [1, 3, 16, 16]),
      },
    },
    codebooks: {
      semantic: { file: 'codebook_semantic.f32.bin', dtype: 'float32', shape: [2, 2], normalized: true },
      pixel: { file: 'codebook_pixel.f32.bin', dtype: 'float32', shape: [2, 1], normalized: true },
    },
    files: content.map(([path, b]) => ({
      path,
      bytes: b.byteLength,
      sha256: createHash('sha256').update(b).digest('hex'),
    })),
  });
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  return { files, manifest };
}

/**
 * The in-memory FolderStore (the same one a failed OPFS falls back to) standing in for OPFS,
 * with the faults the download store must survive: writes refused with a QuotaExceededError
 * once `quotaBytes` have been written in all.
 */
export function fakeOpfs(options: { quotaBytes?: number } = {}): FolderStore & { written(): number } {
  const inner = memoryFolderStore('fake OPFS');
  let written = 0;
  return {
    ...inner,
    written: () => written,
    async create(folder, file) {
      const sink = await inner.create(folder, file);
      return {
        async write(chunk) {
          if (options.quotaBytes !== undefined && written + chunk.byteLength > options.quotaBytes)
            throw quotaExceeded();
          written += chunk.byteLength;
          await sink.write(chunk);
        },
        close: () => sink.close(),
      };
    },
  };
}

/** Replaces one stored file's bytes, as disk damage or a half-finished write would. */
export async function overwriteStored(
  store: FolderStore,
  folder: string,
  file: string,
  bytes: Uint8Array,
): Promise<void> {
  const sink = await store.create(folder, file);
  await sink.write(bytes);
  await sink.close();
}
