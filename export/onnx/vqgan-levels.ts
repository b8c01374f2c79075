/**
 * What the VQGAN encoder and decoder agree on: one level per ch_mult entry with a 2× resample
 * between levels, so the pixel-branch side is S·2^(levels−1), and the config's GroupNorm in the
 * formulation the build asked for.
 */
import type { ModelConfig } from '../model-config.ts';
import type { BuildOptions } from './build-options.ts';
import type { GroupNormSpec } from './group-norm.ts';

export interface VqganLevels {
  readonly levels: number;
  readonly gn: GroupNormSpec;
}

/** `what` names the net in the error, e.g. "pixel encoder". */
export function vqganLevels(
  what: string,
  chMult: readonly number[],
  config: ModelConfig,
  options: BuildOptions,
): VqganLevels {
  const levels = chMult.length;
  const side = config.gridSize * 2 ** (levels - 1);
  if (side !== config.pixelBranchSize) {
    throw new Error(
      `${what}: ${levels} levels join the ${config.gridSize}-side token grid to a ${side}px image, ` +
        `not the pixel-branch side ${config.pixelBranchSize}`,
    );
  }
  return { levels, gn: { ...config.groupNorm, impl: options.groupNormImpl } };
}
