/**
 * The part of the WebGPU API the runtime uses, typed by hand because TypeScript's DOM library
 * has no WebGPU types and the project does not depend on `@webgpu/types`. These are structural
 * subsets of the standard interfaces, so the browser's real objects satisfy them; if the project
 * adopts `@webgpu/types`, this module can re-export those instead and callers stay unchanged.
 *
 * Kept module-scoped (not global) so that it can never clash with a global declaration added later.
 */

/** GPUBufferUsage flag values from the WebGPU specification (the globals are missing in Node). */
export const BufferUsage = Object.freeze({
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
});

/** GPUMapMode.READ */
export const MAP_MODE_READ = 0x0001;
/** GPUShaderStage.COMPUTE */
export const SHADER_STAGE_COMPUTE = 0x4;

export type GPUFeatureName = string;

export interface GPU {
  requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null>;
}

export interface GPURequestAdapterOptions {
  powerPreference?: 'low-power' | 'high-performance';
  forceFallbackAdapter?: boolean;
}

/** Numeric device/adapter limits, looked up by their specification names. */
export interface GPUSupportedLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxStorageBuffersPerShaderStage: number;
  readonly maxUniformBufferBindingSize: number;
  readonly minUniformBufferOffsetAlignment: number;
  readonly [name: string]: unknown;
}

export interface GPUAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** Newer browsers only; older ones expose GPUAdapter.isFallbackAdapter instead. */
  readonly isFallbackAdapter?: boolean;
}

export interface GPUAdapter {
  readonly features: ReadonlySet<GPUFeatureName>;
  readonly limits: GPUSupportedLimits;
  /** Missing before Chrome 114; requestAdapterInfo() was the older form. */
  readonly info?: GPUAdapterInfo;
  /** Deprecated location of the fallback flag (before it moved to info). */
  readonly isFallbackAdapter?: boolean;
  requestDevice(descriptor?: GPUDeviceDescriptor): Promise<GPUDevice>;
}

export interface GPUDeviceDescriptor {
  label?: string;
  requiredFeatures?: GPUFeatureName[];
  requiredLimits?: Record<string, number>;
}

export interface GPUError {
  readonly message: string;
}

export interface GPUDeviceLostInfo {
  readonly reason: 'unknown' | 'destroyed';
  readonly message: string;
}

export interface GPUDevice {
  readonly features: ReadonlySet<GPUFeatureName>;
  readonly limits: GPUSupportedLimits;
  /** Chrome 128+; absent elsewhere. */
  readonly adapterInfo?: GPUAdapterInfo;
  readonly queue: GPUQueue;
  readonly lost: Promise<GPUDeviceLostInfo>;
  createBuffer(descriptor: GPUBufferDescriptor): GPUBuffer;
  createShaderModule(descriptor: { label?: string; code: string }): GPUShaderModule;
  createBindGroupLayout(descriptor: GPUBindGroupLayoutDescriptor): GPUBindGroupLayout;
  createPipelineLayout(descriptor: { label?: string; bindGroupLayouts: GPUBindGroupLayout[] }): GPUPipelineLayout;
  createComputePipelineAsync(descriptor: GPUComputePipelineDescriptor): Promise<GPUComputePipeline>;
  createBindGroup(descriptor: GPUBindGroupDescriptor): GPUBindGroup;
  createCommandEncoder(descriptor?: { label?: string }): GPUCommandEncoder;
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<GPUError | null>;
  destroy(): void;
}

export interface GPUBufferDescriptor {
  label?: string;
  size: number;
  usage: number;
  mappedAtCreation?: boolean;
}

export interface GPUBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface GPUQueue {
  writeBuffer(buffer: GPUBuffer, bufferOffset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number): void;
  submit(commandBuffers: GPUCommandBuffer[]): void;
  onSubmittedWorkDone(): Promise<void>;
}

export interface GPUCompilationMessage {
  readonly message: string;
  readonly type: 'error' | 'warning' | 'info';
  readonly lineNum: number;
  readonly linePos: number;
}

export interface GPUShaderModule {
  getCompilationInfo(): Promise<{ readonly messages: readonly GPUCompilationMessage[] }>;
}

export type GPUBufferBindingType = 'uniform' | 'storage' | 'read-only-storage';

export interface GPUBindGroupLayoutDescriptor {
  label?: string;
  entries: { binding: number; visibility: number; buffer: { type: GPUBufferBindingType; hasDynamicOffset?: boolean } }[];
}

export interface GPUBindGroupDescriptor {
  label?: string;
  layout: GPUBindGroupLayout;
  entries: { binding: number; resource: { buffer: GPUBuffer; offset?: number; size?: number } }[];
}

export interface GPUComputePipelineDescriptor {
  label?: string;
  layout: GPUPipelineLayout;
  compute: { module: GPUShaderModule; entryPoint?: string; constants?: Record<string, number> };
}

export interface GPUCommandEncoder {
  beginComputePass(descriptor?: { label?: string }): GPUComputePassEncoder;
  copyBufferToBuffer(source: GPUBuffer, sourceOffset: number, destination: GPUBuffer, destinationOffset: number, size: number): void;
  clearBuffer(buffer: GPUBuffer, offset?: number, size?: number): void;
  finish(): GPUCommandBuffer;
}

export interface GPUComputePassEncoder {
  setPipeline(pipeline: GPUComputePipeline): void;
  setBindGroup(index: number, bindGroup: GPUBindGroup, dynamicOffsets?: number[]): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

// Opaque handles: only ever passed back to the API.
export interface GPUBindGroupLayout { readonly __brand?: 'GPUBindGroupLayout' }
export interface GPUPipelineLayout { readonly __brand?: 'GPUPipelineLayout' }
export interface GPUBindGroup { readonly __brand?: 'GPUBindGroup' }
export interface GPUComputePipeline { readonly __brand?: 'GPUComputePipeline' }
export interface GPUCommandBuffer { readonly __brand?: 'GPUCommandBuffer' }
