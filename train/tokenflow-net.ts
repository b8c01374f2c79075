/**
 * Forward passes of the official TokenFlow modules (CLIP variant) on Params keyed by official
 * names, NHWC. Mirrors §3 and §5 of the design spec; the multi-scale quantizer is quantizer.ts.
 */
import type { ModelConfig } from '../export/model-config.ts';
import {
  conv1x1,
  conv3x3,
  downsampleConv,
  groupNorm,
  layerNorm,
  linear,
  mm,
  quickGelu,
  silu,
  upsampleNearest2,
} from './nn-ops.ts';
import { param, type Params } from './params.ts';
import { tf } from './tf-backend.ts';

type T = tf.Tensor;
type T4 = tf.Tensor4D;

export class TokenFlowNet {
  constructor(
    readonly config: ModelConfig,
    readonly p: Params,
  ) {}

  private w(key: string): T {
    return param(this.p, key);
  }

  private conv3(prefix: string, x: T4): T4 {
    return conv3x3(x, this.w(`${prefix}.weight`) as T4, this.w(`${prefix}.bias`));
  }

  private conv1(prefix: string, x: T4): T4 {
    return conv1x1(x, this.w(`${prefix}.weight`) as T4, this.w(`${prefix}.bias`));
  }

  private gn(prefix: string, x: T4): T4 {
    return groupNorm(
      x,
      this.w(`${prefix}.weight`),
      this.w(`${prefix}.bias`),
      this.config.groupNorm.groups,
      this.config.groupNorm.eps,
    );
  }

  private resBlock(prefix: string, x: T4): T4 {
    let h = this.conv3(`${prefix}.conv1`, silu(this.gn(`${prefix}.norm1`, x)) as T4);
    h = this.conv3(`${prefix}.conv2`, silu(this.gn(`${prefix}.norm2`, h)) as T4);
    const shortcut = this.p.has(`${prefix}.nin_shortcut.weight`) ? this.conv1(`${prefix}.nin_shortcut`, x) : x;
    return shortcut.add(h);
  }

  private attnBlock(prefix: string, x: T4): T4 {
    const [N, H, W, C] = x.shape;
    const h = this.gn(`${prefix}.norm`, x);
    const flat = (t: T4) => t.reshape([N, H * W, C]) as tf.Tensor3D;
    const q = flat(this.conv1(`${prefix}.q`, h));
    const k = flat(this.conv1(`${prefix}.k`, h));
    const v = flat(this.conv1(`${prefix}.v`, h));
    const att = tf.softmax(mm(q, k, false, true).mul(C ** -0.5));
    const o = mm(att, v).reshape([N, H, W, C]) as T4;
    return x.add(this.conv1(`${prefix}.proj_out`, o));
  }

  private mid(prefix: string, x: T4): T4 {
    return this.resBlock(`${prefix}.mid.2`, this.attnBlock(`${prefix}.mid.1`, this.resBlock(`${prefix}.mid.0`, x)));
  }

  /** `encoder` + `quant_conv`: [N,R,R,3] in [-1,1] → pixel features [N,S,S,pixelCodeDim]. */
  pixelEncode(x: T4): T4 {
    const cfg = this.config.pixelEncoder;
    const levels = cfg.chMult.length;
    let h = this.conv3('encoder.conv_in', x);
    for (let l = 0; l < levels; l++) {
      for (let j = 0; j < cfg.numResBlocks; j++) {
        h = this.resBlock(`encoder.conv_blocks.${l}.res.${j}`, h);
        if (l === levels - 1) h = this.attnBlock(`encoder.conv_blocks.${l}.attn.${j}`, h);
      }
      if (l !== levels - 1)
        h = downsampleConv(
          h,
          this.w(`encoder.conv_blocks.${l}.downsample.conv.weight`) as T4,
          this.w(`encoder.conv_blocks.${l}.downsample.conv.bias`),
        );
    }
    h = this.mid('encoder', h);
    h = this.conv3('encoder.conv_out', silu(this.gn('encoder.norm_out', h)) as T4);
    return this.conv1('quant_conv', h);
  }

  /** `post_quant_conv` + `decoder`: pixel half of f̂ [N,S,S,8] → image [N,R,R,3] (unbounded, nominally [-1,1]). */
  pixelDecode(f: T4): T4 {
    const cfg = this.config.pixelDecoder;
    const levels = cfg.chMult.length;
    let h = this.conv3('decoder.conv_in', this.conv1('post_quant_conv', f));
    h = this.mid('decoder', h);
    for (let l = 0; l < levels; l++) {
      for (let j = 0; j < cfg.numResBlocks + 1; j++) {
        h = this.resBlock(`decoder.conv_blocks.${l}.res.${j}`, h);
        if (l === 0) h = this.attnBlock(`decoder.conv_blocks.${l}.attn.${j}`, h);
      }
      if (l !== levels - 1) h = this.conv3(`decoder.conv_blocks.${l}.upsample.conv`, upsampleNearest2(h));
    }
    return this.conv3('decoder.conv_out', silu(this.gn('decoder.norm_out', h)) as T4);
  }

  /** Positional rows (class row first) for a g×g token grid: the model only runs at its stored grid. */
  private positions(key: string, grid: number, g: number): T {
    const pos = this.w(key);
    if (g !== grid)
      throw new Error(`${key}: a ${g}×${g} token grid does not match the stored ${grid}×${grid} positions`);
    return pos.reshape([grid * grid + 1, pos.shape[pos.rank - 1]]);
  }

  /** `encoder_vqkd` (CLIP ViT) + `encode_task_layer`: [N,R,R,3] → semantic features [N,g,g,32]. */
  semanticEncode(x: T4): T4 {
    const enc = this.config.semanticEncoder;
    if (enc.kind !== 'clip') throw new Error('the trainer implements the CLIP variant only');
    const [N, R] = x.shape;
    const P = enc.patch;
    const g = R / P;
    const D = enc.width;
    // Patch vectors in torch's (channel, row, column) order, matching conv1.weight [D, 3, P, P].
    const patches = x
      .reshape([N, g, P, g, P, 3])
      .transpose([0, 1, 3, 5, 2, 4])
      .reshape([N, g * g, 3 * P * P]);
    const tokens = linear(patches, this.w('encoder_vqkd.conv1.weight'), null);
    const cls = this.w('encoder_vqkd.class_embedding').reshape([1, 1, D]).tile([N, 1, 1]);
    let h = tf.concat([cls, tokens], 1).add(this.positions('encoder_vqkd.positional_embedding', enc.posGrid, g));
    h = layerNorm(h, this.w('encoder_vqkd.ln_pre.weight'), this.w('encoder_vqkd.ln_pre.bias'), enc.lnEps);
    for (let i = 0; i < enc.layers; i++) {
      const b = `encoder_vqkd.transformer.resblocks.${i}`;
      h = h.add(this.mha(b, layerNorm(h, this.w(`${b}.ln_1.weight`), this.w(`${b}.ln_1.bias`), enc.lnEps), enc.heads));
      const m = layerNorm(h, this.w(`${b}.ln_2.weight`), this.w(`${b}.ln_2.bias`), enc.lnEps);
      h = h.add(
        linear(
          quickGelu(linear(m, this.w(`${b}.mlp.c_fc.weight`), this.w(`${b}.mlp.c_fc.bias`))),
          this.w(`${b}.mlp.c_proj.weight`),
          this.w(`${b}.mlp.c_proj.bias`),
        ),
      );
    }
    h = layerNorm(h, this.w('encoder_vqkd.ln_post.weight'), this.w('encoder_vqkd.ln_post.bias'), enc.lnEps);
    const patchTokens = h.slice([0, 1, 0], [N, g * g, D]);
    const t = linear(
      tf.tanh(linear(patchTokens, this.w('encode_task_layer.0.weight'), this.w('encode_task_layer.0.bias'))),
      this.w('encode_task_layer.2.weight'),
      this.w('encode_task_layer.2.bias'),
    );
    return t.reshape([N, g, g, this.config.semanticCodeDim]) as T4;
  }

  private mha(b: string, x: T, heads: number): T {
    const [N, L, D] = x.shape;
    const hd = D / heads;
    const qkv = linear(x, this.w(`${b}.attn.in_proj_weight`), this.w(`${b}.attn.in_proj_bias`));
    const split = (i: number) =>
      qkv
        .slice([0, 0, i * D], [N, L, D])
        .reshape([N, L, heads, hd])
        .transpose([0, 2, 1, 3]) as tf.Tensor4D;
    const att = tf.softmax(mm(split(0), split(1), false, true).mul(1 / Math.sqrt(hd)));
    const o = mm(att, split(2)).transpose([0, 2, 1, 3]).reshape([N, L, D]);
    return linear(o, this.w(`${b}.attn.out_proj.weight`), this.w(`${b}.attn.out_proj.bias`));
  }

  /**
   * Training-only semantic decoder, depth 0 (`decoder_vqkd` patch embedding + positions + fc_norm,
   * then `decode_task_layer`): quantized semantic half [N,g,g,32] → teacher-space features.
   */
  semanticDecode(f: T4, grid: number): T4 {
    const [N, g] = f.shape;
    const tokens = this.conv1('decoder_vqkd.patch_embed.proj', f);
    const D = tokens.shape[3];
    const pos = this.positions('decoder_vqkd.pos_embed', grid, g).slice([1, 0], [g * g, D]);
    let h = tokens.reshape([N, g * g, D]).add(pos);
    h = layerNorm(h, this.w('decoder_vqkd.fc_norm.weight'), this.w('decoder_vqkd.fc_norm.bias'), 1e-6);
    const t = linear(
      tf.tanh(linear(h, this.w('decode_task_layer.0.weight'), this.w('decode_task_layer.0.bias'))),
      this.w('decode_task_layer.2.weight'),
      this.w('decode_task_layer.2.bias'),
    );
    return t.reshape([N, g, g, t.shape[2] as number]) as T4;
  }
}
