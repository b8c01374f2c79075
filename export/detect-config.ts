/**
 * Infers a checkpoint's architecture from key names and tensor shapes, the same way for the
 * small fixtures and the released 32k files: nothing here assumes a released model's sizes.
 */
import type { StateDict, TensorEntry } from './checkpoint/state-dict.ts';
import type {
  ClipTowerConfig,
  ConvNetConfig,
  ModelConfig,
  PixelDecoderConfig,
  SiglipTowerConfig,
  Variant,
} from './model-config.ts';
import { customResolution, defaultResolution, resolutionFor } from './official-scales.ts';
import type { SemanticDecoderShape } from './state-dict-layout.ts';

/** Head sizes of the two teacher families (OpenAI CLIP ViT: 64; SigLIP so400m: 72). */
const CLIP_HEAD_DIM = 64;
const SIGLIP_HEAD_DIM = 72;
const CLIP_LN_EPS = 1e-5;
const SIGLIP_LN_EPS = 1e-6;
const GROUP_NORM = { groups: 32, eps: 1e-6 } as const;

const CLIP_MARKER = 'encoder_vqkd.conv1.weight';
const SIGLIP_MARKER = 'encoder_vqkd.vision_model.embeddings.patch_embedding.weight';

export interface DetectOptions {
  /** Input side R; defaults to what the official loaders use for this variant and decoder. */
  readonly inputSize?: number;
  /**
   * Scale list (ending with the token grid side) of a model trained outside the official code;
   * with it, inputSize is required and need not be an official size.
   */
  readonly scales?: readonly number[];
  /** For error messages. */
  readonly sourceName?: string;
}

export class CheckpointMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointMismatchError';
  }
}

export function detectVariant(sd: StateDict, sourceName = 'checkpoint'): Variant {
  if (sd.has(CLIP_MARKER)) return 'clip';
  if (sd.has(SIGLIP_MARKER)) return 'siglip';
  const sample = [...sd.keys()].slice(0, 8).join(', ');
  throw new CheckpointMismatchError(
    `${sourceName}: this is not a TokenFlow state dict: ` +
      `neither '${CLIP_MARKER}' (CLIP variant) nor '${SIGLIP_MARKER}' (SigLIP variant) is present` +
      (sd.size ? ` (${sd.size} tensors, e.g. ${sample})` : ' (it holds no tensors)'),
  );
}

export function detectConfig(sd: StateDict, options: DetectOptions = {}): ModelConfig {
  const src = options.sourceName ?? 'checkpoint';
  const variant = detectVariant(sd, src);
  const shape = (key: string, rank?: number) => shapeOf(sd, key, src, rank);

  const [K, semanticCodeDim] = shape('quantize.embedding_vqkd.weight', 2);
  const [Kp, pixelCodeDim] = shape('quantize.embedding_vqgan.weight', 2);
  if (K !== Kp) {
    throw new CheckpointMismatchError(
      `${src}: the semantic codebook has ${K} rows but the pixel codebook has ${Kp}; TokenFlow shares one index, so they must match`,
    );
  }

  const pixelEncoder = detectEncoder(sd, src);
  const pixelDecoder = detectDecoder(sd, src);
  const [taskHidden, taskIn] = shape('encode_task_layer.0.weight', 2);
  const [taskOut] = shape('encode_task_layer.2.weight', 2);
  if (taskOut !== semanticCodeDim) {
    throw new CheckpointMismatchError(
      `${src}: encode_task_layer.2 projects to ${taskOut} channels but the semantic codebook has ${semanticCodeDim}`,
    );
  }

  const resolution = chooseResolution(variant, pixelDecoder.enhanced, options, src);
  const R = resolution.inputSize;
  const downsample = 2 ** (pixelEncoder.chMult.length - 1);
  const S = resolution.scales[resolution.scales.length - 1];

  let semanticEncoder: ClipTowerConfig | SiglipTowerConfig;
  let pixelBranchSize = R;
  if (variant === 'clip') {
    const [width, , patch] = shape(CLIP_MARKER, 4);
    const [posRows] = shape('encoder_vqkd.positional_embedding', 2);
    const posGrid = Math.round(Math.sqrt(posRows - 1));
    if (posGrid * posGrid + 1 !== posRows) {
      throw new CheckpointMismatchError(
        `${src}: encoder_vqkd.positional_embedding has ${posRows} rows, not a square grid plus a class token`,
      );
    }
    const layers = countIndexed(sd, 'encoder_vqkd.transformer.resblocks.');
    const [mlpDim] = shape('encoder_vqkd.transformer.resblocks.0.mlp.c_fc.weight', 2);
    if (R / patch !== S)
      throw new CheckpointMismatchError(
        `${src}: patch ${patch} at ${R}px gives a ${R / patch} grid, not the ${S} the scale list ends with`,
      );
    semanticEncoder = {
      kind: 'clip',
      width,
      layers,
      heads: headsFor(width, CLIP_HEAD_DIM, 'CLIP width', src),
      mlpDim,
      patch,
      posGrid,
      interpolatePosTo: S === posGrid ? null : S,
      lnEps: CLIP_LN_EPS,
    };
  } else {
    const [hidden, , patch] = shape(SIGLIP_MARKER, 4);
    const [positions] = shape('encoder_vqkd.vision_model.embeddings.position_embedding.weight', 2);
    const layersTotal = countIndexed(sd, 'encoder_vqkd.vision_model.encoder.layers.');
    const [intermediate] = shape('encoder_vqkd.vision_model.encoder.layers.0.mlp.fc1.weight', 2);
    if (Math.floor(R / patch) ** 2 !== positions) {
      throw new CheckpointMismatchError(
        `${src}: ${positions} SigLIP positions do not match a ${Math.floor(R / patch)}² grid at ${R}px`,
      );
    }
    semanticEncoder = {
      kind: 'siglip',
      hidden,
      layersTotal,
      layersApplied: layersTotal - 1,
      heads: headsFor(hidden, SIGLIP_HEAD_DIM, 'SigLIP hidden size', src),
      intermediate,
      patch,
      positions,
      lnEps: SIGLIP_LN_EPS,
    };
    // The official SigLIP model runs its pixel branch at S·16 (432 for S=27) and resizes back.
    pixelBranchSize = S * downsample;
  }
  if (variant === 'clip' && R !== S * downsample) {
    throw new CheckpointMismatchError(
      `${src}: the pixel encoder downsamples by ${downsample}, so ${R}px gives ${R / downsample}, not ${S}`,
    );
  }

  return {
    variant,
    inputSize: R,
    gridSize: S,
    pixelBranchSize,
    outputSize: R,
    scales: resolution.scales,
    codebookSize: K,
    semanticCodeDim,
    pixelCodeDim,
    semanticEncoder,
    semanticProjection: { inDim: taskIn, hiddenDim: taskHidden, outDim: taskOut },
    pixelEncoder,
    pixelDecoder,
    groupNorm: GROUP_NORM,
  };
}

function chooseResolution(variant: Variant, enhanced: boolean, options: DetectOptions, src: string) {
  if (options.scales) {
    if (options.inputSize === undefined)
      throw new CheckpointMismatchError(`${src}: a custom scale list needs the image size it was trained at`);
    return customResolution(options.inputSize, options.scales);
  }
  return options.inputSize !== undefined
    ? resolutionFor(variant, options.inputSize)
    : defaultResolution(variant, enhanced);
}

/** Sizes of the training-only semantic decoder, for writing official-layout files. */
export function detectSemanticDecoderShape(sd: StateDict, sourceName = 'checkpoint'): SemanticDecoderShape {
  const [, rows] = shapeOf(sd, 'decoder_vqkd.pos_embed', sourceName, 3);
  const [outDim] = shapeOf(sd, 'decode_task_layer.2.weight', sourceName, 2);
  return { depth: countIndexed(sd, 'decoder_vqkd.blocks.'), outDim, grid: Math.round(Math.sqrt(rows - 1)) };
}

function detectEncoder(sd: StateDict, src: string): ConvNetConfig {
  const [ch] = shapeOf(sd, 'encoder.conv_in.weight', src, 4);
  const levels = countIndexed(sd, 'encoder.conv_blocks.');
  const numResBlocks = countIndexed(sd, 'encoder.conv_blocks.0.res.');
  const chMult = levelWidths(sd, 'encoder', levels, src).map((w) => w / ch);
  const [zChannels] = shapeOf(sd, 'encoder.conv_out.weight', src, 4);
  return { ch, chMult, numResBlocks, zChannels };
}

function detectDecoder(sd: StateDict, src: string): PixelDecoderConfig {
  const [, ch] = shapeOf(sd, 'decoder.conv_out.weight', src, 4);
  const levels = countIndexed(sd, 'decoder.conv_blocks.');
  // conv_blocks[0] is the lowest resolution; ch_mult runs the other way.
  const chMult = levelWidths(sd, 'decoder', levels, src)
    .map((w) => w / ch)
    .reverse();
  const numResBlocks = countIndexed(sd, 'decoder.conv_blocks.0.res.') - 1;
  const [, zChannels] = shapeOf(sd, 'decoder.conv_in.weight', src, 4);
  // "Enhanced" = 5 res blocks per level (num_res_blocks 4); the width rule (conv_in 1024) fails on reduced models.
  return { ch, chMult, numResBlocks, zChannels, enhanced: numResBlocks === 4 };
}

function levelWidths(sd: StateDict, prefix: string, levels: number, src: string): number[] {
  const widths: number[] = [];
  for (let l = 0; l < levels; l++) widths.push(shapeOf(sd, `${prefix}.conv_blocks.${l}.res.0.conv1.weight`, src, 4)[0]);
  return widths;
}

function headsFor(width: number, headDim: number, what: string, src: string): number {
  if (width % headDim !== 0) {
    throw new CheckpointMismatchError(
      `${src}: ${what} ${width} is not a multiple of the family's head size ${headDim}`,
    );
  }
  return width / headDim;
}

/** Number of consecutive numbered children `prefix0.`, `prefix1.`, … present in the state dict. */
export function countIndexed(sd: StateDict, prefix: string): number {
  const seen = new Set<number>();
  for (const key of sd.keys()) {
    if (!key.startsWith(prefix)) continue;
    const n = Number(key.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(n)) seen.add(n);
  }
  let count = 0;
  while (seen.has(count)) count++;
  return count;
}

function shapeOf(sd: StateDict, key: string, src: string, rank?: number): readonly number[] {
  const entry: TensorEntry | undefined = sd.get(key);
  if (!entry)
    throw new CheckpointMismatchError(
      `${src}: missing key '${key}', which every TokenFlow checkpoint of this variant has`,
    );
  if (rank !== undefined && entry.shape.length !== rank) {
    throw new CheckpointMismatchError(
      `${src}: '${key}' has shape [${entry.shape.join(', ')}], expected ${rank} dimensions`,
    );
  }
  return entry.shape;
}
