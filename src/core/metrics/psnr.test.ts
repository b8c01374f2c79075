import { describe, expect, it } from 'vitest';
import { officialPsnr } from './official-eval.ts';
import { meanSquaredErrorU8, psnrU8 } from './psnr.ts';

describe('PSNR', () => {
  it('is 20·log10(255) for an error of one level everywhere, ∞ for identical images', () => {
    const a = new Uint8Array(300).fill(10);
    const b = new Uint8Array(300).fill(11);
    expect(meanSquaredErrorU8(a, b)).toBe(1);
    expect(psnrU8(a, b)).toBeCloseTo(20 * Math.log10(255), 12);
    expect(psnrU8(a, a)).toBe(Infinity);
  });

  it('official variant: data range 1 on (x+1)/2 vs u8/255, close to the standard one', () => {
    const crop = Uint8Array.from({ length: 3 * 64 }, (_, i) => (i * 29) % 256);
    const recon = crop.map((v, i) => Math.min(255, v + (i % 5)));
    const standard = psnrU8(crop, recon);
    expect(Math.abs(officialPsnr(crop, recon) - standard)).toBeLessThan(1e-4);
    // (x+1)/2 in float32 is not exactly p/255: an exact reconstruction has a finite official PSNR.
    const exact = officialPsnr(crop, crop);
    expect(Number.isFinite(exact)).toBe(true);
    expect(exact).toBeGreaterThan(120);
  });

  it('names the mismatch when sizes differ', () => {
    expect(() => psnrU8(new Uint8Array(3), new Uint8Array(6))).toThrow(/3 and 6 samples/);
  });
});
