/**
 * The numbers shown under a reconstruction, all from the core metrics (one implementation for
 * the CLI, the page and the tests): standard PSNR/SSIM on uint8, and the official evaluation's
 * variants, which are labelled wherever they appear.
 */
import { officialPsnr, officialSsim, psnrU8, ssimU8 } from '../../core/metrics/index.ts';

export interface Metrics {
  /** dB, uint8 reconstruction vs the uint8 crop, data range 255. */
  readonly psnr: number;
  /** Gaussian-window SSIM (σ 1.5), data range 255. */
  readonly ssim: number;
  /** The official evaluation's PSNR (float [0,1] images). */
  readonly officialPsnr: number;
  /** The official evaluation's SSIM (7×7 uniform window, data_range 2.0 on [0,1]: inflated). */
  readonly officialSsim: number;
}

/** @param crop and recon: size×size×3 uint8 RGB. */
export function reconstructionMetrics(crop: Uint8Array, recon: Uint8Array, size: number): Metrics {
  if (crop.length !== size * size * 3 || recon.length !== size * size * 3) {
    throw new Error(
      `metrics: a ${size}×${size} crop and reconstruction need ${size * size * 3} bytes each, got ${crop.length} and ${recon.length}`,
    );
  }
  return {
    psnr: psnrU8(crop, recon),
    ssim: ssimU8(crop, recon, size, size),
    officialPsnr: officialPsnr(crop, recon),
    officialSsim: officialSsim(crop, recon, size, size),
  };
}
