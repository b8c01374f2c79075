/**
 * ADM's `center_crop_arr(pil_image, R)`, the crop the official reconstruction/eval code and the
 * t2i dataset apply (docs/spec.md §2):
 *
 *   while min(w, h) >= 2R: resize to (w//2, h//2) with BOX
 *   scale = R / min(w, h); resize to (round(w·scale), round(h·scale)) with BICUBIC
 *   crop R×R at ((H−R)//2, (W−R)//2)
 *
 * The BOX halvings stand in for `reducing_gap`, which ADM's Pillow lacked; both the halving
 * count and Python's rounding change the pixels, so both are reproduced exactly.
 */
import { type PilFilter, pilResize } from './pil-resize.ts';
import { type Box, type RgbImage, assertRgbImage, cropRgbImage } from './rgb-image.ts';

export interface ResizeStep {
  readonly filter: PilFilter;
  readonly fromWidth: number;
  readonly fromHeight: number;
  readonly toWidth: number;
  readonly toHeight: number;
}

export interface CenterCropResult {
  /** The R×R crop: what the official code turns into the model input. */
  readonly image: RgbImage;
  /** The crop rectangle in the resized image (integer pixels). */
  readonly cropBox: Box;
  /**
   * The same rectangle in the original image's pixel coordinates (fractional). Pillow maps
   * output pixel edges linearly onto input edges (centre = (i+0.5)·in/out), so edges compose
   * exactly; the content near the border is still blended from a few pixels outside it.
   */
  readonly sourceBox: Box;
  /** Every resize performed, in order, for UIs and debugging. */
  readonly steps: readonly ResizeStep[];
}

/**
 * Python 3's `round(x)` for a float: nearest integer, ties to even. `x - floor(x)` is exact for
 * every double, so the tie test is exact too.
 */
export function pythonRound(x: number): number {
  if (!Number.isFinite(x)) throw new Error(`pythonRound: cannot round ${x} to an integer`);
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** `center_crop_arr(img, size)` plus where the crop came from. */
export function centerCropArr(img: RgbImage, size: number): CenterCropResult {
  assertRgbImage(img, 'centerCropArr input');
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`centerCropArr: crop size must be a positive integer, got ${size}`);
  if (img.width === 0 || img.height === 0) {
    throw new Error(`centerCropArr: cannot crop an empty ${img.width}x${img.height} image`);
  }

  const steps: ResizeStep[] = [];
  let current = img;
  const resize = (w: number, h: number, filter: PilFilter): void => {
    steps.push({ filter, fromWidth: current.width, fromHeight: current.height, toWidth: w, toHeight: h });
    current = pilResize(current, w, h, filter);
  };

  while (Math.min(current.width, current.height) >= 2 * size) {
    resize(Math.floor(current.width / 2), Math.floor(current.height / 2), 'box');
  }
  // Python evaluates `R / min` first, then multiplies each side by that float64: keep that order,
  // it differs from side·R/min exactly at .5 ties.
  const scale = size / Math.min(current.width, current.height);
  const w = pythonRound(current.width * scale);
  const h = pythonRound(current.height * scale);
  if (w < size || h < size) {
    // Unreachable for sane inputs (the short side rounds to R); numpy would silently return a smaller array.
    throw new Error(`centerCropArr: resized image ${w}x${h} is smaller than the ${size}x${size} crop`);
  }
  resize(w, h, 'bicubic');

  const cropBox: Box = {
    x: Math.floor((current.width - size) / 2),
    y: Math.floor((current.height - size) / 2),
    width: size,
    height: size,
  };
  return { image: cropRgbImage(current, cropBox), cropBox, sourceBox: toSourceBox(cropBox, steps), steps };
}

function toSourceBox(box: Box, steps: readonly ResizeStep[]): Box {
  let sx = 1;
  let sy = 1;
  for (const s of steps) {
    sx *= s.fromWidth / s.toWidth;
    sy *= s.fromHeight / s.toHeight;
  }
  return { x: box.x * sx, y: box.y * sy, width: box.width * sx, height: box.height * sy };
}
