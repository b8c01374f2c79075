/**
 * Browser side of the GPU quantizer tests and benchmark: imported into the harness page by
 * Vite's dev server, it decodes the inputs, runs the GPU quantizer (and optionally the CPU
 * reference, in the same browser, for timing), and encodes the results for the Node side.
 */
import {
  quantizeMultiscale,
  type Codebooks,
  type DistanceWeights,
  type MultiscaleQuantization,
} from '../../src/core/quantizer/index.ts';
import { probeWebGpu, type WebGpuInfo, type WebGpuProbe } from '../../src/runtime/gpu/capabilities.ts';
import { createGpuQuantizer, type QuantizerKernel } from '../../src/runtime/gpu/gpu-quantizer.ts';
import { decodeFloat32, encodeArrays, type Encoded, type EncodedArray } from './typed-array-transfer.ts';

export interface QuantizeRun {
  /** Default: the quantizer's own choice for this adapter. */
  readonly kernel?: QuantizerKernel;
  readonly codesPerChunk?: number;
  readonly topK?: number;
  readonly weights?: DistanceWeights;
  /** Timed repetitions after one untimed warm-up run that compiles the kernels; default 0 (no warm-up, one timed run). */
  readonly repeats?: number;
}

export interface QuantizeRequest {
  /** Row-normalised, as createCodebooks returns them. */
  readonly codebooks: {
    readonly semanticDim: number;
    readonly pixelDim: number;
    readonly semantic: EncodedArray;
    readonly pixel: EncodedArray;
  };
  readonly S: number;
  readonly scales: readonly number[];
  readonly h: EncodedArray;
  readonly runs: readonly QuantizeRun[];
  /** Also time the CPU reference in this page: repetitions after a warm-up. */
  readonly cpuReference?: { readonly repeats: number; readonly topK?: number };
}

export interface QuantizeRunResult {
  readonly kernel: QuantizerKernel;
  readonly codesPerChunk: number;
  /** createGpuQuantizer: upload and compile. */
  readonly setupMs: number;
  /** One entry per timed run. */
  readonly ms: readonly number[];
  readonly result: Encoded<MultiscaleQuantization>;
}

export type QuantizeResponse =
  | { readonly ok: false; readonly probe: Extract<WebGpuProbe, { ok: false }> }
  | {
      readonly ok: true;
      readonly adapter: WebGpuInfo;
      readonly runs: readonly QuantizeRunResult[];
      readonly cpu?: { readonly ms: readonly number[] };
    };

export async function runQuantizeRequest(request: QuantizeRequest): Promise<QuantizeResponse> {
  const probe = await probeWebGpu({ requestDevice: true });
  if (!probe.ok) return { ok: false, probe };
  const device = probe.device!;
  const semantic = decodeFloat32(request.codebooks.semantic);
  const codebooks: Codebooks = {
    size: semantic.length / request.codebooks.semanticDim,
    semanticDim: request.codebooks.semanticDim,
    pixelDim: request.codebooks.pixelDim,
    semantic,
    pixel: decodeFloat32(request.codebooks.pixel),
  };
  const h = decodeFloat32(request.h);
  const plan = { S: request.S, scales: request.scales };
  try {
    const runs: QuantizeRunResult[] = [];
    for (const run of request.runs) {
      const t0 = performance.now();
      const quantizer = await createGpuQuantizer(device, codebooks, plan, {
        kernel: run.kernel,
        codesPerChunk: run.codesPerChunk,
      });
      const setupMs = performance.now() - t0;
      const options = { topK: run.topK, weights: run.weights };
      const repeats = run.repeats ?? 0;
      if (repeats > 0) await quantizer.quantize(h, options);
      const ms: number[] = [];
      let result: MultiscaleQuantization | undefined;
      for (let r = 0; r < Math.max(repeats, 1); r++) {
        const start = performance.now();
        result = await quantizer.quantize(h, options);
        ms.push(performance.now() - start);
      }
      quantizer.destroy();
      runs.push({
        kernel: quantizer.kernel,
        codesPerChunk: quantizer.codesPerChunk,
        setupMs,
        ms,
        result: encodeArrays(result!),
      });
    }
    let cpu: { ms: number[] } | undefined;
    if (request.cpuReference) {
      const { repeats, topK } = request.cpuReference;
      quantizeMultiscale(h, plan.S, plan.scales, codebooks, { topK });
      const ms: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const start = performance.now();
        quantizeMultiscale(h, plan.S, plan.scales, codebooks, { topK });
        ms.push(performance.now() - start);
      }
      cpu = { ms };
    }
    return { ok: true, adapter: probe.info, runs, cpu };
  } finally {
    device.destroy();
  }
}

/** What probeWebGpu says in this page, device included, as plain data. */
export async function probeSummary(): Promise<{
  ok: boolean;
  reason?: string;
  message?: string;
  info?: WebGpuInfo;
  hasDevice?: boolean;
}> {
  const probe = await probeWebGpu({ requestDevice: true });
  if (!probe.ok) return { ok: false, reason: probe.reason, message: probe.message };
  probe.device?.destroy();
  return { ok: true, info: probe.info, hasDevice: probe.device !== undefined };
}
