/**
 * The architecture we train: the official CLIP-variant TokenFlow structure (same modules, key
 * names and shapes as `officialLayout`) at reduced widths, so `npm run export` converts our
 * checkpoint exactly like a released one and the runtime needs nothing new.
 *
 * 128-pixel input with an 8× pixel branch and an 8-pixel ViT patch gives the released CLIP
 * model's 16×16 token grid and 9 scales (817 tokens) at a quarter of the pixels, so the model
 * trains at exactly the geometry it runs at (see MODEL_CARD.md for the measurements behind it).
 */
import type { ModelConfig } from '../export/model-config.ts';
import type { SemanticDecoderShape } from '../export/state-dict-layout.ts';

/** Channels of the MobileNetV2 feature map the semantic branch is distilled from (block_12_add, stride 16). */
export const TEACHER_DIM = 96;

/** The teacher reads the image at twice our input size, so its stride-16 map lands on our 16×16 grid. */
export const TEACHER_INPUT = 256;

export const TINY_CONFIG: ModelConfig = {
  variant: 'clip',
  inputSize: 128,
  gridSize: 16,
  pixelBranchSize: 128,
  outputSize: 128,
  // The official CLIP scale list for a 16×16 grid (scale_rq_layers at 256 pixels).
  scales: [1, 2, 4, 6, 8, 10, 12, 14, 16],
  codebookSize: 1024,
  semanticCodeDim: 32,
  pixelCodeDim: 8,
  semanticEncoder: {
    kind: 'clip',
    width: 128,
    layers: 2,
    heads: 2,
    mlpDim: 512,
    patch: 8,
    posGrid: 16,
    interpolatePosTo: null,
    lnEps: 1e-5,
  },
  semanticProjection: { inDim: 128, hiddenDim: 128, outDim: 32 },
  pixelEncoder: { ch: 32, chMult: [1, 1, 2, 2], numResBlocks: 1, zChannels: 64 },
  // The full-resolution decoder level runs 64 wide: its final GroupNorm(32) must see at least two
  // channels per group, or each channel is normalised alone and the image's absolute colour is lost.
  // The 64-pixel level runs 32 wide, so the upsampling conv into full resolution is 4× cheaper.
  pixelDecoder: { ch: 32, chMult: [2, 1, 2, 4], numResBlocks: 0, zChannels: 64, enhanced: false },
  groupNorm: { groups: 32, eps: 1e-6 },
};

/**
 * The training-only semantic decoder (`decoder_vqkd` + `decode_task_layer`) reads the quantized
 * semantic half and predicts the teacher's features; depth 0 keeps it to patch embedding,
 * positions, fc_norm and the task head.
 */
export const TINY_SEMANTIC_DECODER: SemanticDecoderShape = { depth: 0, outDim: TEACHER_DIM, grid: 16 };
