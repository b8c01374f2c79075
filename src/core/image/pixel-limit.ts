/**
 * Pillow's decompression-bomb limit, applied from the header before anything is decoded, so a
 * small file declaring a huge image (a 1.2 MB PNG of 20000×20000) is refused before it takes
 * gigabytes. The official code opens images with Pillow, which warns above MAX_IMAGE_PIXELS
 * (DecompressionBombWarning, and goes on) and refuses above twice that
 * (DecompressionBombError); we do the same, with Pillow's numbers in the message.
 */

/** Pillow's `Image.MAX_IMAGE_PIXELS`: int(1024 * 1024 * 1024 // 4 // 3). */
export const PILLOW_MAX_IMAGE_PIXELS = 89_478_485;
/** Above this Pillow raises DecompressionBombError. */
export const PILLOW_BOMB_ERROR_PIXELS = 2 * PILLOW_MAX_IMAGE_PIXELS;

export type PixelLimitVerdict =
  | { readonly verdict: 'ok' }
  /** Pillow warns and decodes: so do we, and say so. */
  | { readonly verdict: 'warning'; readonly message: string }
  | { readonly verdict: 'refused'; readonly message: string };

export function pillowPixelLimit(width: number, height: number): PixelLimitVerdict {
  const pixels = width * height;
  const size = `${width}x${height} = ${pixels.toLocaleString('en')} pixels`;
  if (pixels > PILLOW_BOMB_ERROR_PIXELS) {
    return {
      verdict: 'refused',
      message:
        `the image is ${size}, over Pillow's decompression-bomb limit of ${PILLOW_BOMB_ERROR_PIXELS.toLocaleString('en')} pixels ` +
        `(2 × Image.MAX_IMAGE_PIXELS = 2 × ${PILLOW_MAX_IMAGE_PIXELS.toLocaleString('en')}); ` +
        'the official code refuses it too (DecompressionBombError). Refused before decoding',
    };
  }
  if (pixels > PILLOW_MAX_IMAGE_PIXELS) {
    return {
      verdict: 'warning',
      message:
        `the image is ${size}, over Pillow's Image.MAX_IMAGE_PIXELS of ${PILLOW_MAX_IMAGE_PIXELS.toLocaleString('en')} ` +
        `(Pillow warns with DecompressionBombWarning and decodes it; refused only above ${PILLOW_BOMB_ERROR_PIXELS.toLocaleString('en')})`,
    };
  }
  return { verdict: 'ok' };
}
