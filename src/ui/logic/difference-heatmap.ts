/**
 * Where a reconstruction differs from the crop it came from: per pixel the mean absolute
 * difference over R, G, B, times a gain, through a dark-to-bright colour ramp (black = equal).
 * The gain is shown next to the map so a bright map is not mistaken for a bad one.
 */
import type { RgbImage } from '../../core/image/rgb-image.ts';

/** Black → purple → orange → pale yellow, at levels 0, 1/3, 2/3, 1. */
const RAMP: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [120, 28, 109],
  [237, 105, 37],
  [252, 255, 164],
];

export interface DifferenceMap {
  readonly width: number;
  readonly height: number;
  /** RGBA for ImageData. */
  readonly rgba: Uint8ClampedArray<ArrayBuffer>;
  /** Mean over pixels of the per-pixel mean |Δ|, in uint8 levels. */
  readonly meanAbs: number;
  /** Largest per-channel |Δ|. */
  readonly maxAbs: number;
  readonly gain: number;
}

export function rampColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i];
  const b = RAMP[i + 1];
  return [
    Math.round(a[0] + f * (b[0] - a[0])),
    Math.round(a[1] + f * (b[1] - a[1])),
    Math.round(a[2] + f * (b[2] - a[2])),
  ];
}

export function differenceMap(reference: RgbImage, test: RgbImage, gain = 4): DifferenceMap {
  if (reference.width !== test.width || reference.height !== test.height) {
    throw new Error(
      `differenceMap: the crop is ${reference.width}x${reference.height} but the reconstruction is ${test.width}x${test.height}`,
    );
  }
  if (!(gain > 0)) throw new Error(`differenceMap: gain must be > 0, got ${gain}`);
  const n = reference.width * reference.height;
  const rgba = new Uint8ClampedArray(n * 4);
  const lut: number[][] = [];
  for (let v = 0; v <= 255; v++) lut.push(rampColour(v / 255));
  let sum = 0;
  let maxAbs = 0;
  const a = reference.data;
  const b = test.data;
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 3, o += 4) {
    const d0 = Math.abs(a[s] - b[s]);
    const d1 = Math.abs(a[s + 1] - b[s + 1]);
    const d2 = Math.abs(a[s + 2] - b[s + 2]);
    const mean = (d0 + d1 + d2) / 3;
    sum += mean;
    maxAbs = Math.max(maxAbs, d0, d1, d2);
    const c = lut[Math.min(255, Math.round(mean * gain))];
    rgba[o] = c[0];
    rgba[o + 1] = c[1];
    rgba[o + 2] = c[2];
    rgba[o + 3] = 255;
  }
  return { width: reference.width, height: reference.height, rgba, meanAbs: n > 0 ? sum / n : 0, maxAbs, gain };
}
