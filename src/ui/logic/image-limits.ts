/**
 * What size of image the page takes, checked from the header (src/core/image/image-header.ts)
 * before the browser is asked to decode, so an image declaring an absurd size is refused before
 * decoding allocates gigabytes; checked again on the decoded bitmap for formats whose header
 * states no size (AVIF, HEIF).
 */
import { pillowPixelLimit } from '../../core/image/pixel-limit.ts';

/** Browsers refuse canvases past this side; larger images could not be read back anyway. */
export const MAX_IMAGE_SIDE = 16384;
/** 50 MP: a 12 MP phone photo is far below, and the RGBA read-back stays near 200 MB. */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Files past this are refused without being read. */
export const MAX_IMAGE_FILE_BYTES = 100 * 1024 * 1024;

/**
 * Undefined when fine, else the reason in words. Pillow's decompression-bomb limit comes first
 * (the official code refuses those too, and the message gives its numbers); the page's own
 * limits are lower than Pillow's warning threshold, so Pillow's warning never applies here.
 */
export function sizeProblem(width: number, height: number): string | undefined {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    return `its size ${width}x${height} is empty or invalid`;
  }
  const pillow = pillowPixelLimit(width, height);
  if (pillow.verdict === 'refused') return pillow.message;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    return `it is ${width}x${height}; sides over ${MAX_IMAGE_SIDE} px are not supported`;
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    return (
      `it is ${width}x${height} (${((width * height) / 1e6).toFixed(0)} MP); ` +
      `at most ${MAX_IMAGE_PIXELS / 1e6} MP is supported in the page (npm run tokenize takes up to Pillow's limit)`
    );
  }
  return undefined;
}
