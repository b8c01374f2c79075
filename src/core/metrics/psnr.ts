/**
 * Peak signal-to-noise ratio of a reconstruction against the image the model saw (its official
 * R×R crop), both uint8 RGB. DOM-free: the CLI report and the browser show the same number.
 */

/** Mean squared error of two equally long uint8 arrays, in uint8 levels². */
export function meanSquaredErrorU8(a: Uint8Array, b: Uint8Array): number {
  checkSameLength(a, b, 'meanSquaredErrorU8');
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum / a.length;
}

/**
 * 10·log10(255² / MSE) over all samples of all channels, as skimage's
 * `peak_signal_noise_ratio(crop, recon, data_range=255)`. Identical images give +Infinity.
 */
export function psnrU8(reference: Uint8Array, test: Uint8Array): number {
  return psnrFromMse(meanSquaredErrorU8(reference, test), 255);
}

export function psnrFromMse(mse: number, dataRange: number): number {
  if (!(dataRange > 0)) throw new Error(`PSNR data range must be > 0, got ${dataRange}`);
  if (mse === 0) return Infinity;
  return 10 * Math.log10((dataRange * dataRange) / mse);
}

export function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length)
    throw new Error(`${what}: the images have ${a.length} and ${b.length} samples; they must be the same size`);
  if (a.length === 0) throw new Error(`${what}: the images are empty`);
}
