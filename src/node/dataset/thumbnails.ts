/**
 * Small inlined images for the HTML page: the official crop of the original (what the model saw)
 * and the reconstruction, both downscaled with the project's PIL resampler, PNG data URIs.
 */
import { join } from 'node:path';
import { centerCropArr } from '../../core/image/center-crop.ts';
import { pilResize } from '../../core/image/pil-resize.ts';
import type { RgbImage } from '../../core/image/rgb-image.ts';
import { decodeImageFile, encodePng } from '../image-io.ts';
import { joinBytes, pathFromDisplay } from '../path-bytes.ts';

export interface ThumbnailPair {
  /** data: URIs; absent when the file can no longer be read. */
  readonly original?: string;
  readonly recon?: string;
}

export async function thumbnailPair(
  inputDir: string,
  outDir: string,
  path: string,
  recon: string | undefined,
  inputSize: number,
  side = 128,
): Promise<ThumbnailPair> {
  const original = await decodeImageFile(joinBytes(inputDir, pathFromDisplay(path)))
    .then((img) => dataUri(shrink(centerCropArr(img, inputSize).image, side)))
    .catch(() => undefined);
  const reconUri = recon
    ? await decodeImageFile(join(outDir, recon))
        .then((img) => dataUri(shrink(img, side)))
        .catch(() => undefined)
    : undefined;
  return { ...(original ? { original } : {}), ...(reconUri ? { recon: reconUri } : {}) };
}

function shrink(img: RgbImage, side: number): RgbImage {
  if (img.width <= side && img.height <= side) return img;
  const scale = side / Math.max(img.width, img.height);
  return pilResize(
    img,
    Math.max(1, Math.round(img.width * scale)),
    Math.max(1, Math.round(img.height * scale)),
    'bicubic',
  );
}

function dataUri(img: RgbImage): string {
  return `data:image/png;base64,${Buffer.from(encodePng(img)).toString('base64')}`;
}
