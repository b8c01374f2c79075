/**
 * The model input: torchvision `ToTensor()` then `Normalize(0.5, 0.5)`, i.e. x = (p/255 − 0.5)/0.5,
 * NCHW (1,3,H,W), float32 — for every branch of every variant (docs/spec.md §2).
 */
import { tensor, type Tensor } from '../tensor.ts';
import { type RgbImage, assertRgbImage } from './rgb-image.ts';

/**
 * The 256 possible values, each step rounded to float32 as torch does: ToTensor divides the
 * float32 pixel by 255 in float32, Normalize subtracts and divides in float32. A float32
 * division of exact operands equals fround of the float64 quotient (double rounding is
 * harmless for +−×÷ from binary64 to binary32), so this is bit-identical.
 */
const LUT: Float32Array = (() => {
  const lut = new Float32Array(256);
  for (let p = 0; p < 256; p++) {
    const v = Math.fround(p / 255);
    lut[p] = Math.fround(Math.fround(v - 0.5) / 0.5);
  }
  return lut;
})();

/** The float32 model-input value of one uint8 sample. */
export function normalizePixel(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 255) throw new Error(`normalizePixel: ${p} is not a uint8 value`);
  return LUT[p];
}

/** RGB HWC uint8 → (1,3,H,W) float32 in [-1,1]. */
export function toModelInput(img: RgbImage): Tensor<'float32'> {
  assertRgbImage(img, 'toModelInput input');
  const plane = img.width * img.height;
  const out = new Float32Array(3 * plane);
  const src = img.data;
  for (let i = 0, s = 0; i < plane; i++, s += 3) {
    out[i] = LUT[src[s]];
    out[plane + i] = LUT[src[s + 1]];
    out[2 * plane + i] = LUT[src[s + 2]];
  }
  return tensor('float32', [1, 3, img.height, img.width], out);
}
