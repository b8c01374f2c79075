/**
 * The one way Node reads an image file (tokenize, dataset, training data, tests): the format
 * from the content (src/core/image/image-header.ts), Pillow's pixel limit from the header before
 * anything is decoded, then PNG, JPEG or WebP decoded to what the official code's
 * `Image.open(path).convert('RGB')` gives. EXIF orientation is reported, never applied: Pillow
 * does not apply it, so the official code tokenizes the stored pixels and so do we.
 */
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import {
  describeOrientation,
  readImageHeader,
  type ImageFormat,
  type ImageHeader,
} from '../core/image/image-header.ts';
import { pillowPixelLimit } from '../core/image/pixel-limit.ts';
import { type RgbImage, assertRgbImage } from '../core/image/rgb-image.ts';
import { decodeJpeg } from './image/decode-jpeg.ts';
import { decodePng } from './image/decode-png.ts';
import { decodeWebp } from './image/decode-webp.ts';
import { displayPath } from './path-bytes.ts';

/** The formats Node decodes (the official code's loader reads them all alike). */
export type NodeImageFormat = Extract<ImageFormat, 'png' | 'jpeg' | 'webp'>;

export function isNodeImageFormat(f: ImageFormat): f is NodeImageFormat {
  return f === 'png' || f === 'jpeg' || f === 'webp';
}

export interface ImageRead {
  readonly image: RgbImage;
  readonly format: NodeImageFormat;
  readonly header: ImageHeader;
  /** Things the user should know that did not stop decoding (Pillow's pixel-limit warning). */
  readonly warnings: readonly string[];
}

/** Decodes an image file to RGB. `path` may be a Buffer, for names that are not valid UTF-8. */
export async function decodeImageFile(path: string | Buffer): Promise<RgbImage> {
  return (await readImageFile(path)).image;
}

export async function readImageFile(path: string | Buffer): Promise<ImageRead> {
  const name = displayPath(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`${name}: cannot read image file (${(err as Error).message.replace(/'[^']*'/, `'${name}'`)})`);
  }
  return readImageBytes(bytes, name);
}

/**
 * Checks the header, then decodes. Every error message starts with `name`. The pixel limit and
 * the format are checked before any decoder allocates.
 */
export async function readImageBytes(bytes: Uint8Array, name: string): Promise<ImageRead> {
  const header = readImageHeader(bytes, name);
  const format = header.format;
  if (!isNodeImageFormat(format))
    throw new Error(`${name}: a ${format.toUpperCase()} image; the commands read PNG, JPEG and WebP`);
  if (header.webp?.animated)
    throw new Error(`${name}: animated WebP is not supported (Pillow would use its first frame)`);
  if (header.width === undefined || header.height === undefined)
    throw new Error(`${name}: the ${format.toUpperCase()} header states no size; the file is truncated or corrupt`);
  if (header.width < 1 || header.height < 1)
    throw new Error(`${name}: the header says ${header.width}x${header.height} pixels`);
  const limit = pillowPixelLimit(header.width, header.height);
  if (limit.verdict === 'refused') throw new Error(`${name}: ${limit.message}`);
  const warnings = limit.verdict === 'warning' ? [limit.message] : [];
  let image: RgbImage;
  if (format === 'png') image = decodePng(bytes, name);
  else if (format === 'webp') image = await decodeWebp(bytes, name);
  else if (header.jpeg) image = await decodeJpeg(bytes, header.jpeg, name);
  else throw new Error(`${name}: a JPEG without a frame header; the file is truncated or corrupt`);
  if (image.width !== header.width || image.height !== header.height) {
    throw new Error(
      `${name}: the header says ${header.width}x${header.height} but the decoder returned ${image.width}x${image.height}`,
    );
  }
  return { image, format, header, warnings };
}

/** One line saying what the EXIF orientation tag asks and that it was not applied, or undefined. */
export function orientationNote(header: ImageHeader): string | undefined {
  const o = header.orientation;
  if (!o || o.value === 1) return undefined;
  return (
    `EXIF orientation ${o.value} (${describeOrientation(o.value)} when displayed) not applied: tokenized as stored, as the official code ` +
    `(Pillow) does; photo viewers show it turned`
  );
}

/** PNG-encodes an RGB image (8-bit truecolour, no alpha), e.g. for recon.png. */
export function encodePng(img: RgbImage): Uint8Array {
  assertRgbImage(img, 'encodePng input');
  const png = new PNG({ width: img.width, height: img.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const out = PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
