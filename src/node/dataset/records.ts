/**
 * One line of results.jsonl per input file: the dataset run's durable log. A rerun skips every
 * path already in it, and the summary and the HTML page are rebuilt from it alone (plus
 * tokens.bin), so nothing per image has to stay in memory. Format: docs/dataset-tokens.md.
 */
import type { HealthFinding, PipelineStage } from '../../core/metrics/health.ts';
import type { StageTimings } from '../../core/pipeline/tokenflow-pipeline.ts';
import type { ExifOrientation } from '../../core/image/image-header.ts';
import type { NodeImageFormat } from '../image-io.ts';

/** ok / warning / error: processed, with the worst health finding's severity. */
export type ProcessedStatus = 'ok' | 'warning' | 'error';
/** unreadable: an image file that could not be read or decoded; skipped: not an image we read. */
export type FileStatus = ProcessedStatus | 'unreadable' | 'skipped';

export interface ImageMetrics {
  /** Standard PSNR (dB), uint8 crop vs uint8 reconstruction, data range 255; null when identical (∞). */
  readonly psnr: number | null;
  /** Standard SSIM: Gaussian σ=1.5 window, data range 255. */
  readonly ssim: number;
  /** The official evaluation's variants (reconstruction_vq_ddp.py), quirks included. */
  readonly official: { readonly psnr: number | null; readonly ssim: number };
}

export interface ProcessedRecord {
  /** Path relative to the input folder, '/'-separated. */
  readonly path: string;
  readonly status: ProcessedStatus;
  readonly format: NodeImageFormat;
  /** Stored size: what the official code sees (EXIF orientation is not applied). */
  readonly width: number;
  readonly height: number;
  /** The file's EXIF orientation tag, when it has one (reported, not applied, as in the official code). */
  readonly exifOrientation?: ExifOrientation;
  /** The reconstruction PNG relative to the output folder; absent when the pipeline failed. */
  readonly recon?: string;
  /** Record number in tokens.bin; absent when the pipeline failed before the tokens. */
  readonly tokens?: number;
  readonly metrics?: ImageMetrics;
  /** distinct codes among the joint indices; usage = distinct / K. */
  readonly codebook?: {
    readonly distinct: number;
    readonly tokens: number;
    readonly K: number;
    readonly usage: number;
  };
  /** Decoder output range and the share of values the uint8 conversion clipped. */
  readonly decoderOutput?: { readonly min: number | null; readonly max: number | null; readonly clipped: number };
  readonly health: readonly HealthFinding[];
  /** The stage where the first error (else warning) appeared; null when healthy. */
  readonly firstProblemStage: PipelineStage | null;
  readonly timingsMs: Partial<StageTimings> & { readonly metricsMs?: number; readonly totalMs: number };
}

export interface SkippedRecord {
  readonly path: string;
  readonly status: 'unreadable' | 'skipped';
  readonly reason: string;
}

export type FileRecord = ProcessedRecord | SkippedRecord;

export function isProcessed(r: FileRecord): r is ProcessedRecord {
  return r.status === 'ok' || r.status === 'warning' || r.status === 'error';
}

const STATUSES: readonly FileStatus[] = ['ok', 'warning', 'error', 'unreadable', 'skipped'];

/** Parses one results.jsonl line; throws naming the file and line when it is not a record. */
export function parseRecord(line: string, where: string): FileRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  const r = value as Partial<FileRecord> | null;
  if (!r || typeof r !== 'object' || typeof r.path !== 'string' || !STATUSES.includes(r.status as FileStatus)) {
    throw new Error(`${where}: not a dataset record (needs "path" and "status" one of ${STATUSES.join(', ')})`);
  }
  return r as FileRecord;
}
