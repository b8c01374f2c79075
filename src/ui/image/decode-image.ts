/**
 * A user's file → the core's RgbImage, in the browser. Runs in the page worker (any
 * context with createImageBitmap and OffscreenCanvas works), so a 12 MP photo's read-back and
 * flattening never hold up the page.
 *
 * Choices, and how they compare with the official code (`Image.open(p).convert('RGB')`):
 * - EXIF orientation: by default the stored pixels, as Pillow gives them (and as the Node
 *   commands do). Chromium's createImageBitmap applies the tag whatever `imageOrientation` says
 *   (measured on Chromium 156), so it is handed a copy whose tag reads 1. With
 *   `applyOrientation` (the page's "rotate as displayed") the original is decoded, turned.
 * - Embedded colour profiles are ignored (`colorSpaceConversion: 'none'`), as Pillow ignores
 *   them: the model gets the stored values. JPEG: Chromium's libjpeg-turbo decode equals
 *   Pillow's byte for byte on every fixture of fixtures/jpeg-decode (e2e/jpeg-decode.spec.ts).
 * - Transparency is composited onto white (flatten-alpha.ts); the official code drops alpha.
 * - Sizes are checked from the header before decoding: Pillow's decompression-bomb limit, then
 *   the page's own (image-limits.ts).
 */
import { fnv1a32 } from '../logic/rgb-checksum.ts';
import { flattenOntoWhite } from '../logic/flatten-alpha.ts';
import { MAX_IMAGE_FILE_BYTES, sizeProblem } from '../logic/image-limits.ts';
import {
  readImageHeader,
  withUprightOrientation,
  type ImageFormat,
  type OrientationUse,
} from '../../core/image/image-header.ts';
import type { RgbImage } from '../../core/image/rgb-image.ts';

export interface DecodedImage {
  readonly name: string;
  readonly format: ImageFormat;
  readonly image: RgbImage;
  readonly translucentPixels: number;
  /** fnv1a32 of the RGB bytes. */
  readonly checksum: string;
  /** A copy at most PREVIEW_SIDE on its long side, for drawing the original. */
  readonly preview: ImageBitmap;
  /** Present when the file has an EXIF orientation other than 1: what was done with it. */
  readonly orientation?: OrientationUse;
}

export interface DecodeOptions {
  /** Turn the pixels as the EXIF orientation asks (as photo viewers show them); default: stored pixels, as the official code. */
  readonly applyOrientation?: boolean;
}

export const PREVIEW_SIDE = 1024;
const CHECKPOINT_NAME = /\.(pt|pth|ckpt|safetensors|bin)$/i;

/**
 * Thrown when a checkpoint reaches the image decoder. Drops and picks route checkpoints to the
 * in-browser conversion first (ui/actions/convert-checkpoint.ts), so this is a safety net.
 */
export class CheckpointDroppedError extends Error {
  constructor(readonly fileName: string) {
    super(
      `${fileName} looks like a model checkpoint, not an image: ` +
        'drop it on the image area or use "convert a checkpoint" in the model panel ' +
        `to convert it here (or run "npm run export -- ${fileName} --out public/models/my-model").`,
    );
    this.name = 'CheckpointDroppedError';
  }
}

export async function decodeImageFile(file: Blob, name: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  if (CHECKPOINT_NAME.test(name)) throw new CheckpointDroppedError(name);
  if (file.size > MAX_IMAGE_FILE_BYTES) {
    throw new Error(
      `${name}: the file is ${(file.size / 2 ** 20).toFixed(0)} MB; images up to ${MAX_IMAGE_FILE_BYTES / 2 ** 20} MB are accepted`,
    );
  }
  // The whole file: a WebP's EXIF chunk follows the image data, and an upright copy needs all of it.
  const bytes = new Uint8Array(await file.arrayBuffer());
  const header = readImageHeader(bytes, name);
  if (header.width !== undefined && header.height !== undefined) {
    const problem = sizeProblem(header.width, header.height);
    if (problem) throw new Error(`${name}: ${problem}`);
  }
  const tag = header.orientation && header.orientation.value !== 1 ? header.orientation : undefined;
  const applied = tag !== undefined && options.applyOrientation === true;
  const source = tag && !applied ? new Blob([withUprightOrientation(bytes, tag) as Uint8Array<ArrayBuffer>]) : file;

  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(source, {
      imageOrientation: 'from-image',
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch (e) {
    throw new Error(
      `${name}: the browser could not decode this ${header.format.toUpperCase()} file (corrupt or unsupported): ${(e as Error).message}`,
    );
  }
  try {
    const { width, height } = bitmap;
    const problem = sizeProblem(width, height);
    if (problem) throw new Error(`${name}: ${problem}`);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
    if (!ctx) throw new Error(`${name}: this browser gives no 2D canvas to read the pixels back`);
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data;
    const { image, translucentPixels } = flattenOntoWhite(rgba, width, height);
    return {
      name,
      format: header.format,
      image,
      translucentPixels,
      checksum: fnv1a32(image.data),
      preview: await previewOf(bitmap, translucentPixels > 0),
      ...(tag ? { orientation: { exif: tag.value, applied } } : {}),
    };
  } finally {
    bitmap.close();
  }
}

/** A downscaled copy for display, flattened onto white like the image the model gets. */
async function previewOf(bitmap: ImageBitmap, translucent: boolean): Promise<ImageBitmap> {
  const scale = Math.min(1, PREVIEW_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser gives no 2D canvas to draw a preview');
  if (translucent) {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
  }
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, w, h);
  return canvas.transferToImageBitmap();
}
