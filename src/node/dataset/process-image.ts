/**
 * One dataset file through the one pipeline (reconstructImage), with everything the report
 * needs: the metrics, the codebook usage and the health findings naming the stage where a
 * problem first appeared. Returns the reconstruction and tokens for the caller to write; keeps
 * nothing else.
 */
import { centerCropArr } from '../../core/image/center-crop.ts';
import { decoderOutputHealth } from '../../core/image/postprocess.ts';
import type { RgbImage } from '../../core/image/rgb-image.ts';
import { codebookUsage } from '../../core/metrics/codebook-usage.ts';
import {
  assessHealth,
  firstProblemStage,
  healthStatus,
  sortFindings,
  type StageObservations,
} from '../../core/metrics/health.ts';
import { officialPsnr, officialSsim } from '../../core/metrics/official-eval.ts';
import { psnrU8 } from '../../core/metrics/psnr.ts';
import { ssimU8 } from '../../core/metrics/ssim.ts';
import { featureMapStats, imageU8Stats } from '../../core/metrics/tensor-stats.ts';
import type { LoadedModel } from '../../core/pipeline/loaded-model.ts';
import { reconstructImage, type ReconstructResult } from '../../core/pipeline/tokenflow-pipeline.ts';
import { readImageBytes, type ImageRead } from '../image-io.ts';
import { classifyFile, conversionFindings } from './image-file.ts';
import type { ImageMetrics, ProcessedRecord, SkippedRecord } from './records.ts';
import { failingStage, type StageProbe } from './stage-probe.ts';

export type ImageOutcome =
  | { readonly kind: 'skipped'; readonly record: SkippedRecord }
  | {
      readonly kind: 'processed';
      /** Without `recon` and `tokens`, which the caller fills in once it has written them. */
      readonly record: Omit<ProcessedRecord, 'recon' | 'tokens'>;
      /** outputSize² RGB, when the pipeline got that far. */
      readonly reconU8?: Uint8Array;
      readonly indices?: Int32Array;
    };

/**
 * @param model a model whose runner is `probe.runner`, so stage outputs are observed.
 * @param path the file's path relative to the input folder, for the record and messages.
 */
export async function processImage(
  model: LoadedModel,
  probe: StageProbe,
  bytes: Uint8Array,
  path: string,
): Promise<ImageOutcome> {
  const started = performance.now();
  const kind = classifyFile(bytes);
  if (kind.kind === 'not-image') return { kind: 'skipped', record: { path, status: 'skipped', reason: kind.reason } };
  let read: ImageRead;
  try {
    read = await readImageBytes(bytes, path);
  } catch (e) {
    return { kind: 'skipped', record: { path, status: 'unreadable', reason: (e as Error).message } };
  }
  const image = read.image;

  const m = model.manifest;
  probe.reset();
  let result: ReconstructResult | undefined;
  let failure: StageObservations['failure'];
  try {
    result = await reconstructImage(model, image);
  } catch (e) {
    failure = { stage: failingStage(probe), message: (e as Error).message };
  }

  // On failure the crop is redone (same function) only to describe the input.
  const crop = result?.inputU8 ?? tryCrop(image, m.inputSize);
  const C = m.semanticCodeDim + m.pixelCodeDim;
  const observations: StageObservations = {
    preprocess: crop
      ? { sourceWidth: image.width, sourceHeight: image.height, inputSize: m.inputSize, crop: imageU8Stats(crop) }
      : undefined,
    semanticEncoder: probe.outputs.get('semanticEncoder'),
    pixelEncoder: probe.outputs.get('pixelEncoder'),
    quantizer: result && {
      usage: codebookUsage(result.quantization.indices, m.codebookSize),
      fHat: featureMapStats(result.quantization.fHat, [1, C, m.gridSize, m.gridSize]),
    },
    decoder: result && {
      output: decoderOutputHealth(result.image),
      stats: probe.outputs.get('pixelDecoder') ?? featureMapStats(result.image, [1, 3, m.outputSize, m.outputSize]),
    },
    postprocess: result && imageU8Stats(result.imageU8),
    failure,
  };
  const health = sortFindings([...conversionFindings(read), ...assessHealth(observations)]);

  const metricsStart = performance.now();
  const metrics =
    result && m.outputSize === m.inputSize ? imageMetrics(result.inputU8, result.imageU8, m.inputSize) : undefined;
  const metricsMs = performance.now() - metricsStart;
  const dec = observations.decoder?.output;
  const finite = dec ? dec.total - dec.nan - dec.posInf - dec.negInf : 0;
  const usage = observations.quantizer?.usage;

  const record: Omit<ProcessedRecord, 'recon' | 'tokens'> = {
    path,
    status: healthStatus(health),
    format: read.format,
    ...(read.header.orientation ? { exifOrientation: read.header.orientation.value } : {}),
    width: image.width,
    height: image.height,
    ...(metrics ? { metrics } : {}),
    ...(usage
      ? { codebook: { distinct: usage.distinct, tokens: usage.tokens, K: usage.codebookSize, usage: usage.usage } }
      : {}),
    ...(dec
      ? {
          decoderOutput: {
            min: finiteOrNull(dec.min),
            max: finiteOrNull(dec.max),
            clipped: finite ? (dec.clampedLow + dec.clampedHigh) / finite : 0,
          },
        }
      : {}),
    health,
    firstProblemStage: firstProblemStage(health) ?? null,
    timingsMs: { ...(result?.timings ?? {}), ...(metrics ? { metricsMs } : {}), totalMs: performance.now() - started },
  };
  return { kind: 'processed', record, reconU8: result?.imageU8, indices: result?.quantization.indices };
}

/** Standard and official metrics of the uint8 crop vs the uint8 reconstruction (both size²). */
export function imageMetrics(cropU8: Uint8Array, reconU8: Uint8Array, size: number): ImageMetrics {
  return {
    psnr: finiteOrNull(psnrU8(cropU8, reconU8)),
    ssim: ssimU8(cropU8, reconU8, size, size),
    official: { psnr: finiteOrNull(officialPsnr(cropU8, reconU8)), ssim: officialSsim(cropU8, reconU8, size, size) },
  };
}

function tryCrop(image: RgbImage, size: number): Uint8Array | undefined {
  try {
    return centerCropArr(image, size).image.data;
  } catch {
    return undefined;
  }
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
