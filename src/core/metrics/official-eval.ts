/**
 * The official reconstruction evaluation's PSNR and SSIM (`reconstruction_vq_ddp.py`, inherited
 * from LlamaGen), reproduced with its quirks so our numbers can be put next to published ones:
 *
 *   rgb_gt       = (x + 1) / 2                 x: the float32 model input in [-1, 1]
 *   rgb_restored = recon_u8.astype(float32) / 255
 *   psnr = peak_signal_noise_ratio(rgb_restored, rgb_gt)
 *          → skimage infers data_range 1.0 from the float dtype (correct for [0,1] images)
 *   ssim = structural_similarity(rgb_restored, rgb_gt, data_range=2.0, channel_axis=-1)
 *          → skimage's defaults: 7×7 uniform window, sample covariance; data_range 2.0 on
 *            [0,1] images makes C1 and C2 four times too large, which inflates SSIM
 *
 * The float32 steps (the gt's +1 and /2, the restored /255, the squared differences) are
 * rounded to float32 as numpy does. Deviation kept on purpose: skimage filters float32 images
 * in float32, we filter in float64, so the official SSIM agrees with skimage's to ~1e-6, not bit
 * for bit.
 */
import { normalizePixel } from '../image/model-input.ts';
import { checkSameLength, psnrFromMse } from './psnr.ts';
import { ssim, uniformTaps } from './ssim.ts';

/** (x + 1) / 2 in float32 for each of the 256 input values. */
const GT_LUT: Float32Array = (() => {
  const lut = new Float32Array(256);
  for (let p = 0; p < 256; p++) lut[p] = Math.fround(Math.fround(normalizePixel(p) + 1) / 2);
  return lut;
})();

/** uint8 / 255 in float32. */
const RESTORED_LUT: Float32Array = (() => {
  const lut = new Float32Array(256);
  for (let p = 0; p < 256; p++) lut[p] = Math.fround(p / 255);
  return lut;
})();

/** rgb_gt of the official eval, from the uint8 crop the model input was made from. */
export function officialGroundTruth(cropU8: Uint8Array): Float32Array {
  const out = new Float32Array(cropU8.length);
  for (let i = 0; i < cropU8.length; i++) out[i] = GT_LUT[cropU8[i]];
  return out;
}

/** rgb_restored of the official eval. */
export function officialRestored(reconU8: Uint8Array): Float32Array {
  const out = new Float32Array(reconU8.length);
  for (let i = 0; i < reconU8.length; i++) out[i] = RESTORED_LUT[reconU8[i]];
  return out;
}

/** The official eval's PSNR: data range 1.0 on [0,1] images; +Infinity for identical images. */
export function officialPsnr(cropU8: Uint8Array, reconU8: Uint8Array): number {
  checkSameLength(cropU8, reconU8, 'officialPsnr');
  let sum = 0;
  for (let i = 0; i < cropU8.length; i++) {
    const d = Math.fround(RESTORED_LUT[reconU8[i]] - GT_LUT[cropU8[i]]);
    sum += Math.fround(d * d);
  }
  return psnrFromMse(sum / cropU8.length, 1);
}

const UNIFORM_7 = uniformTaps(7);

/** The official eval's SSIM (inflated: data_range 2.0 on [0,1] images, 7×7 uniform window). */
export function officialSsim(cropU8: Uint8Array, reconU8: Uint8Array, width: number, height: number): number {
  return ssim(
    officialRestored(reconU8),
    officialGroundTruth(cropU8),
    { width, height, channels: 3 },
    {
      taps: UNIFORM_7,
      dataRange: 2,
      sampleCovariance: true,
    },
  );
}
