import { describe, expect, it, vi } from 'vitest';
import {
  acquireBackend,
  chooseBackend,
  deviceLostChoice,
  graphPlacement,
  webgpuFailedChoice,
  type ProbeOutcome,
} from './backend-choice.ts';
import type { WebGpuInfo, WebGpuProbe } from './gpu/capabilities.ts';

const limits = {
  maxStorageBufferBindingSize: 1 << 30,
  maxBufferSize: 1 << 30,
  maxComputeWorkgroupStorageSize: 32768,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxStorageBuffersPerShaderStage: 10,
};
const hardware: WebGpuInfo = {
  vendor: 'nvidia',
  architecture: 'ampere',
  description: '',
  isFallbackAdapter: false,
  features: { shaderF16: true },
  limits,
};
/** SwiftShader differs from a hardware adapter only in its names, the fallback flag and f16. */
const swiftshader: WebGpuInfo = {
  ...hardware,
  vendor: 'google',
  architecture: 'swiftshader',
  isFallbackAdapter: true,
  features: { shaderF16: false },
};
const noAdapter: ProbeOutcome = { ok: false, reason: 'no-adapter', message: 'no GPU adapter is available' };

describe('choosing the backend from a WebGPU probe', () => {
  it('auto: WebGPU on a hardware adapter', () => {
    expect(chooseBackend('auto', { ok: true, info: hardware })).toMatchObject({
      backend: 'webgpu',
      reason: 'webgpu-available',
      message: 'Running on WebGPU (nvidia ampere).',
    });
  });

  it('auto: wasm on llvmpipe too, which a browser may not flag as a fallback adapter', () => {
    const llvmpipe = { ...hardware, vendor: 'mesa', architecture: 'llvmpipe', isFallbackAdapter: false };
    expect(chooseBackend('auto', { ok: true, info: llvmpipe })).toMatchObject({
      backend: 'wasm',
      reason: 'software-adapter',
    });
  });

  it('auto: wasm on a software adapter, because it is faster, saying WebGPU can be forced', () => {
    const c = chooseBackend('auto', { ok: true, info: swiftshader });
    expect(c).toMatchObject({ backend: 'wasm', reason: 'software-adapter', adapter: swiftshader });
    expect(c.message).toMatch(/software one \(google swiftshader\).*Choose WebGPU to use it anyway/);
  });

  it('forced WebGPU runs on a software adapter, with a warning', () => {
    const c = chooseBackend('webgpu', { ok: true, info: swiftshader });
    expect(c).toMatchObject({ backend: 'webgpu', reason: 'webgpu-requested' });
    expect(c.message).toMatch(/software adapter .* slower than WebAssembly/);
  });

  it.each([
    'no-navigator-gpu',
    'no-adapter',
    'adapter-request-failed',
    'device-request-failed',
    'insecure-context',
  ] as const)('wasm when WebGPU is unavailable (%s), with the probe message, whether auto or forced', (reason) => {
    const probe: ProbeOutcome = { ok: false, reason, message: `because ${reason}` };
    expect(chooseBackend('auto', probe)).toMatchObject({
      backend: 'wasm',
      reason,
      message: expect.stringMatching(new RegExp(`^WebGPU is unavailable.*because ${reason}$`)),
    });
    expect(chooseBackend('webgpu', probe)).toMatchObject({
      backend: 'wasm',
      reason,
      message: expect.stringMatching(/^WebGPU was requested but is unavailable/),
    });
  });

  it('wasm when asked, without a probe; an unknown request is refused by name', () => {
    expect(chooseBackend('wasm', undefined)).toMatchObject({ backend: 'wasm', reason: 'wasm-requested' });
    expect(() => chooseBackend('cuda' as 'auto', noAdapter)).toThrow(
      `backend must be one of 'auto', 'webgpu', 'wasm', got "cuda"`,
    );
  });

  it.each([
    {
      what: 'a WebGPU session failure',
      requested: 'auto',
      info: hardware,
      fallBack: webgpuFailedChoice,
      error: 'no kernel for GroupNormalization',
      reason: 'webgpu-failed',
      message: 'WebGPU could not run this model (no kernel for GroupNormalization), so the CPU (WebAssembly) runs it.',
    },
    {
      what: 'a device loss',
      requested: 'webgpu',
      info: swiftshader,
      fallBack: deviceLostChoice,
      error: 'Device was destroyed.',
      reason: 'device-lost',
      message: expect.stringMatching(/lost \(Device was destroyed\.\)/),
    },
  ] as const)('$what moves to wasm, keeps what was requested and quotes the error', (c) => {
    const before = chooseBackend(c.requested, { ok: true, info: c.info });
    expect(c.fallBack(before, c.error)).toMatchObject({
      backend: 'wasm',
      requested: c.requested,
      reason: c.reason,
      message: c.message,
    });
  });
});

describe('acquiring the backend', () => {
  const fakeDevice = () => ({ destroy: vi.fn() }) as unknown as GPUDevice & { destroy: ReturnType<typeof vi.fn> };
  const probeWith = (info: WebGpuInfo, device: GPUDevice) =>
    vi.fn(async (): Promise<WebGpuProbe> => ({ ok: true, adapter: {} as GPUAdapter, device, info }));

  it('keeps the device when WebGPU wins', async () => {
    const device = fakeDevice();
    const got = await acquireBackend('auto', probeWith(hardware, device));
    expect(got.choice.backend).toBe('webgpu');
    expect(got.device).toBe(device);
    expect(device.destroy).not.toHaveBeenCalled();
  });

  it('destroys the device it does not use (software adapter under auto)', async () => {
    const device = fakeDevice();
    const got = await acquireBackend('auto', probeWith(swiftshader, device));
    expect(got).toEqual({ choice: expect.objectContaining({ backend: 'wasm', reason: 'software-adapter' }) });
    expect(device.destroy).toHaveBeenCalledOnce();
  });

  it('does not probe when wasm is requested', async () => {
    const probe = vi.fn();
    expect((await acquireBackend('wasm', probe)).choice.reason).toBe('wasm-requested');
    expect(probe).not.toHaveBeenCalled();
  });

  it('reports a failed device request', async () => {
    const got = await acquireBackend('webgpu', async () => ({
      ok: false,
      reason: 'device-request-failed',
      message: 'out of memory',
    }));
    expect(got.choice).toMatchObject({ backend: 'wasm', reason: 'device-request-failed' });
    expect(got.device).toBeUndefined();
  });
});

describe('graph placement', () => {
  it('puts every graph on the backend, except graphs kept on wasm; wasm keeps all on wasm', () => {
    expect(graphPlacement('webgpu')).toEqual({
      semanticEncoder: 'webgpu',
      pixelEncoder: 'webgpu',
      pixelDecoder: 'webgpu',
    });
    expect(graphPlacement('webgpu', ['pixelDecoder'])).toEqual({
      semanticEncoder: 'webgpu',
      pixelEncoder: 'webgpu',
      pixelDecoder: 'wasm',
    });
    expect(graphPlacement('wasm', [])).toEqual({ semanticEncoder: 'wasm', pixelEncoder: 'wasm', pixelDecoder: 'wasm' });
    expect(() => graphPlacement('webgpu', ['decoder' as 'pixelDecoder'])).toThrow(
      'wasmGraphs: unknown graph "decoder"',
    );
  });
});
