import { describe, expect, it } from 'vitest';
import { reconstructionMetrics } from './reconstruction-metrics.ts';

describe('reconstructionMetrics', () => {
  const size = 16;
  const crop = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 37) % 256);

  it('gives infinite PSNR and SSIM 1 for a perfect reconstruction, lower numbers for a noisy one', () => {
    const same = reconstructionMetrics(crop, crop.slice(), size);
    expect(same.psnr).toBe(Infinity);
    // The official eval compares (x+1)/2 of the float input with u8/255: float32 rounding keeps it finite.
    expect(same.officialPsnr).toBeGreaterThan(100);
    expect(same.ssim).toBeCloseTo(1, 12);
    expect(same.officialSsim).toBeCloseTo(1, 6);
    const noisy = crop.map((v, i) => Math.min(255, v + (i % 5)));
    const m = reconstructionMetrics(crop, noisy, size);
    expect(m.psnr).toBeGreaterThan(30);
    expect(m.psnr).toBeLessThan(Infinity);
    // The official SSIM's data_range 2.0 on [0,1] images inflates it above the standard one.
    expect(m.officialSsim).toBeGreaterThan(m.ssim);
  });

  it('names the sizes when the images do not match', () => {
    expect(() => reconstructionMetrics(crop, crop.subarray(3), size)).toThrow(
      'a 16×16 crop and reconstruction need 768 bytes each, got 768 and 765',
    );
  });
});
