/**
 * JPEG → RGB in Node, byte for byte what the official code gets from Pillow 9.4's
 * `Image.open(p).convert('RGB')` on libjpeg-turbo: sharp (libvips over libjpeg-turbo's decoder,
 * shipped as prebuilt npm packages) decodes with libjpeg's defaults, which are Pillow's
 * (ISLOW integer IDCT, fancy upsampling). Measured exact on every fixture of
 * fixtures/jpeg-decode (4:2:0, 4:4:4, 4:2:2, progressive, odd size, grey, CMYK, q30, EXIF);
 * jpeg-js, used before, differed by up to 37 levels on 54–66 % of the values of colour JPEGs.
 *
 * Where sharp would differ from Pillow, and what we do:
 * - Embedded ICC profiles: sharp converts to sRGB through them; Pillow ignores them. `ignoreIcc`.
 * - CMYK/YCCK: sharp converts through a CMYK profile. We take the ink values instead
 *   (`pipelineColourspace('cmyk')`) and apply Pillow's Convert.c cmyk2rgb. Both Pillow's JPEG
 *   plugin ("CMYK;I") and libvips read every 4-component JPEG as Adobe-inverted, with or without
 *   an Adobe marker (tested on the fixture with its marker removed).
 * - Grey: Pillow replicates L to R=G=B; sharp hands one channel, replicated here.
 * - EXIF orientation: neither applies it (sharp only with autoOrient).
 * - 12-bit and 2-component JPEGs: Pillow refuses them ("cannot handle 12-bit layers"); so do we.
 */
import sharp, { type OutputInfo } from 'sharp';
import type { JpegFacts } from '../../core/image/image-header.ts';
import { PILLOW_BOMB_ERROR_PIXELS } from '../../core/image/pixel-limit.ts';
import { type RgbImage, assertRgbImage } from '../../core/image/rgb-image.ts';

// A dataset run decodes thousands of files once each: libvips' operation cache only holds memory.
sharp.cache(false);

export async function decodeJpeg(bytes: Uint8Array, facts: JpegFacts, name: string): Promise<RgbImage> {
  if (facts.precision !== 8)
    throw new Error(
      `${name}: a ${facts.precision}-bit JPEG; Pillow (the official code's loader) opens only 8-bit JPEGs`,
    );
  if (facts.components !== 1 && facts.components !== 3 && facts.components !== 4) {
    throw new Error(
      `${name}: a JPEG with ${facts.components} components; Pillow opens only 1 (grey), 3 (colour) or 4 (CMYK)`,
    );
  }
  const cmyk = facts.components === 4;
  let pipeline = sharp(bytes, {
    ignoreIcc: true,
    autoOrient: false,
    // Pillow refuses truncated files (OSError "image file is truncated") but lets libjpeg's
    // other warnings (extraneous bytes before a marker) pass.
    failOn: 'truncated',
    // The header check refuses bombs first; this is the decoder's own guard.
    limitInputPixels: PILLOW_BOMB_ERROR_PIXELS,
  });
  if (cmyk) pipeline = pipeline.pipelineColourspace('cmyk').toColourspace('cmyk');
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new Error(`${name}: corrupt or unsupported JPEG (libjpeg-turbo via sharp: ${(e as Error).message.trim()})`);
  }
  const { width, height, channels } = raw.info;
  const n = width * height;
  if (raw.data.length !== n * channels)
    throw new Error(`${name}: the JPEG decoder returned ${raw.data.length} bytes for ${width}x${height}x${channels}`);
  const image = {
    width,
    height,
    data: cmyk ? cmykToRgb(raw.data, n, channels) : toRgb(raw.data, n, channels, name),
  };
  assertRgbImage(image, `${name}: decoded JPEG`);
  return image;
}

function toRgb(data: Uint8Array, n: number, channels: number, name: string): Uint8Array {
  if (channels === 3) return new Uint8Array(data.buffer, data.byteOffset, n * 3);
  if (channels !== 1) throw new Error(`${name}: the JPEG decoder returned ${channels} channels`);
  const out = new Uint8Array(n * 3);
  for (let i = 0, o = 0; i < n; i++, o += 3) out[o] = out[o + 1] = out[o + 2] = data[i];
  return out;
}

/**
 * Pillow 9.4's cmyk2rgb on ink values (0 = no ink): nk = 255 − k; each channel is
 * clip8(nk − MULDIV255(ink, nk)), MULDIV255(a, b) being t = a·b + 128, ((t >> 8) + t) >> 8.
 */
export function cmykToRgb(inks: Uint8Array, n: number, channels: number): Uint8Array {
  if (channels !== 4) throw new Error(`CMYK JPEG decoded to ${channels} channels, expected 4`);
  const out = new Uint8Array(n * 3);
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 4, o += 3) {
    const nk = 255 - inks[s + 3];
    for (let c = 0; c < 3; c++) {
      const t = inks[s + c] * nk + 128;
      const v = nk - (((t >> 8) + t) >> 8);
      out[o + c] = v < 0 ? 0 : v;
    }
  }
  return out;
}
