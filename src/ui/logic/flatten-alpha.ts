/**
 * RGBA pixels read back from a canvas → the core's RgbImage, compositing transparency onto
 * white. The official code (`Image.open(p).convert('RGB')`) instead DROPS alpha and keeps
 * whatever colour a transparent pixel stores (often black); a browser cannot read those stored
 * colours back exactly (canvases premultiply), and a white background is what a person sees,
 * so the playground flattens and says so in the UI.
 */
import type { RgbImage } from '../../core/image/rgb-image.ts';

export interface FlattenResult {
  readonly image: RgbImage;
  /** Pixels that were not fully opaque (0 for a photo). */
  readonly translucentPixels: number;
}

/** c·a + 255·(1 − a), rounded; exact integers for a = 0 and a = 255. */
export function flattenOntoWhite(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): FlattenResult {
  const n = width * height;
  if (rgba.length !== n * 4)
    throw new Error(`flattenOntoWhite: ${width}x${height} RGBA needs ${n * 4} bytes, got ${rgba.length}`);
  const out = new Uint8Array(n * 3);
  let translucentPixels = 0;
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 4, o += 3) {
    const a = rgba[s + 3];
    if (a === 255) {
      out[o] = rgba[s];
      out[o + 1] = rgba[s + 1];
      out[o + 2] = rgba[s + 2];
    } else {
      translucentPixels++;
      const white = 255 * (255 - a);
      out[o] = Math.round((rgba[s] * a + white) / 255);
      out[o + 1] = Math.round((rgba[s + 1] * a + white) / 255);
      out[o + 2] = Math.round((rgba[s + 2] * a + white) / 255);
    }
  }
  return { image: { width, height, data: out }, translucentPixels };
}

const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** RgbImage → RGBA for ImageData (alpha 255), to draw the core's images on a canvas. */
export function rgbToRgba(image: RgbImage): Uint8ClampedArray<ArrayBuffer> {
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  const src = image.data;
  if (littleEndian) {
    // One 32-bit store per pixel instead of four clamped byte stores: this loop runs on the
    // page's thread, often before it is optimised, for every image shown.
    const out32 = new Uint32Array(out.buffer);
    for (let i = 0, s = 0; i < n; i++, s += 3)
      out32[i] = (0xff000000 | (src[s + 2] << 16) | (src[s + 1] << 8) | src[s]) >>> 0;
    return out;
  }
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 3, o += 4) {
    out[o] = src[s];
    out[o + 1] = src[s + 1];
    out[o + 2] = src[s + 2];
    out[o + 3] = 255;
  }
  return out;
}

const rgbaCache = new WeakMap<RgbImage, Uint8ClampedArray<ArrayBuffer>>();

/**
 * rgbToRgba once per image object: the crop is drawn by several views at once (its canvas, the
 * inspector's and the codebook's patches, the token grid's background), and each conversion is a
 * per-pixel loop on the page's thread. Callers must not write into the returned pixels.
 */
export function rgbaOf(image: RgbImage): Uint8ClampedArray<ArrayBuffer> {
  let rgba = rgbaCache.get(image);
  if (!rgba) rgbaCache.set(image, (rgba = rgbToRgba(image)));
  return rgba;
}
