/**
 * The reference TokenFlow pipeline, DOM-free: official preprocessing, both encoders, the
 * multi-scale dual-codebook quantizer, the pixel decoder and the uint8 conversion. Node, the
 * browser worker and the tests all run this one implementation; only the GraphRunner differs.
 */
import { centerCropArr, type CenterCropResult } from '../image/center-crop.ts';
import { toModelInput } from '../image/model-input.ts';
import { toImageU8 } from '../image/postprocess.ts';
import type { RgbImage } from '../image/rgb-image.ts';
import { createGraphCodeSearch, type GraphCodeSearch } from '../quantizer/graph-nearest-codes.ts';
import {
  quantizeMultiscale,
  quantizeMultiscaleWith,
  type MultiscaleOptions,
  type MultiscaleQuantization,
} from '../quantizer/multiscale.ts';
import type { GraphRunner } from './graph-runner.ts';
import type { LoadedModel } from './loaded-model.ts';

export interface StageTimings {
  preprocessMs: number;
  semanticEncoderMs: number;
  pixelEncoderMs: number;
  quantizerMs: number;
  decoderMs: number;
}

export interface EncodeResult {
  readonly crop: CenterCropResult;
  /** (1,R,R,3) the official crop. */
  readonly inputU8: Uint8Array;
  /** (1,3,R,R) in [-1, 1]. */
  readonly input: Float32Array;
  /** (1,Ds,S,S) and (1,Dp,S,S), before quantization. */
  readonly semanticFeatures: Float32Array;
  readonly pixelFeatures: Float32Array;
  readonly quantization: MultiscaleQuantization;
}

export interface ReconstructResult extends EncodeResult {
  /** (1,3,R,R) decoder output, unbounded. */
  readonly image: Float32Array;
  /** (1,R,R,3) clamp(127.5y + 128) truncated. */
  readonly imageU8: Uint8Array;
  readonly timings: StageTimings;
}

/**
 * A multi-scale quantizer bound to a model's codebooks and scale plan, with the CPU reference's
 * contract and result; the browser passes the WebGPU one (gpu-quantizer.ts) through this seam.
 */
export type Quantize = (h: Float32Array, options: MultiscaleOptions) => Promise<MultiscaleQuantization>;

export interface EncodeOptions extends MultiscaleOptions {
  /**
   * Default: the CPU quantizer with its code search on the runner's onnxruntime (a helper
   * graph, graph-nearest-codes.ts) where the runner can open one, else the JS reference.
   */
  readonly quantize?: Quantize;
}

const now = () => performance.now();

/** Concatenates (1,Ds,S,S) and (1,Dp,S,S) into h (1,Ds+Dp,S,S), semantic first as the official code does. */
export function concatFeatures(semantic: Float32Array, pixel: Float32Array): Float32Array {
  const h = new Float32Array(semantic.length + pixel.length);
  h.set(semantic, 0);
  h.set(pixel, semantic.length);
  return h;
}

/** The decoder reads only the pixel half of f̂ (channels Ds … Ds+Dp−1). */
export function pixelHalf(fHat: Float32Array, semanticDim: number, pixelDim: number, S: number): Float32Array {
  return fHat.slice(semanticDim * S * S, (semanticDim + pixelDim) * S * S);
}

export async function encodeImage(
  model: LoadedModel,
  source: RgbImage,
  options: EncodeOptions = {},
  timings?: Partial<StageTimings>,
): Promise<EncodeResult> {
  const m = model.manifest;
  let t = now();
  const crop = centerCropArr(source, m.inputSize);
  const input = toModelInput(crop.image).data;
  const inputShape = [1, 3, m.inputSize, m.inputSize];
  if (timings) timings.preprocessMs = now() - t;

  t = now();
  const sem = await model.runner.run('semanticEncoder', { data: input, shape: inputShape });
  if (timings) timings.semanticEncoderMs = now() - t;
  t = now();
  const pix = await model.runner.run('pixelEncoder', { data: input, shape: inputShape });
  if (timings) timings.pixelEncoderMs = now() - t;
  expectShape(sem.shape, [1, m.semanticCodeDim, m.gridSize, m.gridSize], 'semantic encoder output');
  expectShape(pix.shape, [1, m.pixelCodeDim, m.gridSize, m.gridSize], 'pixel encoder output');

  t = now();
  const h = concatFeatures(sem.data, pix.data);
  const quantizerOptions = { weights: options.weights ?? m.distanceWeights, topK: options.topK };
  const quantize = options.quantize ?? cpuQuantizer(model);
  const quantization = await quantize(h, quantizerOptions);
  if (timings) timings.quantizerMs = now() - t;
  return { crop, inputU8: crop.image.data, input, semanticFeatures: sem.data, pixelFeatures: pix.data, quantization };
}

/** The JS reference quantizer (the oracle) bound to a model, for callers that ask for it by name. */
export function referenceQuantizer(model: LoadedModel): Quantize {
  const m = model.manifest;
  return async (h, options) => quantizeMultiscale(h, m.gridSize, m.scales, model.codebooks, options);
}

/** One code-search session per runner (a runner serves one model), released with the runner. */
const codeSearches = new WeakMap<GraphRunner, Promise<GraphCodeSearch>>();

/**
 * The CPU quantizer: the JS residual loop with the K-wide code search on the runner's
 * onnxruntime, ~15× faster than the JS scan and equal to it (graph-nearest-codes.ts).
 */
export function cpuQuantizer(model: LoadedModel): Quantize {
  if (!model.runner.openHelper) return referenceQuantizer(model);
  const m = model.manifest;
  return async (h, options) => {
    const search = await codeSearchFor(model)!;
    return quantizeMultiscaleWith(
      (rows, o) => search.nearest(rows, o),
      h,
      m.gridSize,
      m.scales,
      model.codebooks,
      options,
    );
  };
}

/**
 * Builds and loads the code-search graph now (≈ 0.2 s at K = 32768) rather than inside the
 * first quantization, e.g. while a model loads; a no-op where the runner has no helpers.
 */
export async function prepareCpuQuantizer(model: LoadedModel): Promise<void> {
  await codeSearchFor(model);
}

function codeSearchFor(model: LoadedModel): Promise<GraphCodeSearch> | undefined {
  const { runner } = model;
  if (!runner.openHelper) return undefined;
  let search = codeSearches.get(runner);
  if (!search) {
    search = createGraphCodeSearch(model.codebooks, runner.openHelper.bind(runner));
    // A failed start is not cached, so a later call tries again and reports its own error.
    search.catch(() => codeSearches.delete(runner));
    codeSearches.set(runner, search);
  }
  return search;
}

/** Decodes f̂ (1,Ds+Dp,S,S) to the decoder output (1,3,R,R). */
export async function decodeFHat(model: LoadedModel, fHat: Float32Array): Promise<Float32Array> {
  const m = model.manifest;
  const z = pixelHalf(fHat, m.semanticCodeDim, m.pixelCodeDim, m.gridSize);
  const out = await model.runner.run('pixelDecoder', { data: z, shape: [1, m.pixelCodeDim, m.gridSize, m.gridSize] });
  expectShape(out.shape, [1, 3, m.outputSize, m.outputSize], 'pixel decoder output');
  return out.data;
}

export async function reconstructImage(
  model: LoadedModel,
  source: RgbImage,
  options: EncodeOptions = {},
): Promise<ReconstructResult> {
  const timings: StageTimings = {
    preprocessMs: 0,
    semanticEncoderMs: 0,
    pixelEncoderMs: 0,
    quantizerMs: 0,
    decoderMs: 0,
  };
  const encoded = await encodeImage(model, source, options, timings);
  const t = now();
  const image = await decodeFHat(model, encoded.quantization.fHat);
  timings.decoderMs = now() - t;
  const imageU8 = toImageU8(image, model.manifest.outputSize);
  return { ...encoded, image, imageU8, timings };
}

function expectShape(got: readonly number[], want: readonly number[], what: string): void {
  if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
    throw new Error(`${what} has shape [${got.join(', ')}], the manifest implies [${want.join(', ')}]`);
  }
}
