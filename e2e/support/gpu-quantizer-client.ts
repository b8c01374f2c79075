/**
 * Node side of the GPU quantizer tests and benchmark: sends codebooks and features to the
 * harness page (e2e/harness/gpu-quantizer-page.ts), and turns its answer back into the
 * MultiscaleQuantization the CPU reference returns, so the two can be compared directly.
 */
import type { Page } from '@playwright/test';
import type { Codebooks, MultiscaleQuantization } from '../../src/core/quantizer/index.ts';
import type { WebGpuInfo } from '../../src/runtime/gpu/capabilities.ts';
import type { QuantizerKernel } from '../../src/runtime/gpu/gpu-quantizer.ts';
import type { QuantizeRequest, QuantizeResponse, QuantizeRun } from '../harness/gpu-quantizer-page.ts';
import { decodeArrays, encodeArray } from '../harness/typed-array-transfer.ts';

type PageModule = typeof import('../harness/gpu-quantizer-page.ts');

/** Served by Vite's dev server, which compiles the TypeScript on request. */
const PAGE_MODULE = '/e2e/harness/gpu-quantizer-page.ts';
export const HARNESS_PATH = '/e2e/harness/index.html';

export interface QuantizeInput {
  readonly codebooks: Codebooks;
  readonly S: number;
  readonly scales: readonly number[];
  readonly h: Float32Array;
  readonly runs: readonly QuantizeRun[];
  readonly cpuReference?: QuantizeRequest['cpuReference'];
}

export interface DecodedRun {
  readonly kernel: QuantizerKernel;
  readonly codesPerChunk: number;
  readonly setupMs: number;
  readonly ms: readonly number[];
  readonly result: MultiscaleQuantization;
}

export interface QuantizeOutput {
  readonly adapter: WebGpuInfo;
  readonly runs: readonly DecodedRun[];
  readonly cpu?: { readonly ms: readonly number[] };
}

/** Runs the GPU quantizer in `page` (already on the harness page); throws if WebGPU is unavailable. */
export async function quantizeInPage(page: Page, input: QuantizeInput): Promise<QuantizeOutput> {
  const request: QuantizeRequest = {
    codebooks: {
      semanticDim: input.codebooks.semanticDim,
      pixelDim: input.codebooks.pixelDim,
      semantic: encodeArray(input.codebooks.semantic),
      pixel: encodeArray(input.codebooks.pixel),
    },
    S: input.S,
    scales: input.scales,
    h: encodeArray(input.h),
    runs: input.runs,
    cpuReference: input.cpuReference,
  };
  const response: QuantizeResponse = await page.evaluate(
    async ({ path, request }) => {
      const m = (await import(/* @vite-ignore */ path)) as PageModule;
      return m.runQuantizeRequest(request);
    },
    { path: PAGE_MODULE, request },
  );
  if (!response.ok)
    throw new Error(`WebGPU is unavailable in the test browser (${response.probe.reason}): ${response.probe.message}`);
  return {
    adapter: response.adapter,
    runs: response.runs.map((r) => ({ ...r, result: decodeArrays<MultiscaleQuantization>(r.result) })),
    cpu: response.cpu,
  };
}

export async function probeInPage(page: Page): ReturnType<PageModule['probeSummary']> {
  return page.evaluate(async (path) => {
    const m = (await import(/* @vite-ignore */ path)) as PageModule;
    return m.probeSummary();
  }, PAGE_MODULE);
}
