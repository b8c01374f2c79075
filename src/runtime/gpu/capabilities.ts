/**
 * The one place that asks the browser what WebGPU it has. Everything in the runtime that wants
 * a GPU goes through probeWebGpu / requestDevice, so the reasons WebGPU is unusable are worded
 * once and a software adapter (SwiftShader) is recognised the same way everywhere.
 */

/**
 * Limits a caller may care about when choosing kernels or buffer sizes, copied into a plain
 * object so it can cross a worker boundary (GPUSupportedLimits cannot be cloned).
 */
export interface WebGpuLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxStorageBuffersPerShaderStage: number;
}

export interface WebGpuInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** A CPU implementation (SwiftShader, WARP, llvmpipe): correct but usually slower than wasm. */
  readonly isFallbackAdapter: boolean;
  readonly features: { readonly shaderF16: boolean };
  readonly limits: WebGpuLimits;
}

export type WebGpuUnavailableReason =
  'insecure-context' | 'no-navigator-gpu' | 'adapter-request-failed' | 'no-adapter' | 'device-request-failed';

export type WebGpuProbe =
  | { readonly ok: true; readonly adapter: GPUAdapter; readonly device?: GPUDevice; readonly info: WebGpuInfo }
  | { readonly ok: false; readonly reason: WebGpuUnavailableReason; readonly message: string };

export interface ProbeOptions {
  /** Also request a device (with requestDevice's limits); default false. */
  readonly requestDevice?: boolean;
  readonly powerPreference?: 'low-power' | 'high-performance';
  /** Where to look for `gpu`; default globalThis.navigator. Lets tests and workers inject one. */
  readonly navigator?: { readonly gpu?: Pick<GPU, 'requestAdapter'> };
}

/** Limits raised to the adapter's maximum: the defaults are too small for codebook-sized buffers. */
const RAISED_LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize'] as const;

export async function probeWebGpu(options: ProbeOptions = {}): Promise<WebGpuProbe> {
  const nav = options.navigator ?? (globalThis as { navigator?: { gpu?: Pick<GPU, 'requestAdapter'> } }).navigator;
  const gpu = nav?.gpu;
  if (!gpu) {
    // Browsers hide navigator.gpu entirely outside secure contexts, which looks like no support.
    if ((globalThis as { isSecureContext?: boolean }).isSecureContext === false) {
      return unavailable(
        'insecure-context',
        'WebGPU needs a secure context: open the page over https:// or from localhost.',
      );
    }
    return unavailable(
      'no-navigator-gpu',
      'This browser has no navigator.gpu: WebGPU is off or unsupported. ' +
        'Use a recent Chrome, Edge or Safari, or enable WebGPU in the browser settings.',
    );
  }

  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(
      options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
    );
  } catch (e) {
    return unavailable('adapter-request-failed', `navigator.gpu.requestAdapter() failed: ${errorText(e)}`);
  }
  if (!adapter) {
    return unavailable(
      'no-adapter',
      'WebGPU is present but no GPU adapter is available: the GPU or its driver may be blocklisted, ' +
        'or only a software adapter exists and the browser does not offer it (Chromium needs --enable-unsafe-webgpu for that).',
    );
  }

  const info = describeAdapter(adapter);
  if (!options.requestDevice) return { ok: true, adapter, info };
  try {
    const device = await requestDevice(adapter);
    return { ok: true, adapter, device, info };
  } catch (e) {
    return unavailable(
      'device-request-failed',
      `A GPU adapter (${adapterName(info)}) was found but requesting a device failed: ${errorText(e)}`,
    );
  }
}

/**
 * Requests a device with the storage-buffer and workgroup-memory limits raised to what the
 * adapter offers (kernels that bind a whole codebook fail to validate under the defaults), and
 * `shader-f16` when the adapter has it, so later kernels can opt in.
 */
export async function requestDevice(adapter: GPUAdapter, label = 'tokenflow'): Promise<GPUDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('shader-f16') ? ['shader-f16'] : [];
  return adapter.requestDevice({ label, requiredLimits, requiredFeatures });
}

export function describeAdapter(adapter: GPUAdapter): WebGpuInfo {
  const info: Partial<GPUAdapterInfo> = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    // Browsers before adapter.info.isFallbackAdapter had it on the adapter itself.
    isFallbackAdapter:
      info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    features: { shaderF16: adapter.features.has('shader-f16') },
    limits: pickLimits(adapter.limits),
  };
}

/**
 * Whether an adapter is a CPU implementation. Chromium reports SwiftShader as a fallback
 * adapter; the architecture name also catches browsers that predate the flag.
 */
export function isSoftwareAdapter(
  info: Pick<Partial<WebGpuInfo>, 'isFallbackAdapter' | 'architecture' | 'description'>,
): boolean {
  return (
    info.isFallbackAdapter === true ||
    /swiftshader|llvmpipe|warp/i.test(`${info.architecture ?? ''} ${info.description ?? ''}`)
  );
}

/** isSoftwareAdapter for a device's adapter. */
export function isSoftwareDevice(device: GPUDevice): boolean {
  const info = device.adapterInfo;
  return info ? isSoftwareAdapter(info) : false;
}

function pickLimits(limits: GPUAdapter['limits']): WebGpuLimits {
  return {
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxBufferSize: limits.maxBufferSize,
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
    maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
  };
}

function adapterName(info: WebGpuInfo): string {
  return [info.vendor, info.architecture, info.description].filter((s) => s !== '').join(' ') || 'unnamed adapter';
}

function unavailable(reason: WebGpuUnavailableReason, message: string): WebGpuProbe {
  return { ok: false, reason, message };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
