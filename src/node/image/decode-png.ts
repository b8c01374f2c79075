/**
 * PNG → RGB in Node, converting like the official code's `Image.open(path).convert('RGB')`
 * (Pillow 9.4) so the preprocessing sees the same bytes:
 * - Grayscale is replicated to R=G=B.
 * - Alpha is DROPPED, not composited: Pillow's RGBA→RGB and LA→RGB converters copy the colour
 *   channels and discard alpha, so a transparent pixel keeps whatever colour it stores (often
 *   black). The same holds for tRNS transparency in grayscale, RGB and palette PNGs.
 * - Palette PNGs take the palette's RGB.
 * - 16-bit PNGs (assumption, from Pillow 9.4's PNG mode table and converters):
 *   RGB, RGBA and gray+alpha are unpacked to 8 bits by keeping the HIGH byte of each sample
 *   (rawmodes "RGB;16B", "RGBA;16B", "LA;16B"); 16-bit grayscale opens as mode "I" (32-bit int
 *   holding 0…65535) and I→RGB clips to 255, so every value ≥ 255 becomes white. That last one
 *   is surprising but it is what the reference pipeline feeds the model.
 * - 1/2/4-bit grayscale is scaled to 0…255 (×255, ×85, ×17), as Pillow's unpackers do.
 * - Gamma, colour profiles and EXIF orientation are ignored, as Pillow's open/convert ignores them.
 */
import { PNG } from 'pngjs';
import type { RgbImage } from '../../core/image/rgb-image.ts';

/** The parts of pngjs' sync result we rely on (its typings omit palette type 3 and transColor). */
interface DecodedPng {
  width: number;
  height: number;
  depth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  transColor?: number[];
  /** RGBA per pixel: bytes for depth ≤ 8 (raw sample values when skipRescale), 16-bit samples otherwise. */
  data: Uint8Array | Uint16Array;
}

export function decodePng(bytes: Uint8Array, name: string): RgbImage {
  let png: DecodedPng;
  try {
    // skipRescale keeps raw samples so the 16-bit and low-bit-depth conversions can follow Pillow.
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      skipRescale: true,
    }) as unknown as DecodedPng;
  } catch (err) {
    throw new Error(`${name}: corrupt or unsupported PNG (${(err as Error).message})`);
  }
  const { width, height, depth, colorType } = png;
  const n = width * height;
  if (png.data.length !== n * 4) {
    throw new Error(`${name}: PNG decoder returned ${png.data.length} samples for ${width}x${height} RGBA`);
  }
  const out = new Uint8Array(n * 3);
  const src = png.data;
  const toU8 = sampleConverter(colorType, depth);
  // pngjs zeroes all four channels of pixels matching the tRNS colour; Pillow keeps their colour.
  const trans = colorType === 0 || colorType === 2 ? png.transColor : undefined;
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 4, o += 3) {
    if (trans && src[s + 3] === 0) {
      const r = trans[0];
      const g = trans.length === 3 ? trans[1] : r;
      const b = trans.length === 3 ? trans[2] : r;
      out[o] = toU8(r);
      out[o + 1] = toU8(g);
      out[o + 2] = toU8(b);
    } else {
      out[o] = toU8(src[s]);
      out[o + 1] = toU8(src[s + 1]);
      out[o + 2] = toU8(src[s + 2]);
    }
  }
  return { width, height, data: out };
}

/** Maps one raw colour sample to Pillow's 8-bit RGB value for this PNG colour type and depth. */
function sampleConverter(colorType: number, depth: number): (v: number) => number {
  if (colorType === 3) return (v) => v; // already palette RGB, 8-bit
  if (depth === 8) return (v) => v;
  if (depth === 16) {
    // Mode "I" then clip8 for plain 16-bit gray; high byte for every other 16-bit type.
    return colorType === 0 ? (v) => (v > 255 ? 255 : v) : (v) => v >> 8;
  }
  const factor = 255 / ((1 << depth) - 1); // 255, 85 or 17: exact integers
  return (v) => v * factor;
}
