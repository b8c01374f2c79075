import { describe, expect, it } from 'vitest';
import { fixtureImageCases, fixtureTensorInfo } from '../../test-support/fixtures.ts';
import { ResidualScheme, runResidualScheme } from './residual-scheme.ts';
import { createScalePlan } from './scale-plan.ts';
import { fixtureConfig, fixtureF32, fixtureFeatures, maxAbsDiffAt } from '../../test-support/quantizer-fixtures.ts';

// The area/bicubic chain alone: driven with the official per-scale q_s, it must reproduce the
// official per-scale quantizer inputs and f̂ without any codebook.
describe('residual scheme against the official fixtures (golden q_s)', () => {
  for (const { name, image } of fixtureImageCases()) {
    it(`${name}/${image}`, () => {
      const { S, scales, Ds, Dp } = fixtureConfig(name);
      const C = Ds + Dp;
      const plan = createScalePlan(S, scales);
      const goldenIn = fixtureF32(name, image, 'quant_input');
      const goldenOut = fixtureF32(name, image, 'quant_output');
      const segments = fixtureTensorInfo(name, image, 'quant_input')!.segments!;

      const blockStart = plan.tokenOffsets.map((t) => t * C);
      const scheme = runResidualScheme(fixtureFeatures(name, image), C, plan, (_r, i) =>
        goldenOut.subarray(blockStart[i], blockStart[i + 1]),
      );

      expect(scheme.featureOffsets.slice(0, -1)).toEqual(segments.map((s) => s.offset));
      expect(scheme.quantInput.length).toBe(goldenIn.length);
      scales.forEach((s, i) => {
        const [a, b] = [scheme.featureOffsets[i], scheme.featureOffsets[i + 1]];
        const d = maxAbsDiffAt(scheme.quantInput.subarray(a, b), goldenIn.subarray(a, b));
        expect(d.max, `scale ${s}: quant_input differs most at element ${d.at}`).toBeLessThan(1e-5);
      });
      const f = maxAbsDiffAt(scheme.fHat, fixtureF32(name, image, 'f_hat'));
      expect(f.max, `f_hat differs most at element ${f.at}`).toBeLessThan(1e-4);
    });
  }
});

describe('ResidualScheme', () => {
  it('is the identity loop for a single full-size scale: r = h, f̂ = q', () => {
    const plan = createScalePlan(3, [3]);
    const h = Float32Array.from({ length: 2 * 9 }, (_, i) => i - 7.5);
    const scheme = new ResidualScheme(h, 2, plan);
    expect(Array.from(scheme.currentInput())).toEqual(Array.from(h));
    const q = Float32Array.from({ length: 18 }, (_, i) => i * 0.25);
    scheme.push(q);
    expect(scheme.done).toBe(true);
    expect(Array.from(scheme.fHat)).toEqual(Array.from(q));
  });

  it('feeds the global mean of the residual to scale 1 and subtracts its constant upsampling', () => {
    const plan = createScalePlan(2, [1, 2]);
    const h = Float32Array.from([1, 2, 3, 6]); // one channel, mean 3
    const scheme = new ResidualScheme(h, 1, plan);
    expect(Array.from(scheme.currentInput())).toEqual([3]);
    scheme.push(Float32Array.from([0.5]));
    expect(Array.from(scheme.currentInput())).toEqual([0.5, 1.5, 2.5, 5.5]);
  });

  it('rejects a q_s of the wrong size, naming the scale', () => {
    const scheme = new ResidualScheme(new Float32Array(2 * 16), 2, createScalePlan(4, [1, 2, 4]));
    expect(() => scheme.push(new Float32Array(3))).toThrow(/scale 1 has 3 values/);
  });

  it('rejects features of the wrong size', () => {
    expect(() => new ResidualScheme(new Float32Array(10), 2, createScalePlan(4, [4]))).toThrow(/h has 10 values/);
  });

  it('refuses a push after the last scale', () => {
    const scheme = new ResidualScheme(new Float32Array(1), 1, createScalePlan(1, [1]));
    scheme.push(new Float32Array(1));
    expect(() => scheme.push(new Float32Array(1))).toThrow(/already quantized/);
  });
});
