/**
 * The architecture we train: the official CLIP-variant TokenFlow structure (same modules, key
 * names and shapes as `officialLayout`) at reduced widths, so `npm run export` converts our
 * checkpoint exactly like a released one and the runtime needs nothing new.
 *
 * Sizes were chosen by measuring a training step on 2 CPU cores (see MODEL_CARD.md):
 * GroupNorm's 32 groups make 32 the narrowest conv width; the ViT is cheap at 16×16 tokens.
 */
import type { ModelConfig } from '../export/model-config.ts';
import type { SemanticDecoderShape } from '../export/state-dict-layout.ts';

/** Channels of the MobileNetV2 feature map the semantic branch is distilled from (block_12_add, stride 16). */
export const TEACHER_DIM = 96;

export const TINY_CONFIG: ModelConfig = {
  variant: 'clip',
  inputSize: 256,
  gridSize: 16,
  pixelBranchSize: 256,
  outputSize: 256,
  scales: [1, 2, 4, 6, 8, 10, 12, 14, 16],
  codebookSize: 1024,
  semanticCodeDim: 32,
  pixelCodeDim: 8,
  semanticEncoder: { kind: 'clip', width: 128, layers: 2, heads: 2, mlpDim: 512, patch: 16, posGrid: 16, interpolatePosTo: null, lnEps: 1e-5 },
  semanticProjection: { inDim: 128, hiddenDim: 128, outDim: 32 },
  pixelEncoder: { ch: 32, chMult: [1, 1, 1, 2, 4], numResBlocks: 1, zChannels: 64 },
  // Decoder levels run 64 wide at full resolution: its final GroupNorm(32) must see at least two
  // channels per group, or each channel is normalised alone and the image's absolute colour is lost.
  pixelDecoder: { ch: 32, chMult: [2, 2, 2, 2, 4], numResBlocks: 0, zChannels: 64, enhanced: false },
  groupNorm: { groups: 32, eps: 1e-6 },
};

/**
 * The training-only semantic decoder (`decoder_vqkd` + `decode_task_layer`) reads the quantized
 * semantic half and predicts the teacher's features; depth 0 keeps it to patch embedding,
 * positions, fc_norm and the task head.
 */
export const TINY_SEMANTIC_DECODER: SemanticDecoderShape = { depth: 0, outDim: TEACHER_DIM, grid: 16 };

/**
 * Scales used when training on 128-pixel crops (an 8×8 grid): each is half of an official
 * 256-pixel scale, so a token covers the same image area as at inference.
 */
export const CROP128_SCALES = [1, 2, 3, 4, 5, 6, 7, 8];
