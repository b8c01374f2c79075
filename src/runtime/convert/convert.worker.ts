/**
 * The conversion worker: a dropped checkpoint becomes a model package here, off the page's
 * thread, written to OPFS through synchronous access handles (only workers have them).
 */
/// <reference lib="webworker" />
import type { ConvertRequest, ConvertToPage } from './messages.ts';
import { openOpfsFolderStore } from './opfs-folder-store.ts';
import { runConversion } from './run-conversion.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: ConvertToPage, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

// Bytes arrive per chunk; the page needs a few updates a second, not thousands.
const BYTES_EVERY_MS = 100;

scope.onmessage = async (e: MessageEvent<ConvertRequest>) => {
  const { id, file, precision } = e.data;
  let lastBytes = 0;
  try {
    const r = await runConversion(file, file.name, precision, openOpfsFolderStore, {
      onProgress: (stage, message) => post({ type: 'progress', id, stage, message }),
      onBytes: (bytesWritten) => {
        const now = performance.now();
        if (now - lastBytes < BYTES_EVERY_MS) return;
        lastBytes = now;
        post({ type: 'bytes', id, bytesWritten });
      },
    });
    if (r.fallbackReason === undefined) {
      post({ type: 'done', id, manifest: r.manifest, store: { kind: 'opfs', folder: r.folder } });
      return;
    }
    const files = await Promise.all(
      (await r.store.files(r.folder)).map(async (path) => ({
        path,
        bytes: new Uint8Array(await (await r.store.read(r.folder, path)).arrayBuffer()),
      })),
    );
    post(
      { type: 'done', id, manifest: r.manifest, store: { kind: 'memory', reason: r.fallbackReason, files } },
      files.map((f) => f.bytes.buffer as ArrayBuffer),
    );
  } catch (err) {
    post({ type: 'failed', id, message: (err as Error).message ?? String(err) });
  }
};
