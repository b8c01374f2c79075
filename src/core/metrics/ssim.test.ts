import { describe, expect, it } from 'vitest';
import { officialGroundTruth, officialRestored, officialSsim } from './official-eval.ts';
import { gaussianTaps, ssim, ssimU8, uniformTaps } from './ssim.ts';
import { bruteForceSsim, gaussianTapsReference } from '../../test-support/ssim-reference.ts';

/** Deterministic pseudo-random uint8 image. */
function noiseU8(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % 256;
  }
  return out;
}

describe('SSIM', () => {
  it('Gaussian taps are scipy’s: 11 taps for σ=1.5, symmetric, summing to 1, centre exp(0)/Σ', () => {
    const t = gaussianTaps(1.5);
    expect(t.length).toBe(11);
    expect(t.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    let z = 0;
    for (let i = -5; i <= 5; i++) z += Math.exp(-(i * i) / (2 * 2.25));
    expect(t[5]).toBeCloseTo(1 / z, 15);
    expect(t[0]).toBeCloseTo(Math.exp(-25 / 4.5) / z, 15);
  });

  it('is exactly 1 for identical images (standard and official variants)', () => {
    const img = noiseU8(40 * 30 * 3, 7);
    expect(ssimU8(img, img, 40, 30)).toBe(1);
    // The official gt is (x+1)/2 in float32, not p/255: identical uint8 images differ by float32
    // rounding there, so the official SSIM is 1 only to ~1e-7.
    expect(officialSsim(img, img, 40, 30)).toBeCloseTo(1, 6);
  });

  it('hand-checked: two flat images give the luminance term only', () => {
    const a = new Uint8Array(20 * 20 * 3).fill(100);
    const b = new Uint8Array(20 * 20 * 3).fill(150);
    // C1 = (0.01·255)² = 6.5025; (2·100·150 + C1) / (100² + 150² + C1); the variance terms are C2/C2.
    expect(ssimU8(a, b, 20, 20)).toBeCloseTo((30000 + 6.5025) / (10000 + 22500 + 6.5025), 12);
  });

  it('hand-checked: a 7×7 binary pattern against its inverse (official window, sample covariance, L=2)', () => {
    // 25 ones and 24 zeros vs the inverse: means 25/49 and 24/49, E[x²]=25/49, E[y²]=24/49, E[xy]=0.
    const x = Array.from({ length: 49 }, (_, i) => (i < 25 ? 1 : 0));
    const y = x.map((v) => 1 - v);
    const mx = 25 / 49,
      my = 24 / 49;
    const norm = 49 / 48;
    const vx = norm * (25 / 49 - mx * mx);
    const vy = norm * (24 / 49 - my * my);
    const vxy = norm * (0 - mx * my);
    const C1 = 0.0004,
      C2 = 0.0036;
    const expected = ((2 * mx * my + C1) * (2 * vxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
    expect(expected).toBeLessThan(0); // anti-correlated: the structure term is negative
    const got = ssim(
      x,
      y,
      { width: 7, height: 7, channels: 1 },
      { taps: uniformTaps(7), dataRange: 2, sampleCovariance: true },
    );
    expect(got).toBeCloseTo(expected, 13);
  });

  it('matches a brute-force 2-D implementation on random RGB images (standard settings)', () => {
    const w = 23,
      h = 17;
    const a = noiseU8(w * h * 3, 1);
    const b = a.map((v, i) => Math.min(255, Math.max(0, v + ((i * 37) % 41) - 20)));
    const want = bruteForceSsim(a, b, w, h, 3, gaussianTapsReference(), 255, false);
    expect(ssimU8(a, b, w, h)).toBeCloseTo(want, 12);
    expect(want).toBeGreaterThan(0.5);
    expect(want).toBeLessThan(1);
  });

  it('official variant matches the brute force on its float32 [0,1] images with L=2 and a 7×7 uniform window', () => {
    const w = 19,
      h = 12;
    const crop = noiseU8(w * h * 3, 3);
    const recon = noiseU8(w * h * 3, 4).map((v, i) => (v + 3 * crop[i]) >> 2);
    const want = bruteForceSsim(
      officialRestored(recon),
      officialGroundTruth(crop),
      w,
      h,
      3,
      new Array(7).fill(1 / 7),
      2,
      true,
    );
    expect(officialSsim(crop, recon, w, h)).toBeCloseTo(want, 12);
    // The quirk: L=2 on [0,1] data inflates SSIM relative to the same window with the right L=1.
    const honest = bruteForceSsim(
      officialRestored(recon),
      officialGroundTruth(crop),
      w,
      h,
      3,
      new Array(7).fill(1 / 7),
      1,
      true,
    );
    expect(want).toBeGreaterThan(honest);
  });

  it('refuses images smaller than the window, naming the sizes', () => {
    const img = new Uint8Array(10 * 10 * 3);
    expect(() => ssimU8(img, img, 10, 10)).toThrow(/10x10 image is smaller than the 11x11 window/);
  });
});
