/**
 * Which onnxruntime-web execution provider runs the graphs, and why, in words the UI can show.
 * WebGPU when an adapter and a device can be had; wasm otherwise. A software adapter
 * (SwiftShader, WARP, llvmpipe) is a CPU pretending to be a GPU and is slower than wasm (see
 * docs/browser-testing.md), so 'auto' picks wasm there and the user may force WebGPU.
 */
import {
  isSoftwareAdapter,
  probeWebGpu,
  type ProbeOptions,
  type WebGpuInfo,
  type WebGpuProbe,
  type WebGpuUnavailableReason,
} from './gpu/capabilities.ts';
import { GRAPH_NAMES, type GraphName } from '../core/model-package/manifest.ts';

export type Backend = 'webgpu' | 'wasm';
export type BackendRequest = 'auto' | Backend;
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'webgpu', 'wasm'];

export type BackendReason =
  /** The user asked for wasm. */
  | 'wasm-requested'
  /** 'auto' found a hardware adapter and got a device. */
  | 'webgpu-available'
  /** The user forced WebGPU and got a device (possibly a software one). */
  | 'webgpu-requested'
  /** 'auto' found only a software adapter: wasm is faster. */
  | 'software-adapter'
  /** WebGPU could not be had; wasm instead. */
  | WebGpuUnavailableReason
  /** WebGPU was chosen but onnxruntime-web could not create its sessions there; wasm instead. */
  | 'webgpu-failed'
  /** The GPU device was lost after loading; the engine moved to wasm. */
  | 'device-lost';

export interface BackendChoice {
  readonly backend: Backend;
  readonly requested: BackendRequest;
  readonly reason: BackendReason;
  /** One sentence for the user. */
  readonly message: string;
  /** The adapter WebGPU offered, when there was one (also when wasm was chosen over it). */
  readonly adapter?: WebGpuInfo;
}

/** The plain-data part of a probe: what the choice depends on. */
export type ProbeOutcome =
  | { readonly ok: true; readonly info: WebGpuInfo }
  | { readonly ok: false; readonly reason: WebGpuUnavailableReason; readonly message: string };

/** Pure: the backend for a request given what probing WebGPU found (a device was requested and obtained when ok). */
export function chooseBackend(requested: BackendRequest, probe: ProbeOutcome | undefined): BackendChoice {
  if (!BACKEND_REQUESTS.includes(requested)) {
    throw new Error(
      `backend must be one of ${BACKEND_REQUESTS.map((b) => `'${b}'`).join(', ')}, got ${JSON.stringify(requested)}`,
    );
  }
  if (requested === 'wasm')
    return {
      backend: 'wasm',
      requested,
      reason: 'wasm-requested',
      message: 'Running on the CPU (WebAssembly), as requested.',
    };
  if (!probe) throw new Error(`chooseBackend: backend '${requested}' needs a WebGPU probe result`);
  if (!probe.ok) {
    const prefix = requested === 'webgpu' ? 'WebGPU was requested but is unavailable' : 'WebGPU is unavailable';
    return {
      backend: 'wasm',
      requested,
      reason: probe.reason,
      message: `${prefix}, so the CPU (WebAssembly) runs the model: ${probe.message}`,
    };
  }
  const adapter = probe.info;
  const name = adapterName(adapter);
  if (requested === 'webgpu') {
    const note = isSoftwareAdapter(adapter)
      ? ' It is a software adapter (a CPU emulating a GPU): expect it to be slower than WebAssembly.'
      : '';
    return {
      backend: 'webgpu',
      requested,
      reason: 'webgpu-requested',
      message: `Running on WebGPU (${name}), as requested.${note}`,
      adapter,
    };
  }
  if (isSoftwareAdapter(adapter)) {
    return {
      backend: 'wasm',
      requested,
      reason: 'software-adapter',
      message:
        `The only WebGPU adapter is a software one (${name}), which is slower than WebAssembly, ` +
        'so the CPU (WebAssembly) runs the model. Choose WebGPU to use it anyway.',
      adapter,
    };
  }
  return { backend: 'webgpu', requested, reason: 'webgpu-available', message: `Running on WebGPU (${name}).`, adapter };
}

/** The choice after a device loss: always wasm, saying what was lost. */
export function deviceLostChoice(previous: BackendChoice, lostMessage: string): BackendChoice {
  return {
    backend: 'wasm',
    requested: previous.requested,
    reason: 'device-lost',
    message:
      `The GPU device was lost (${lostMessage || 'no reason given'}); ` +
      'the CPU (WebAssembly) runs the model now. Your image and results are kept.',
    adapter: previous.adapter,
  };
}

/** The choice after onnxruntime-web failed to create WebGPU sessions: wasm, quoting the error. */
export function webgpuFailedChoice(previous: BackendChoice, error: string): BackendChoice {
  return {
    backend: 'wasm',
    requested: previous.requested,
    reason: 'webgpu-failed',
    message: `WebGPU could not run this model (${error}), so the CPU (WebAssembly) runs it.`,
    adapter: previous.adapter,
  };
}

export interface AcquiredBackend {
  readonly choice: BackendChoice;
  /** Present exactly when choice.backend is 'webgpu'. */
  readonly device?: GPUDevice;
}

/** Probes WebGPU (unless wasm was asked for), chooses, and keeps the device only if WebGPU won. */
export async function acquireBackend(
  requested: BackendRequest,
  probe: (options: ProbeOptions) => Promise<WebGpuProbe> = probeWebGpu,
): Promise<AcquiredBackend> {
  if (requested === 'wasm') return { choice: chooseBackend(requested, undefined) };
  const found = await probe({ requestDevice: true });
  const outcome: ProbeOutcome = found.ok
    ? found.device
      ? { ok: true, info: found.info }
      : { ok: false, reason: 'device-request-failed', message: 'the probe returned an adapter but no device' }
    : found;
  const choice = chooseBackend(requested, outcome);
  if (choice.backend === 'webgpu' && found.ok && found.device) return { choice, device: found.device };
  if (found.ok) found.device?.destroy();
  return { choice };
}

/** Pure: which execution provider runs each graph: the backend's, except graphs kept on wasm. */
export function graphPlacement(backend: Backend, wasmGraphs: readonly GraphName[] = []): Record<GraphName, Backend> {
  for (const g of wasmGraphs) {
    if (!GRAPH_NAMES.includes(g))
      throw new Error(`wasmGraphs: unknown graph ${JSON.stringify(g)}; the graphs are ${GRAPH_NAMES.join(', ')}`);
  }
  const placement = {} as Record<GraphName, Backend>;
  for (const g of GRAPH_NAMES) placement[g] = backend === 'webgpu' && !wasmGraphs.includes(g) ? 'webgpu' : 'wasm';
  return placement;
}

function adapterName(info: WebGpuInfo): string {
  return [info.vendor, info.architecture, info.description].filter((s) => s !== '').join(' ') || 'unnamed adapter';
}
