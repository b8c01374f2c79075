import { describe, expect, it } from 'vitest';
import { isSoftwareDevice, probeWebGpu, requestDevice } from './capabilities.ts';

/** The limits the probe reports, with the values the fake adapter offers. */
const reportedLimits = {
  maxStorageBufferBindingSize: 1 << 30,
  maxBufferSize: 1 << 31,
  maxComputeWorkgroupStorageSize: 32768,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxStorageBuffersPerShaderStage: 10,
};
/** Two more the probe must leave out of its report. */
const adapterLimits = {
  ...reportedLimits,
  maxUniformBufferBindingSize: 65536,
  minUniformBufferOffsetAlignment: 256,
};

function fakeAdapter(options: { features?: string[]; failDevice?: boolean } = {}): {
  adapter: GPUAdapter;
  requested: GPUDeviceDescriptor[];
} {
  const requested: GPUDeviceDescriptor[] = [];
  // Only what the probe reads; the rest of GPUAdapter is never touched.
  const adapter = {
    features: new Set(options.features ?? []),
    limits: adapterLimits,
    info: { vendor: 'acme', architecture: 'rdna', device: '', description: 'Acme GPU', isFallbackAdapter: false },
    async requestDevice(descriptor?: GPUDeviceDescriptor) {
      requested.push(descriptor ?? {});
      if (options.failDevice) throw new Error('out of device slots');
      return { adapterInfo: adapter.info } as unknown as GPUDevice;
    },
  };
  return { adapter: adapter as unknown as GPUAdapter, requested };
}

const withGpu = (requestAdapter: GPU['requestAdapter']) => ({ gpu: { requestAdapter } });

describe('probeWebGpu', () => {
  it('explains a missing navigator.gpu', async () => {
    const probe = await probeWebGpu({ navigator: {} });
    expect(probe).toMatchObject({ ok: false, reason: 'no-navigator-gpu' });
    expect(!probe.ok && probe.message).toMatch(/no navigator\.gpu: WebGPU is off or unsupported/);
  });

  it('explains a null adapter', async () => {
    const probe = await probeWebGpu({ navigator: withGpu(async () => null) });
    expect(probe).toMatchObject({ ok: false, reason: 'no-adapter' });
    expect(!probe.ok && probe.message).toMatch(/no GPU adapter is available/);
  });

  it('reports a throwing requestAdapter with its message', async () => {
    const probe = await probeWebGpu({
      navigator: withGpu(async () => {
        throw new Error('GPU process crashed');
      }),
    });
    expect(probe).toMatchObject({ ok: false, reason: 'adapter-request-failed' });
    expect(!probe.ok && probe.message).toMatch(/GPU process crashed/);
  });

  it('names the adapter when the device request fails', async () => {
    const { adapter } = fakeAdapter({ failDevice: true });
    const probe = await probeWebGpu({ navigator: withGpu(async () => adapter), requestDevice: true });
    expect(probe).toMatchObject({ ok: false, reason: 'device-request-failed' });
    expect(!probe.ok && probe.message).toMatch(/acme rdna Acme GPU.*out of device slots/);
  });

  it('describes a usable adapter as plain data, without a device unless asked', async () => {
    const { adapter } = fakeAdapter({ features: ['shader-f16'] });
    const probe = await probeWebGpu({ navigator: withGpu(async () => adapter) });
    expect(probe.ok).toBe(true);
    if (!probe.ok) return;
    expect(probe.device).toBeUndefined();
    expect(probe.info).toEqual({
      vendor: 'acme',
      architecture: 'rdna',
      description: 'Acme GPU',
      isFallbackAdapter: false,
      features: { shaderF16: true },
      limits: reportedLimits,
    });
    expect(structuredClone(probe.info)).toEqual(probe.info);
  });
});

describe('requestDevice', () => {
  it("raises the storage and workgroup-memory limits to the adapter's and asks for shader-f16 when offered", async () => {
    const { adapter, requested } = fakeAdapter({ features: ['shader-f16'] });
    await requestDevice(adapter);
    expect(requested[0].requiredLimits).toEqual({
      maxStorageBufferBindingSize: 1 << 30,
      maxBufferSize: 1 << 31,
      maxComputeWorkgroupStorageSize: 32768,
    });
    expect(requested[0].requiredFeatures).toEqual(['shader-f16']);
  });

  it('requests no features the adapter lacks', async () => {
    const { adapter, requested } = fakeAdapter();
    await requestDevice(adapter);
    expect(requested[0].requiredFeatures).toEqual([]);
  });
});

describe('isSoftwareDevice', () => {
  const device = (info: object | undefined) => ({ adapterInfo: info }) as unknown as GPUDevice;
  it('recognises a fallback adapter and SwiftShader by name', () => {
    expect(isSoftwareDevice(device({ isFallbackAdapter: true, architecture: '', description: '' }))).toBe(true);
    expect(isSoftwareDevice(device({ isFallbackAdapter: false, architecture: 'swiftshader', description: '' }))).toBe(
      true,
    );
    expect(isSoftwareDevice(device({ isFallbackAdapter: false, architecture: 'ampere', description: 'NVIDIA' }))).toBe(
      false,
    );
  });
  it('assumes hardware when the browser does not say', () => {
    expect(isSoftwareDevice(device(undefined))).toBe(false);
  });
});
