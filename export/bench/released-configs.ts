/**
 * The architectures of the two released checkpoints (docs/spec.md §1, §3, §5), for writing
 * released-size test checkpoints we cannot download. Only benchmarks and tests use this;
 * the exporter itself infers everything from the file.
 */
import type { ModelConfig } from '../model-config.ts';

const CH_MULT = [1, 1, 2, 2, 4];
const GROUP_NORM = { groups: 32, eps: 1e-6 };

/** tokenflow_clipb_32k_enhanced.pt as the official loaders run it (256, infer_interpolate). */
export const RELEASED_CLIP_ENHANCED: ModelConfig = {
  variant: 'clip',
  inputSize: 256,
  gridSize: 16,
  pixelBranchSize: 256,
  outputSize: 256,
  scales: [1, 2, 4, 6, 8, 10, 12, 14, 16],
  codebookSize: 32768,
  semanticCodeDim: 32,
  pixelCodeDim: 8,
  semanticEncoder: {
    kind: 'clip',
    width: 768,
    layers: 12,
    heads: 12,
    mlpDim: 3072,
    patch: 16,
    posGrid: 14,
    interpolatePosTo: 16,
    lnEps: 1e-5,
  },
  semanticProjection: { inDim: 768, hiddenDim: 768, outDim: 32 },
  pixelEncoder: { ch: 128, chMult: CH_MULT, numResBlocks: 2, zChannels: 256 },
  pixelDecoder: { ch: 256, chMult: CH_MULT, numResBlocks: 4, zChannels: 256, enhanced: true },
  groupNorm: GROUP_NORM,
};

/** tokenflow_siglip_32k.pt (384, pixel branch 432, normal decoder). */
export const RELEASED_SIGLIP: ModelConfig = {
  variant: 'siglip',
  inputSize: 384,
  gridSize: 27,
  pixelBranchSize: 432,
  outputSize: 384,
  scales: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 17, 22, 27],
  codebookSize: 32768,
  semanticCodeDim: 32,
  pixelCodeDim: 8,
  semanticEncoder: {
    kind: 'siglip',
    hidden: 1152,
    layersTotal: 27,
    layersApplied: 26,
    heads: 16,
    intermediate: 4304,
    patch: 14,
    positions: 729,
    lnEps: 1e-6,
  },
  semanticProjection: { inDim: 1152, hiddenDim: 1152, outDim: 32 },
  pixelEncoder: { ch: 128, chMult: CH_MULT, numResBlocks: 2, zChannels: 256 },
  pixelDecoder: { ch: 128, chMult: CH_MULT, numResBlocks: 2, zChannels: 256, enhanced: false },
  groupNorm: GROUP_NORM,
};
