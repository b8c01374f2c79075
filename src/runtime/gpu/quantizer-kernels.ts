/**
 * Compiles the GPU quantizer's compute pipelines. The bind group layouts are explicit (not
 * 'auto') so one set of bind groups serves every kernel variant and top-k specialisation.
 */
import elementMainSource from './shaders/element-main.wgsl?raw';
import gatherSource from './shaders/gather-codes.wgsl?raw';
import finalizeSource from './shaders/nearest-finalize.wgsl?raw';
import searchSource from './shaders/nearest-search.wgsl?raw';
import simpleSource from './shaders/nearest-simple.wgsl?raw';
import tiledSource from './shaders/nearest-tiled.wgsl?raw';
import resampleSource from './shaders/resample-axis.wgsl?raw';
import updateSource from './shaders/residual-update.wgsl?raw';
import searchStateSource from './shaders/search-state.wgsl?raw';
import { composeShader, type ShaderConstants } from './shader-source.ts';
import { SHADER_STAGE_COMPUTE } from './webgpu-flags.ts';

/**
 * `simple`: one invocation per token streams the codebook (fastest on CPU adapters such as
 * SwiftShader). `tiled`: workgroups share codebook tiles in workgroup memory (for real GPUs).
 */
export type QuantizerKernel = 'simple' | 'tiled';

/** Most top-k candidates per token a pipeline can keep (private arrays of this length). */
export const MAX_TOP_K = 16;

/** Invocations per workgroup for every kernel but the tiled search, which may need fewer. */
export const WORKGROUP = 64;

export interface CodeDims {
  readonly semanticDim: number;
  readonly pixelDim: number;
}

export interface QuantizerLayouts {
  readonly resample: GPUBindGroupLayout;
  readonly search: GPUBindGroupLayout;
  readonly finalize: GPUBindGroupLayout;
  readonly gather: GPUBindGroupLayout;
  readonly update: GPUBindGroupLayout;
}

export interface FixedPipelines {
  readonly resample: GPUComputePipeline;
  readonly gather: GPUComputePipeline;
  readonly update: GPUComputePipeline;
}

export interface SearchPipelines {
  readonly search: GPUComputePipeline;
  readonly finalize: GPUComputePipeline;
  /** Tokens per search workgroup (the tiled kernel's tile size). */
  readonly searchWorkgroup: number;
}

export function createLayouts(device: GPUDevice): QuantizerLayouts {
  const layout = (label: string, types: readonly GPUBufferBindingType[], dynamicFirst: boolean) =>
    device.createBindGroupLayout({
      label,
      entries: types.map((type, binding) => ({
        binding,
        visibility: SHADER_STAGE_COMPUTE,
        buffer: { type, hasDynamicOffset: dynamicFirst && binding === 0 },
      })),
    });
  const ro = 'read-only-storage';
  return {
    resample: layout('quantizer resample', ['uniform', ro, 'storage', ro], true),
    search: layout('quantizer search', ['uniform', 'uniform', ro, ro, ro, ro, 'storage', 'storage'], true),
    finalize: layout('quantizer finalize', ['uniform', ro, ro, 'storage', 'storage', 'storage'], true),
    gather: layout('quantizer gather', ['uniform', ro, ro, ro, 'storage'], true),
    update: layout('quantizer residual update', [ro, 'storage', 'storage'], false),
  };
}

export function vec4Count(dim: number): number {
  return Math.ceil(dim / 4);
}

function dimConstants(dims: CodeDims): ShaderConstants {
  return {
    SEM_DIM: dims.semanticDim,
    PIX_DIM: dims.pixelDim,
    SEM_VEC4: vec4Count(dims.semanticDim),
    PIX_VEC4: vec4Count(dims.pixelDim),
  };
}

export async function createFixedPipelines(
  device: GPUDevice,
  layouts: QuantizerLayouts,
  dims: CodeDims,
): Promise<FixedPipelines> {
  const [resample, gather, update] = await Promise.all([
    compile(
      device,
      'quantizer resample-axis',
      composeShader({ WORKGROUP }, resampleSource, elementMainSource),
      layouts.resample,
    ),
    compile(
      device,
      'quantizer gather-codes',
      composeShader({ ...dimConstants(dims), WORKGROUP }, gatherSource, elementMainSource),
      layouts.gather,
    ),
    compile(
      device,
      'quantizer residual-update',
      composeShader({ WORKGROUP }, updateSource, elementMainSource),
      layouts.update,
    ),
  ]);
  return { resample, gather, update };
}

export async function createSearchPipelines(
  device: GPUDevice,
  layouts: QuantizerLayouts,
  dims: CodeDims,
  kernel: QuantizerKernel,
  topK: number,
): Promise<SearchPipelines> {
  const topKConstants = { TOP_K: topK, TOPK_SLOTS: Math.max(topK, 1) };
  const searchWorkgroup = kernel === 'tiled' ? tiledWorkgroup(device, dims) : WORKGROUP;
  const variant = kernel === 'tiled' ? tiledSource : simpleSource;
  const [search, finalize] = await Promise.all([
    compile(
      device,
      `quantizer nearest-${kernel} top-${topK}`,
      composeShader(
        { ...dimConstants(dims), ...topKConstants, WORKGROUP: searchWorkgroup },
        searchStateSource,
        searchSource,
        variant,
      ),
      layouts.search,
    ),
    compile(
      device,
      `quantizer nearest-finalize top-${topK}`,
      composeShader({ ...topKConstants, WORKGROUP }, searchStateSource, finalizeSource, elementMainSource),
      layouts.finalize,
    ),
  ]);
  return { search, finalize, searchWorkgroup };
}

/**
 * The largest power-of-two tile (≤ WORKGROUP) whose codes fit the device's workgroup memory:
 * 64 codes of 32+8 dims take 10.5 KB, inside even the 16 KB default.
 */
function tiledWorkgroup(device: GPUDevice, dims: CodeDims): number {
  const bytesPerCode = (vec4Count(dims.semanticDim) + vec4Count(dims.pixelDim)) * 16 + 8;
  const limit = device.limits.maxComputeWorkgroupStorageSize;
  let size = WORKGROUP;
  while (size > 1 && size * bytesPerCode > limit) size /= 2;
  if (size * bytesPerCode > limit) {
    throw new Error(
      `tiled quantizer: one code of ${dims.semanticDim}+${dims.pixelDim} dims (${bytesPerCode} B) ` +
        `exceeds maxComputeWorkgroupStorageSize ${limit}`,
    );
  }
  return size;
}

async function compile(
  device: GPUDevice,
  label: string,
  code: string,
  layout: GPUBindGroupLayout,
): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ label, code });
  const { messages } = await module.getCompilationInfo();
  const errors = messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    // Line numbers count the generated constant header too; the label says which variant.
    throw new Error(
      `WGSL of ${label} does not compile: ${errors.map((m) => `line ${m.lineNum}:${m.linePos}: ${m.message}`).join('; ')}`,
    );
  }
  return device.createComputePipelineAsync({
    label,
    layout: device.createPipelineLayout({ label, bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main' },
  });
}
