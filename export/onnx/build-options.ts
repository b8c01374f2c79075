/** Options every graph builder accepts; the defaults are what the exported package ships. */
import type { GroupNormImpl } from './group-norm.ts';

export interface BuildOptions {
  /**
   * Also expose intermediate tensors that the golden fixtures store: `pixel_branch_input`
   * (SigLIP pixel encoder, after the 384→432 resize) and `decoder_raw` (SigLIP decoder,
   * before the 432→384 resize). No effect on graphs without those resizes.
   */
  readonly debugOutputs?: boolean;
  /** GroupNorm formulation in the conv nets (see group-norm.ts); default 'reduce-mean'. */
  readonly groupNormImpl?: GroupNormImpl;
}
