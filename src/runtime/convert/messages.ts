/**
 * The contract between the page and the conversion worker: one conversion per request, its
 * progress as events, and where the package ended up (OPFS, or memory with the reason).
 */
import type { ExportProgress } from '../../../export/export-package.ts';
import type { ModelManifest } from '../../core/model-package/manifest.ts';
import type { Precision } from '../../../export/onnx/streaming-writer.ts';

export interface ConvertRequest {
  readonly type: 'convert';
  readonly id: number;
  readonly file: File;
  readonly precision: Precision;
}

export type ConvertStore =
  | { readonly kind: 'opfs'; readonly folder: string }
  /** OPFS was unavailable or full: the files come back to the page, kept for this visit only. */
  | {
      readonly kind: 'memory';
      readonly reason: string;
      readonly files: readonly { readonly path: string; readonly bytes: Uint8Array }[];
    };

export type ConvertToPage =
  | {
      readonly type: 'progress';
      readonly id: number;
      readonly stage: ExportProgress['stage'] | 'storage';
      readonly message: string;
    }
  | { readonly type: 'bytes'; readonly id: number; readonly bytesWritten: number }
  | { readonly type: 'done'; readonly id: number; readonly manifest: ModelManifest; readonly store: ConvertStore }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
