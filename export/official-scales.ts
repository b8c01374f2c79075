/**
 * The official scale lists (`scale_rq_layers` in tokenizer/vq_model.py). They are tied to the
 * teacher and to `infer_interpolate`, not derivable from tensor shapes, so they live here once.
 */
import type { Variant } from './model-config.ts';

export interface ResolutionChoice {
  readonly inputSize: number;
  readonly scales: readonly number[];
  /** CLIP at 256 interpolates its 14×14 positional grid to 16×16 (`infer_interpolate`). */
  readonly interpolatePositions: boolean;
}

const CLIP_224: ResolutionChoice = { inputSize: 224, scales: [1, 2, 4, 6, 8, 10, 12, 14], interpolatePositions: false };
const CLIP_256: ResolutionChoice = {
  inputSize: 256,
  scales: [1, 2, 4, 6, 8, 10, 12, 14, 16],
  interpolatePositions: true,
};
const SIGLIP_384: ResolutionChoice = {
  inputSize: 384,
  scales: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 17, 22, 27],
  interpolatePositions: false,
};

export function supportedResolutions(variant: Variant): readonly ResolutionChoice[] {
  return variant === 'clip' ? [CLIP_224, CLIP_256] : [SIGLIP_384];
}

/**
 * The official loaders run the enhanced CLIP decoder at 256 with interpolated positions (t2i,
 * reconstruction_vq.sh) and the plain CLIP model at its training size 224.
 */
export function defaultResolution(variant: Variant, enhancedDecoder: boolean): ResolutionChoice {
  if (variant === 'siglip') return SIGLIP_384;
  return enhancedDecoder ? CLIP_256 : CLIP_224;
}

export function resolutionFor(variant: Variant, inputSize: number): ResolutionChoice {
  const choice = supportedResolutions(variant).find((r) => r.inputSize === inputSize);
  if (!choice) {
    const sizes = supportedResolutions(variant)
      .map((r) => r.inputSize)
      .join(' or ');
    throw new Error(
      `image size ${inputSize} is not one the official ${variant} model runs at ` +
        `(use ${sizes}, or give the scale list of a model trained at another size)`,
    );
  }
  return choice;
}

/**
 * A resolution for a model trained outside the official code (e.g. our CPU-trained TokenFlow-Tiny
 * at 128 pixels): the scale list cannot be read from tensor shapes, so its maker states it.
 */
export function customResolution(inputSize: number, scales: readonly number[]): ResolutionChoice {
  if (!Number.isInteger(inputSize) || inputSize <= 0)
    throw new Error(`image size must be a positive whole number, got ${inputSize}`);
  if (!scales.length || scales.some((s, i) => !Number.isInteger(s) || s < 1 || (i > 0 && s <= scales[i - 1]))) {
    throw new Error(`scales must be increasing positive whole numbers, got ${scales.join(',')}`);
  }
  return { inputSize, scales: [...scales], interpolatePositions: false };
}
