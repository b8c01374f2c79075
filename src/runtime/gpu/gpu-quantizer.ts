/**
 * TokenFlow's multi-scale dual-codebook quantizer (docs/spec.md §4, §4.1) on WebGPU. Same contract and
 * result type as the CPU reference `quantizeMultiscale`, so callers can switch between them.
 * Every scale runs on the GPU without a read-back in between: area-downsample the residual,
 * search the codebook, gather q_s, bicubic-upsample it and update f̂ and the residual; the
 * results of all scales are read back once at the end.
 *
 * Arithmetic is float32 throughout (dot products of 32 and 8 dims accumulate in f32), against the
 * reference's float64: distances differ by a few float32 ulps (≈1e-6 near d ≈ 2), so indices
 * agree except where the reference margin is below ~1e-6, and margins agree to ~1e-6 (at most
 * 1.5e-6 on the fixtures, e2e/gpu-quantizer.spec.ts), well inside the fixtures' 1e-5 tie band.
 */
import {
  OFFICIAL_WEIGHTS,
  checkCodebooks,
  checkFeatures,
  createScalePlan,
  type Candidates,
  type Codebooks,
  type DistanceWeights,
  type MultiscaleQuantization,
  type ScalePlan,
} from '../../core/quantizer/index.ts';
import { isSoftwareDevice } from './capabilities.ts';
import {
  MAX_TOP_K,
  WORKGROUP,
  createFixedPipelines,
  createLayouts,
  createSearchPipelines,
  type FixedPipelines,
  type QuantizerKernel,
  type SearchPipelines,
} from './quantizer-kernels.ts';
import { createQuantizerResources, type Dispatch, type QuantizerResources } from './quantizer-resources.ts';
import { encodeReadBack, type PendingReadBack } from './read-back.ts';

export { MAX_TOP_K, type QuantizerKernel } from './quantizer-kernels.ts';

export interface GpuQuantizerOptions {
  /** Default: 'simple' on a software (fallback) adapter, 'tiled' otherwise. */
  readonly kernel?: QuantizerKernel;
  /**
   * Codes searched per workgroup column; the chunks of one scale are merged on the GPU.
   * Default: all K for 'simple' (one invocation per token is enough parallelism on a CPU
   * adapter), 2048 for 'tiled' (so a scale with few tokens still fills a real GPU).
   */
  readonly codesPerChunk?: number;
}

export interface GpuQuantizeOptions {
  /** Default 1:1, the official weighting. */
  readonly weights?: DistanceWeights;
  /** Joint candidates kept per token for the inspector, 0…MAX_TOP_K (16); default 0. */
  readonly topK?: number;
}

export interface GpuQuantizer {
  readonly kernel: QuantizerKernel;
  readonly codesPerChunk: number;
  readonly plan: ScalePlan;
  /** @param h (1, Ds+Dp, S, S) encoder features, semantic channels first, un-normalised. */
  quantize(h: Float32Array, options?: GpuQuantizeOptions): Promise<MultiscaleQuantization>;
  /** Frees the GPU buffers; the quantizer cannot be used afterwards. */
  destroy(): void;
}

/** Tiled default: 16 chunks at K = 32768, i.e. 16× the workgroups of one pass over the tokens. */
const TILED_CODES_PER_CHUNK = 2048;
/** Margins at or above this come from the "no runner-up" sentinel (K = 1) and mean Infinity. */
const NO_RUNNER_UP = 1e38;
/** Weights beyond this could overflow float32 distances (d ≤ 4 per branch). */
const MAX_WEIGHT = 1e30;

/**
 * Uploads the codebooks (already L2-normalised, as `createCodebooks` returns them) and the
 * scale plan's resampling matrices once, and compiles the kernels.
 */
export async function createGpuQuantizer(
  device: GPUDevice,
  codebooks: Codebooks,
  plan: { readonly S: number; readonly scales: readonly number[] },
  options: GpuQuantizerOptions = {},
): Promise<GpuQuantizer> {
  checkCodebooks(codebooks);
  const scalePlan = createScalePlan(plan.S, plan.scales);
  const K = codebooks.size;
  const kernel = options.kernel ?? (isSoftwareDevice(device) ? 'simple' : 'tiled');
  if (kernel !== 'simple' && kernel !== 'tiled')
    throw new Error(`kernel must be 'simple' or 'tiled', got ${JSON.stringify(kernel)}`);
  const requestedChunk = options.codesPerChunk ?? (kernel === 'simple' ? K : TILED_CODES_PER_CHUNK);
  if (!Number.isInteger(requestedChunk) || requestedChunk < 1) {
    throw new Error(`codesPerChunk must be a positive integer, got ${options.codesPerChunk}`);
  }
  const codesPerChunk = Math.min(K, requestedChunk);
  const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
  if (Math.ceil(K / codesPerChunk) > maxGroups) {
    throw new Error(
      `K=${K} in chunks of ${codesPerChunk} needs ${Math.ceil(K / codesPerChunk)} chunks, ` +
        `above maxComputeWorkgroupsPerDimension ${maxGroups}`,
    );
  }

  const dims = { semanticDim: codebooks.semanticDim, pixelDim: codebooks.pixelDim };
  const layouts = createLayouts(device);
  // Buffer and bind-group mistakes surface as validation errors, not exceptions: catch them here
  // so a bad setup fails now, with the sizes that caused it, rather than at the first run.
  device.pushErrorScope('validation');
  let resources: QuantizerResources | undefined;
  let fixed: FixedPipelines | undefined;
  let thrown: unknown;
  try {
    resources = createQuantizerResources(device, layouts, codebooks, scalePlan, codesPerChunk);
    fixed = await createFixedPipelines(device, layouts, dims);
  } catch (e) {
    thrown = e;
  }
  const setupError = await device.popErrorScope();
  if (setupError || !resources || !fixed) {
    resources?.destroy();
    if (!setupError) throw thrown;
    throw new Error(
      `GPU quantizer setup failed (K=${K}, S=${scalePlan.S}, scales [${scalePlan.scales.join(',')}]): ${setupError.message}`,
    );
  }
  const res = resources;
  const pipelines = fixed;

  const searchPipelines = new Map<number, Promise<SearchPipelines>>();
  const pipelinesFor = (topK: number): Promise<SearchPipelines> => {
    let p = searchPipelines.get(topK);
    if (!p) {
      p = createSearchPipelines(device, layouts, dims, kernel, topK);
      // A failed compile must not poison later calls with the same topK.
      p.catch(() => searchPipelines.delete(topK));
      searchPipelines.set(topK, p);
    }
    return p;
  };
  let destroyed = false;

  return {
    kernel,
    codesPerChunk,
    plan: scalePlan,
    async quantize(h, runOptions = {}) {
      if (destroyed) throw new Error('GpuQuantizer.quantize: the quantizer has been destroyed');
      checkGpuFeatures(h, res.channels, scalePlan.S);
      const weights = runOptions.weights ?? OFFICIAL_WEIGHTS;
      checkWeights(weights);
      const topK = runOptions.topK ?? 0;
      if (!Number.isInteger(topK) || topK < 0 || topK > Math.min(MAX_TOP_K, K)) {
        throw new Error(
          `topK must be an integer in [0, ${Math.min(MAX_TOP_K, K)}] (K=${K}, GPU limit ${MAX_TOP_K}), got ${topK}`,
        );
      }
      const search = await pipelinesFor(topK);
      return run(device, pipelines, search, res, scalePlan, h, weights, topK);
    },
    destroy() {
      destroyed = true;
      res.destroy();
    },
  };
}

async function run(
  device: GPUDevice,
  fixed: FixedPipelines,
  search: SearchPipelines,
  res: QuantizerResources,
  plan: ScalePlan,
  h: Float32Array,
  weights: DistanceWeights,
  topK: number,
): Promise<MultiscaleQuantization> {
  // Our arrays never sit on a SharedArrayBuffer; TypeScript types them as if they might.
  device.queue.writeBuffer(res.residual, 0, h as Float32Array<ArrayBuffer>);
  device.queue.writeBuffer(res.weights, 0, new Float32Array([weights.semantic, weights.pixel]));

  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let readBack: PendingReadBack | undefined;
  let thrown: unknown;
  try {
    readBack = encodeAndSubmit(device, fixed, search, res, plan, topK);
  } catch (e) {
    thrown = e;
  }
  // Both popped synchronously, innermost first, so no other caller's commands land in these scopes.
  const [validation, memory] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
  const error = validation ?? memory;
  if (error) throw new Error(`GPU quantizer run failed: ${error.message}`);
  if (!readBack) throw thrown;
  const [indexBytes, marginBytes, candidateBytes, inputBytes, outputBytes, fHatBytes] = await readBack.read();
  return assemble(
    plan,
    res.channels,
    topK,
    indexBytes,
    marginBytes,
    candidateBytes,
    inputBytes,
    outputBytes,
    fHatBytes,
  );
}

/** Records every scale's dispatches and the final copies in one command buffer and submits it. */
function encodeAndSubmit(
  device: GPUDevice,
  fixed: FixedPipelines,
  search: SearchPipelines,
  res: QuantizerResources,
  plan: ScalePlan,
  topK: number,
): PendingReadBack {
  const N = res.numTokens;
  const C = res.channels;
  const encoder = device.createCommandEncoder({ label: 'multiscale quantize' });
  encoder.clearBuffer(res.fHat);
  // One pass: WebGPU orders storage writes between the dispatches of a pass.
  const pass = encoder.beginComputePass({ label: 'multiscale quantize' });
  const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
  const go = (pipeline: GPUComputePipeline, d: Dispatch, workgroup = WORKGROUP, gridY = 1) =>
    dispatch(pass, pipeline, d, workgroup, gridY, maxGroups);
  for (const step of res.steps) {
    go(fixed.resample, step.downColumns);
    go(fixed.resample, step.downRows);
    go(search.search, step.search, search.searchWorkgroup, res.chunkCount);
    go(search.finalize, step.finalize);
    go(fixed.gather, step.gather);
    go(fixed.resample, step.upColumns);
    go(fixed.resample, step.upRows);
    pass.setPipeline(fixed.update);
    pass.setBindGroup(0, res.update.bindGroup);
    pass.dispatchWorkgroups(Math.ceil(res.update.invocations / WORKGROUP));
  }
  pass.end();
  const readBack = encodeReadBack(device, encoder, [
    { buffer: res.indices, bytes: 3 * N * 4 },
    { buffer: res.margins, bytes: 3 * N * 4 },
    { buffer: res.candidates, bytes: N * topK * 16 },
    { buffer: res.quantInput, bytes: C * N * 4 },
    { buffer: res.quantOutput, bytes: C * N * 4 },
    { buffer: res.fHat, bytes: C * plan.S * plan.S * 4 },
  ]);
  device.queue.submit([encoder.finish()]);
  return readBack;
}

function dispatch(
  pass: GPUComputePassEncoder,
  pipeline: GPUComputePipeline,
  d: Dispatch,
  workgroup: number,
  gridY: number,
  maxGroups: number,
): void {
  const groups = Math.ceil(d.invocations / workgroup);
  if (groups > maxGroups)
    throw new Error(
      `a quantizer dispatch needs ${groups} workgroups, above maxComputeWorkgroupsPerDimension ${maxGroups}`,
    );
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, d.bindGroup, [d.paramsOffset]);
  pass.dispatchWorkgroups(groups, gridY);
}

function assemble(
  plan: ScalePlan,
  C: number,
  topK: number,
  indexBytes: ArrayBuffer,
  marginBytes: ArrayBuffer,
  candidateBytes: ArrayBuffer,
  inputBytes: ArrayBuffer,
  outputBytes: ArrayBuffer,
  fHatBytes: ArrayBuffer,
): MultiscaleQuantization {
  const N = plan.numTokens;
  // Indices are < K ≤ 2³¹, so reading the u32s as i32 keeps their values.
  const indices = new Int32Array(indexBytes);
  const margins = new Float32Array(marginBytes);
  for (let i = 0; i < margins.length; i++) if (margins[i] >= NO_RUNNER_UP) margins[i] = Infinity;
  const words = new Int32Array(candidateBytes);
  const floats = new Float32Array(candidateBytes);
  const candidates: Candidates = {
    k: topK,
    indices: new Int32Array(N * topK),
    distance: new Float32Array(N * topK),
    semanticDistance: new Float32Array(N * topK),
    pixelDistance: new Float32Array(N * topK),
  };
  for (let i = 0; i < N * topK; i++) {
    candidates.indices[i] = words[4 * i];
    candidates.distance[i] = floats[4 * i + 1];
    candidates.semanticDistance[i] = floats[4 * i + 2];
    candidates.pixelDistance[i] = floats[4 * i + 3];
  }
  return {
    S: plan.S,
    scales: plan.scales,
    tokenOffsets: plan.tokenOffsets,
    featureOffsets: plan.tokenOffsets.map((t) => t * C),
    indices: indices.slice(0, N),
    indicesSemanticOnly: indices.slice(N, 2 * N),
    indicesPixelOnly: indices.slice(2 * N, 3 * N),
    margin: margins.slice(0, N),
    marginSemantic: margins.slice(N, 2 * N),
    marginPixel: margins.slice(2 * N, 3 * N),
    candidates,
    quantInput: new Float32Array(inputBytes),
    quantOutput: new Float32Array(outputBytes),
    fHat: new Float32Array(fHatBytes),
  };
}

/** The CPU reference's check, plus the type: the bytes are uploaded as they are, so a Float64Array would be misread. */
function checkGpuFeatures(h: Float32Array, C: number, S: number): void {
  if (!(h instanceof Float32Array))
    throw new Error(`h must be a Float32Array, got ${Object.prototype.toString.call(h)}`);
  checkFeatures(h, C, S);
}

function checkWeights(w: DistanceWeights): void {
  for (const branch of ['semantic', 'pixel'] as const) {
    const v = w[branch];
    if (!Number.isFinite(v) || v < 0 || v > MAX_WEIGHT) {
      throw new Error(`distance weight ${branch} must be a finite number in [0, ${MAX_WEIGHT}] on the GPU, got ${v}`);
    }
  }
}
