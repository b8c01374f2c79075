/**
 * Test-only: SSIM written the slow, obvious way, independently of ssim.ts, to check it against.
 * For every position where the 2-D window (outer product of `taps`) fits: weighted sums over
 * the window, then Wang et al.'s formula; mean over positions, then over channels.
 */
export function bruteForceSsim(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  taps: readonly number[],
  dataRange: number,
  sampleCovariance: boolean,
): number {
  const n = taps.length;
  const N = n * n;
  const norm = sampleCovariance ? N / (N - 1) : 1;
  const C1 = (0.01 * dataRange) ** 2;
  const C2 = (0.03 * dataRange) ** 2;
  let total = 0;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let count = 0;
    for (let y0 = 0; y0 + n <= height; y0++) {
      for (let x0 = 0; x0 + n <= width; x0++) {
        let mx = 0,
          my = 0,
          mxx = 0,
          myy = 0,
          mxy = 0;
        for (let dy = 0; dy < n; dy++) {
          for (let dx = 0; dx < n; dx++) {
            const w = taps[dy] * taps[dx];
            const i = ((y0 + dy) * width + (x0 + dx)) * channels + c;
            mx += w * a[i];
            my += w * b[i];
            mxx += w * a[i] * a[i];
            myy += w * b[i] * b[i];
            mxy += w * a[i] * b[i];
          }
        }
        const vx = norm * (mxx - mx * mx);
        const vy = norm * (myy - my * my);
        const vxy = norm * (mxy - mx * my);
        sum += ((2 * mx * my + C1) * (2 * vxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        count++;
      }
    }
    total += sum / count;
  }
  return total / channels;
}

/** scipy's Gaussian taps written out directly: exp(−x²/2σ²), |x| ≤ 5 for σ = 1.5, normalised. */
export function gaussianTapsReference(): number[] {
  const raw = Array.from({ length: 11 }, (_, i) => Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
  const z = raw.reduce((s, v) => s + v, 0);
  return raw.map((v) => v / z);
}
