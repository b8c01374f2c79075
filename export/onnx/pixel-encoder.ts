/**
 * Pixel branch of TokenFlow.encode: image (1,3,R,R) → pixel_features (1,8,S,S). The VQGAN
 * `Encoder` (vq_model.py) then `quant_conv`. SigLIP first bicubic-resizes the image to the
 * pixel-branch side (384 → 432) inside the model; here that is two MatMuls.
 */
import type { StateDict } from '../checkpoint/state-dict.ts';
import type { ModelConfig } from '../model-config.ts';
import type { BuildOptions } from './build-options.ts';
import { GraphBuilder, type Graph } from './graph-builder.ts';
import { vqganLevels } from './vqgan-levels.ts';
import { conv2d, downsample, groupNorm, resizeBicubic, resnetBlock, silu, vqganAttnBlock } from './layers.ts';

export const PIXEL_ENCODER_INPUT = 'image';
export const PIXEL_ENCODER_OUTPUT = 'pixel_features';
/** Debug output (SigLIP only): the resized image the encoder sees. */
export const PIXEL_BRANCH_INPUT = 'pixel_branch_input';

export function buildPixelEncoder(config: ModelConfig, stateDict: StateDict, options: BuildOptions = {}): Graph {
  const b = new GraphBuilder('pixel_encoder', stateDict);
  const R = config.inputSize;
  const P = config.pixelBranchSize;
  const { ch, chMult, numResBlocks, zChannels } = config.pixelEncoder;
  const { levels, gn } = vqganLevels('pixel encoder', chMult, config, options);

  const image = b.input(PIXEL_ENCODER_INPUT, [1, 3, R, R]);
  let h = image;
  if (P !== R) {
    h = b.scoped('resize_to_pixel_branch', () => resizeBicubic(b, image, P));
    if (options.debugOutputs) b.output(h, PIXEL_BRANCH_INPUT, [1, 3, P, P]);
  }

  h = conv2d(b, h, 'encoder.conv_in', { outChannels: ch, kernel: 3 });
  for (let i = 0; i < levels; i++) {
    const key = `encoder.conv_blocks.${i}`;
    const width = ch * chMult[i];
    for (let r = 0; r < numResBlocks; r++) {
      h = resnetBlock(b, h, `${key}.res.${r}`, width, gn);
      // Attention only at the lowest resolution, after every res block.
      if (i === levels - 1) h = vqganAttnBlock(b, h, `${key}.attn.${r}`, gn);
    }
    if (i !== levels - 1) h = downsample(b, h, `${key}.downsample`);
  }
  const width = h.shape[1];
  h = resnetBlock(b, h, 'encoder.mid.0', width, gn);
  h = vqganAttnBlock(b, h, 'encoder.mid.1', gn);
  h = resnetBlock(b, h, 'encoder.mid.2', width, gn);
  h = silu(b, groupNorm(b, h, 'encoder.norm_out', gn));
  h = conv2d(b, h, 'encoder.conv_out', { outChannels: zChannels, kernel: 3 });
  h = conv2d(b, h, 'quant_conv', { outChannels: config.pixelCodeDim, kernel: 1 });
  b.output(h, PIXEL_ENCODER_OUTPUT, [1, config.pixelCodeDim, config.gridSize, config.gridSize]);
  return b.finish();
}
