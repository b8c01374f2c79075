/**
 * Image half of TokenFlow.decode: pixel_f_hat (1,8,S,S) = f̂[:, 32:40] → image (1,3,R,R).
 * `post_quant_conv` then the VQGAN `Decoder` (vq_model.py; normal or "enhanced", which only
 * differ in width and res-block count). SigLIP's decoder emits 16·S = 432 and the official
 * code resizes to 384 with non-antialiased bicubic; here that is two MatMuls.
 */
import type { StateDict } from '../checkpoint/state-dict.ts';
import type { ModelConfig } from '../model-config.ts';
import type { BuildOptions } from './build-options.ts';
import { GraphBuilder, type Graph } from './graph-builder.ts';
import { vqganLevels } from './vqgan-levels.ts';
import { conv2d, groupNorm, resizeBicubic, resnetBlock, silu, upsample, vqganAttnBlock } from './layers.ts';

export const PIXEL_DECODER_INPUT = 'pixel_f_hat';
export const PIXEL_DECODER_OUTPUT = 'image';
/** Debug output (SigLIP only): the decoder's output before the final resize. */
export const DECODER_RAW = 'decoder_raw';

export function buildPixelDecoder(config: ModelConfig, stateDict: StateDict, options: BuildOptions = {}): Graph {
  const b = new GraphBuilder('pixel_decoder', stateDict);
  const S = config.gridSize;
  const { ch, chMult, numResBlocks, zChannels } = config.pixelDecoder;
  const { levels, gn } = vqganLevels('pixel decoder', chMult, config, options);

  const z = b.input(PIXEL_DECODER_INPUT, [1, config.pixelCodeDim, S, S]);
  let h = conv2d(b, z, 'post_quant_conv', { outChannels: zChannels, kernel: 1 });
  h = conv2d(b, h, 'decoder.conv_in', { outChannels: ch * chMult[levels - 1], kernel: 3 });
  const width = h.shape[1];
  h = resnetBlock(b, h, 'decoder.mid.0', width, gn);
  h = vqganAttnBlock(b, h, 'decoder.mid.1', gn);
  h = resnetBlock(b, h, 'decoder.mid.2', width, gn);
  // conv_blocks[0] is the lowest resolution (ch_mult read backwards); it alone has attention.
  for (let j = 0; j < levels; j++) {
    const key = `decoder.conv_blocks.${j}`;
    const out = ch * chMult[levels - 1 - j];
    for (let r = 0; r < numResBlocks + 1; r++) {
      h = resnetBlock(b, h, `${key}.res.${r}`, out, gn);
      if (j === 0) h = vqganAttnBlock(b, h, `${key}.attn.${r}`, gn);
    }
    if (j !== levels - 1) h = upsample(b, h, `${key}.upsample`);
  }
  h = silu(b, groupNorm(b, h, 'decoder.norm_out', gn));
  h = conv2d(b, h, 'decoder.conv_out', { outChannels: 3, kernel: 3 });

  const R = config.outputSize;
  const P = config.pixelBranchSize;
  if (P !== R) {
    if (options.debugOutputs) b.output(h, DECODER_RAW, [1, 3, P, P]);
    h = b.scoped('resize_to_output', () => resizeBicubic(b, h, R));
  }
  b.output(h, PIXEL_DECODER_OUTPUT, [1, 3, R, R]);
  return b.finish();
}
