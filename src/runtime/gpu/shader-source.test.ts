import { describe, expect, it } from 'vitest';
import { composeShader } from './shader-source.ts';

describe('composeShader', () => {
  it('prepends u32 constants before the parts, in order', () => {
    expect(composeShader({ SEM_DIM: 32, TOP_K: 0 }, 'fn a() {}', 'fn b() {}')).toBe(
      'const SEM_DIM: u32 = 32u;\nconst TOP_K: u32 = 0u;\nfn a() {}\nfn b() {}',
    );
  });

  it('rejects values that are not u32, naming the constant', () => {
    expect(() => composeShader({ TOP_K: -1 }, '')).toThrow(/TOP_K must be a u32, got -1/);
    expect(() => composeShader({ WORKGROUP: 1.5 }, '')).toThrow(/WORKGROUP must be a u32, got 1.5/);
  });

  it('rejects names that could collide with WGSL identifiers in the parts', () => {
    expect(() => composeShader({ topK: 1 }, '')).toThrow(/"topK" is not UPPER_SNAKE_CASE/);
  });
});
