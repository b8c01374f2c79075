/**
 * The architecture of one TokenFlow checkpoint, as inferred from its key names and tensor
 * shapes (see detect-config.ts). Every graph builder and the package manifest read it; nothing
 * in the exporter hard-codes a released model's sizes.
 */

export interface ClipTowerConfig {
  readonly kind: 'clip';
  /** Transformer width D (768 for ViT-B/16). */
  readonly width: number;
  readonly layers: number;
  /** width / 64: CLIP's head size is 64. */
  readonly heads: number;
  readonly mlpDim: number;
  readonly patch: number;
  /** Side of the stored positional grid (sqrt(rows − 1)), 14 for the released model. */
  readonly posGrid: number;
  /** Grid side the positional embedding is interpolated to, or null when it is used as stored. */
  readonly interpolatePosTo: number | null;
  readonly lnEps: number;
}

export interface SiglipTowerConfig {
  readonly kind: 'siglip';
  readonly hidden: number;
  /** Layers in the checkpoint; the official code uses hidden_states[-2], so one fewer are applied. */
  readonly layersTotal: number;
  readonly layersApplied: number;
  /** hidden / 72: SigLIP so400m's head size is 72. */
  readonly heads: number;
  readonly intermediate: number;
  readonly patch: number;
  readonly positions: number;
  readonly lnEps: number;
}

export interface ConvNetConfig {
  readonly ch: number;
  readonly chMult: readonly number[];
  readonly numResBlocks: number;
  readonly zChannels: number;
}

export interface PixelDecoderConfig extends ConvNetConfig {
  /** The "enhanced" decoder of the CLIP release: ch 256, 4 res blocks (5 per level). */
  readonly enhanced: boolean;
}

export type Variant = 'clip' | 'siglip';

export interface ModelConfig {
  readonly variant: Variant;
  /** R: side of the model input image. */
  readonly inputSize: number;
  /** S: side of the final token grid. */
  readonly gridSize: number;
  /** Side the pixel encoder sees (432 for SigLIP, which resizes internally; R otherwise). */
  readonly pixelBranchSize: number;
  /** Side of the reconstructed image (R). */
  readonly outputSize: number;
  readonly scales: readonly number[];
  readonly codebookSize: number;
  readonly semanticCodeDim: number;
  readonly pixelCodeDim: number;
  readonly semanticEncoder: ClipTowerConfig | SiglipTowerConfig;
  readonly semanticProjection: { readonly inDim: number; readonly hiddenDim: number; readonly outDim: number };
  readonly pixelEncoder: ConvNetConfig;
  readonly pixelDecoder: PixelDecoderConfig;
  /** GroupNorm everywhere in the conv nets: 32 groups, eps 1e-6. */
  readonly groupNorm: { readonly groups: number; readonly eps: number };
}
