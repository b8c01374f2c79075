import { describe, expect, it } from 'vitest';
import { ortBuildFor, ortFor } from './ort-module.ts';

describe('ortBuildFor', () => {
  it('gives a wasm-only worker the plain CPU build', () => {
    expect(ortBuildFor('wasm', new Set())).toBe('wasm');
    expect(ortBuildFor('wasm', new Set(['wasm']))).toBe('wasm');
  });

  it('gives WebGPU the WebGPU bundle, whatever is loaded already', () => {
    expect(ortBuildFor('webgpu', new Set())).toBe('webgpu');
    expect(ortBuildFor('webgpu', new Set(['wasm']))).toBe('webgpu');
  });

  it('runs wasm graphs on the WebGPU bundle once it is loaded, so a worker keeps one heap (device loss, hybrid placement)', () => {
    expect(ortBuildFor('wasm', new Set(['webgpu']))).toBe('webgpu');
    expect(ortBuildFor('wasm', new Set(['wasm', 'webgpu']))).toBe('webgpu');
  });
});

describe('ortFor', () => {
  it('refuses to load ORT before its wasm files are located', async () => {
    await expect(ortFor('wasm')).rejects.toThrow(/configureOrtWasm first/);
  });
});
