/**
 * Everything the GPU quantizer keeps on the device for one (codebooks, scale plan): the
 * codebooks and their squared norms (uploaded once), the plan's resampling matrices, the
 * working buffers of the residual loop, the per-scale kernel parameters and the bind groups.
 * Each scale's work is described by a ScaleSteps record that the encoder replays per call.
 */
import { codebookSquaredNorms, type Codebooks, type ScalePlan } from '../../core/quantizer/index.ts';
import type { ResampleMatrix } from '../../core/resample.ts';
import { MAX_TOP_K, vec4Count, type QuantizerLayouts } from './quantizer-kernels.ts';
import { BufferUsage } from './webgpu-flags.ts';

/** One dispatch: which bind group, its dynamic uniform offset, and how many invocations it needs. */
export interface Dispatch {
  readonly bindGroup: GPUBindGroup;
  readonly paramsOffset: number;
  readonly invocations: number;
}

export interface ScaleSteps {
  readonly downColumns: Dispatch;
  readonly downRows: Dispatch;
  /** Grid y of the search is the chunk count. */
  readonly search: Dispatch;
  readonly finalize: Dispatch;
  readonly gather: Dispatch;
  readonly upColumns: Dispatch;
  readonly upRows: Dispatch;
}

export interface QuantizerResources {
  readonly channels: number;
  readonly numTokens: number;
  readonly codesPerChunk: number;
  readonly chunkCount: number;
  readonly steps: readonly ScaleSteps[];
  readonly update: { readonly bindGroup: GPUBindGroup; readonly invocations: number };
  /** (1,C,S,S): written with h before each run. */
  readonly residual: GPUBuffer;
  /** (1,C,S,S): cleared before each run. */
  readonly fHat: GPUBuffer;
  /** (semantic, pixel) distance weights, float32, written before each run. */
  readonly weights: GPUBuffer;
  readonly quantInput: GPUBuffer;
  readonly quantOutput: GPUBuffer;
  /** 3×Σs² u32: joint, then semantic-only, then pixel-only. */
  readonly indices: GPUBuffer;
  /** 3×Σs² f32, same order. */
  readonly margins: GPUBuffer;
  /** Σs² × topK (index, distance, semantic, pixel) records, for the topK of the run. */
  readonly candidates: GPUBuffer;
  destroy(): void;
}

/** Bytes of a Partial (three vec4) and of a Candidate (four 32-bit fields) in WGSL. */
const PARTIAL_BYTES = 48;
const CANDIDATE_BYTES = 16;
/** Every kernel's parameter struct fits in this many bytes. */
const PARAMS_BYTES = 64;

export function createQuantizerResources(
  device: GPUDevice,
  layouts: QuantizerLayouts,
  codebooks: Codebooks,
  plan: ScalePlan,
  codesPerChunk: number,
): QuantizerResources {
  const owned: GPUBuffer[] = [];
  const buffer = (label: string, size: number, usage: number): GPUBuffer => {
    // Zero-size bindings are invalid; 16 bytes also satisfies uniform struct rounding.
    const b = device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 4) * 4), usage });
    owned.push(b);
    return b;
  };
  const upload = (label: string, data: Float32Array | Uint32Array, usage: number): GPUBuffer => {
    const b = buffer(label, data.byteLength, usage | BufferUsage.COPY_DST);
    // Our arrays never sit on a SharedArrayBuffer; TypeScript types them as if they might.
    device.queue.writeBuffer(b, 0, data as Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>);
    return b;
  };

  const K = codebooks.size;
  const C = codebooks.semanticDim + codebooks.pixelDim;
  const { S, scales } = plan;
  const N = plan.numTokens;
  const maxTokensPerScale = Math.max(...scales.map((s) => s * s));
  const chunkCount = Math.ceil(K / codesPerChunk);
  const storage = BufferUsage.STORAGE;
  const readable = BufferUsage.STORAGE | BufferUsage.COPY_SRC;

  const semanticCodes = upload('semantic codebook', padRows(codebooks.semantic, K, codebooks.semanticDim), storage);
  const pixelCodes = upload('pixel codebook', padRows(codebooks.pixel, K, codebooks.pixelDim), storage);
  const codeNorms = upload('codebook squared norms', interleaveNorms(codebooks), storage);
  const { data: matrixData, downOffsets, upOffsets } = packMatrices(plan);
  const matrices = upload('scale plan resample matrices', matrixData, storage);

  const planeBytes = C * S * S * 4;
  const residual = buffer('residual', planeBytes, storage | BufferUsage.COPY_DST);
  const fHat = buffer('f_hat', planeBytes, readable | BufferUsage.COPY_DST);
  const upsampled = buffer('upsampled q_s', planeBytes, storage);
  const scratch = buffer('resample scratch', planeBytes, storage);
  const quantInput = buffer('quant input', C * N * 4, readable);
  const quantOutput = buffer('quant output', C * N * 4, readable);
  const partials = buffer('per-chunk search results', chunkCount * maxTokensPerScale * PARTIAL_BYTES, storage);
  const partialCandidates = buffer(
    'per-chunk candidates',
    chunkCount * maxTokensPerScale * MAX_TOP_K * CANDIDATE_BYTES,
    storage,
  );
  const indices = buffer('indices', 3 * N * 4, readable);
  const margins = buffer('margins', 3 * N * 4, readable);
  const candidates = buffer('candidates', N * MAX_TOP_K * CANDIDATE_BYTES, readable);
  const weights = buffer('distance weights', 8, BufferUsage.UNIFORM | BufferUsage.COPY_DST);

  const records = new UniformRecords(device.limits.minUniformBufferOffsetAlignment);
  const recordSteps = plan.scales.map((s, i) => {
    const n = s * s;
    const tokenOffset = plan.tokenOffsets[i];
    const featureOffset = C * tokenOffset;
    // ResampleParams: channels, inRows, inCols, outRows, outCols, alongRows, srcOffset, dstOffset, matrixOffset
    return {
      downColumns: { at: records.add([C, S, S, S, s, 0, 0, 0, downOffsets[i]]), invocations: C * S * s },
      downRows: { at: records.add([C, S, s, s, s, 1, 0, featureOffset, downOffsets[i]]), invocations: C * n },
      search: { at: records.add([n, featureOffset, K, codesPerChunk]), invocations: n },
      finalize: { at: records.add([n, tokenOffset, N, chunkCount]), invocations: n },
      gather: { at: records.add([n, tokenOffset, featureOffset]), invocations: C * n },
      upColumns: { at: records.add([C, s, s, s, S, 0, featureOffset, 0, upOffsets[i]]), invocations: C * s * S },
      upRows: { at: records.add([C, s, S, S, S, 1, 0, 0, upOffsets[i]]), invocations: C * S * S },
    };
  });
  const params = upload('quantizer kernel parameters', records.data(), BufferUsage.UNIFORM);

  const bind = (
    label: string,
    layout: QuantizerLayouts[keyof QuantizerLayouts],
    buffers: GPUBuffer[],
    dynamic: boolean,
  ) =>
    device.createBindGroup({
      label,
      layout,
      entries: buffers.map((b, binding) => ({
        binding,
        resource: dynamic && binding === 0 ? { buffer: b, offset: 0, size: PARAMS_BYTES } : { buffer: b },
      })),
    });
  const groups = {
    residualToScratch: bind('area, columns', layouts.resample, [params, residual, scratch, matrices], true),
    scratchToInput: bind('area, rows', layouts.resample, [params, scratch, quantInput, matrices], true),
    outputToScratch: bind('bicubic, columns', layouts.resample, [params, quantOutput, scratch, matrices], true),
    scratchToUpsampled: bind('bicubic, rows', layouts.resample, [params, scratch, upsampled, matrices], true),
    search: bind(
      'search',
      layouts.search,
      [params, weights, quantInput, semanticCodes, pixelCodes, codeNorms, partials, partialCandidates],
      true,
    ),
    finalize: bind(
      'finalize',
      layouts.finalize,
      [params, partials, partialCandidates, indices, margins, candidates],
      true,
    ),
    gather: bind('gather', layouts.gather, [params, indices, semanticCodes, pixelCodes, quantOutput], true),
    update: bind('residual update', layouts.update, [upsampled, fHat, residual], false),
  };
  const dispatch = (bindGroup: GPUBindGroup, r: { at: number; invocations: number }): Dispatch => ({
    bindGroup,
    paramsOffset: r.at,
    invocations: r.invocations,
  });
  const steps = recordSteps.map((r) => ({
    downColumns: dispatch(groups.residualToScratch, r.downColumns),
    downRows: dispatch(groups.scratchToInput, r.downRows),
    search: dispatch(groups.search, r.search),
    finalize: dispatch(groups.finalize, r.finalize),
    gather: dispatch(groups.gather, r.gather),
    upColumns: dispatch(groups.outputToScratch, r.upColumns),
    upRows: dispatch(groups.scratchToUpsampled, r.upRows),
  }));

  return {
    channels: C,
    numTokens: N,
    codesPerChunk,
    chunkCount,
    steps,
    update: { bindGroup: groups.update, invocations: C * S * S },
    residual,
    fHat,
    weights,
    quantInput,
    quantOutput,
    indices,
    margins,
    candidates,
    destroy: () => owned.forEach((b) => b.destroy()),
  };
}

/**
 * Kernel parameter structs (all u32 fields) packed at the device's dynamic-offset alignment, so
 * one uniform buffer holds every dispatch's parameters.
 */
class UniformRecords {
  private readonly words: number[] = [];
  constructor(private readonly alignment: number) {
    if (alignment % 4 !== 0 || alignment < PARAMS_BYTES)
      throw new Error(`unexpected minUniformBufferOffsetAlignment ${alignment}`);
  }

  /** Appends one record of u32 values; returns its byte offset. */
  add(values: readonly number[]): number {
    if (values.length * 4 > PARAMS_BYTES)
      throw new Error(`kernel parameter record of ${values.length} words exceeds ${PARAMS_BYTES} bytes`);
    const at = this.words.length * 4;
    values.forEach((v) => {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`kernel parameter ${v} is not a u32`);
      this.words.push(v);
    });
    while ((this.words.length * 4) % this.alignment !== 0) this.words.push(0);
    return at;
  }

  data(): Uint32Array {
    return Uint32Array.from(this.words);
  }
}

/** K rows of `dim` → K rows of vec4-rounded width, zero-padded (zeros change no dot product). */
function padRows(rows: Float32Array, K: number, dim: number): Float32Array {
  const width = vec4Count(dim) * 4;
  if (width === dim) return rows;
  const out = new Float32Array(K * width);
  for (let k = 0; k < K; k++) out.set(rows.subarray(k * dim, (k + 1) * dim), k * width);
  return out;
}

/** (‖ê_sem,k‖², ‖ê_pix,k‖²) pairs, rounded to float32 like the GPU distances that use them. */
function interleaveNorms(codebooks: Codebooks): Float32Array {
  const norms = codebookSquaredNorms(codebooks);
  const out = new Float32Array(2 * codebooks.size);
  for (let k = 0; k < codebooks.size; k++) {
    out[2 * k] = norms.semantic[k];
    out[2 * k + 1] = norms.pixel[k];
  }
  return out;
}

/** The plan's area (down) and bicubic (up) matrices as float32, with each one's element offset. */
function packMatrices(plan: ScalePlan): { data: Float32Array; downOffsets: number[]; upOffsets: number[] } {
  const all: ResampleMatrix[] = [...plan.down, ...plan.up];
  const data = new Float32Array(all.reduce((n, m) => n + m.data.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const m of all) {
    offsets.push(at);
    data.set(m.data, at);
    at += m.data.length;
  }
  return { data, downOffsets: offsets.slice(0, plan.scales.length), upOffsets: offsets.slice(plan.scales.length) };
}
