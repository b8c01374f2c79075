/**
 * The page's side of the conversion worker: one promise per conversion, progress by callback.
 * A memory fallback comes back as Files, so it loads through the engine's 'files' source.
 */
import type { Precision } from '../../../export/onnx/streaming-writer.ts';
import type { ModelManifest } from '../../core/model-package/manifest.ts';
import type { PackageSource } from '../package-source.ts';
import type { ConvertRequest, ConvertToPage } from './messages.ts';

export interface ConvertProgress {
  readonly stage: string;
  readonly message: string;
  readonly bytesWritten: number;
}

export interface Converted {
  readonly manifest: ModelManifest;
  readonly source: PackageSource;
  /** Why the package is in memory only; absent when it is stored in OPFS. */
  readonly memoryReason?: string;
}

let nextId = 1;

export function convertCheckpoint(
  file: File,
  precision: Precision,
  onProgress: (p: ConvertProgress) => void,
): { done: Promise<Converted>; cancel: () => void } {
  const worker = new Worker(new URL('./convert.worker.ts', import.meta.url), {
    type: 'module',
    name: 'tokenflow-convert',
  });
  const id = nextId++;
  let stage = 'start';
  let message = `converting ${file.name}`;
  let bytesWritten = 0;
  let reject: (e: Error) => void = () => {};
  const done = new Promise<Converted>((resolve, rej) => {
    reject = rej;
    worker.onmessage = (e: MessageEvent<ConvertToPage>) => {
      const m = e.data;
      if (m.id !== id) return;
      if (m.type === 'progress') ({ stage, message } = m);
      if (m.type === 'bytes') bytesWritten = m.bytesWritten;
      if (m.type === 'progress' || m.type === 'bytes') onProgress({ stage, message, bytesWritten });
      if (m.type === 'failed') rej(new Error(m.message));
      if (m.type === 'done') {
        const s = m.store;
        resolve(
          s.kind === 'opfs'
            ? { manifest: m.manifest, source: { kind: 'opfs', folder: s.folder } }
            : {
                manifest: m.manifest,
                memoryReason: s.reason,
                source: {
                  kind: 'files',
                  label: file.name,
                  files: s.files.map((f) => new File([f.bytes as Uint8Array<ArrayBuffer>], f.path)),
                },
              },
        );
      }
      if (m.type === 'done' || m.type === 'failed') worker.terminate();
    };
    worker.onerror = (e) => {
      rej(new Error(`the conversion worker failed: ${e.message}`));
      worker.terminate();
    };
  });
  worker.postMessage({ type: 'convert', id, file, precision } satisfies ConvertRequest);
  return {
    done,
    cancel: () => {
      // Terminating leaves an uncommitted folder; the next conversion's sweep deletes it.
      worker.terminate();
      reject(new Error(`the conversion of ${file.name} was cancelled`));
    },
  };
}
