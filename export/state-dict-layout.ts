/**
 * The official TokenFlow state-dict layout for a given architecture: every key with its
 * shape and which part of the model package needs it. The exporter checks a checkpoint against
 * it (strict, like the official `load_state_dict`), and the test/benchmark checkpoint writer
 * produces files from it, so both agree on one description of the model.
 */
import type { ConvNetConfig, ModelConfig, PixelDecoderConfig } from './model-config.ts';

export type LayoutRole = 'semantic_encoder' | 'pixel_encoder' | 'pixel_decoder' | 'codebooks' | 'training_only';

export interface LayoutEntry {
  readonly key: string;
  readonly shape: readonly number[];
  readonly role: LayoutRole;
}

/** Sizes of the training-only semantic decoder, which inference never reads. */
export interface SemanticDecoderShape {
  readonly depth: number;
  readonly outDim: number;
  /** Side of its positional grid: 14 for CLIP (224/16), 27 for SigLIP (432/16). */
  readonly grid: number;
}

/** `quantize.codebook_used` length in the official quantizer (usage history, training only). */
export const CODEBOOK_USED_LENGTH = 131072;

export function defaultSemanticDecoderShape(config: ModelConfig): SemanticDecoderShape {
  return config.variant === 'clip'
    ? { depth: 3, outDim: 512, grid: config.semanticEncoder.kind === 'clip' ? config.semanticEncoder.posGrid : 14 }
    : { depth: 3, outDim: 1152, grid: config.pixelBranchSize / 16 };
}

export function officialLayout(
  config: ModelConfig,
  semanticDecoder: SemanticDecoderShape = defaultSemanticDecoderShape(config),
): LayoutEntry[] {
  const out: LayoutEntry[] = [];
  const add = (role: LayoutRole, key: string, ...shape: number[]) => out.push({ key, shape, role });
  const ln = (role: LayoutRole, prefix: string, d: number) => {
    add(role, `${prefix}.weight`, d);
    add(role, `${prefix}.bias`, d);
  };
  const linear = (role: LayoutRole, prefix: string, outDim: number, inDim: number) => {
    add(role, `${prefix}.weight`, outDim, inDim);
    add(role, `${prefix}.bias`, outDim);
  };
  const conv = (role: LayoutRole, prefix: string, o: number, i: number, k: number) => {
    add(role, `${prefix}.weight`, o, i, k, k);
    add(role, `${prefix}.bias`, o);
  };

  semanticEncoderLayout(config, add, ln, linear);
  const D = config.semanticProjection.inDim;
  linear('semantic_encoder', 'encode_task_layer.0', config.semanticProjection.hiddenDim, D);
  linear(
    'semantic_encoder',
    'encode_task_layer.2',
    config.semanticProjection.outDim,
    config.semanticProjection.hiddenDim,
  );

  pixelEncoderLayout(
    config.pixelEncoder,
    (k, o, i, s) => conv('pixel_encoder', k, o, i, s),
    (k, d) => ln('pixel_encoder', k, d),
  );
  conv('pixel_encoder', 'quant_conv', config.pixelCodeDim, config.pixelEncoder.zChannels, 1);

  add('codebooks', 'quantize.embedding_vqkd.weight', config.codebookSize, config.semanticCodeDim);
  add('codebooks', 'quantize.embedding_vqgan.weight', config.codebookSize, config.pixelCodeDim);
  add('training_only', 'quantize.codebook_used', CODEBOOK_USED_LENGTH);

  conv('pixel_decoder', 'post_quant_conv', config.pixelDecoder.zChannels, config.pixelCodeDim, 1);
  pixelDecoderLayout(
    config.pixelDecoder,
    (k, o, i, s) => conv('pixel_decoder', k, o, i, s),
    (k, d) => ln('pixel_decoder', k, d),
  );

  semanticDecoderLayout(config, semanticDecoder, add, ln, linear);
  return out;
}

type Add = (role: LayoutRole, key: string, ...shape: number[]) => void;
type Ln = (role: LayoutRole, prefix: string, d: number) => void;
type Linear = (role: LayoutRole, prefix: string, outDim: number, inDim: number) => void;
type Conv = (prefix: string, o: number, i: number, k: number) => void;
type Norm = (prefix: string, d: number) => void;

function semanticEncoderLayout(config: ModelConfig, add: Add, ln: Ln, linear: Linear): void {
  const r: LayoutRole = 'semantic_encoder';
  const enc = config.semanticEncoder;
  if (enc.kind === 'clip') {
    const p = 'encoder_vqkd';
    const D = enc.width;
    add(r, `${p}.class_embedding`, D);
    add(r, `${p}.positional_embedding`, enc.posGrid * enc.posGrid + 1, D);
    add(r, `${p}.conv1.weight`, D, 3, enc.patch, enc.patch);
    ln(r, `${p}.ln_pre`, D);
    for (let i = 0; i < enc.layers; i++) {
      const b = `${p}.transformer.resblocks.${i}`;
      add(r, `${b}.attn.in_proj_weight`, 3 * D, D);
      add(r, `${b}.attn.in_proj_bias`, 3 * D);
      linear(r, `${b}.attn.out_proj`, D, D);
      ln(r, `${b}.ln_1`, D);
      linear(r, `${b}.mlp.c_fc`, enc.mlpDim, D);
      linear(r, `${b}.mlp.c_proj`, D, enc.mlpDim);
      ln(r, `${b}.ln_2`, D);
    }
    ln(r, `${p}.ln_post`, D);
    return;
  }
  const p = 'encoder_vqkd.vision_model';
  const H = enc.hidden;
  add(r, `${p}.embeddings.patch_embedding.weight`, H, 3, enc.patch, enc.patch);
  add(r, `${p}.embeddings.patch_embedding.bias`, H);
  add(r, `${p}.embeddings.position_embedding.weight`, enc.positions, H);
  for (let i = 0; i < enc.layersTotal; i++) {
    // hidden_states[-2] never reaches the last layer: it is in the file but unused.
    const role: LayoutRole = i < enc.layersApplied ? r : 'training_only';
    const b = `${p}.encoder.layers.${i}`;
    for (const proj of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) linear(role, `${b}.self_attn.${proj}`, H, H);
    ln(role, `${b}.layer_norm1`, H);
    linear(role, `${b}.mlp.fc1`, enc.intermediate, H);
    linear(role, `${b}.mlp.fc2`, H, enc.intermediate);
    ln(role, `${b}.layer_norm2`, H);
  }
  const t: LayoutRole = 'training_only';
  ln(t, `${p}.post_layernorm`, H);
  add(t, `${p}.head.probe`, 1, 1, H);
  add(t, `${p}.head.attention.in_proj_weight`, 3 * H, H);
  add(t, `${p}.head.attention.in_proj_bias`, 3 * H);
  linear(t, `${p}.head.attention.out_proj`, H, H);
  ln(t, `${p}.head.layernorm`, H);
  linear(t, `${p}.head.mlp.fc1`, enc.intermediate, H);
  linear(t, `${p}.head.mlp.fc2`, H, enc.intermediate);
  add(t, 'scaling_layer.shift', 1, 3, 1, 1);
  add(t, 'scaling_layer.scale', 1, 3, 1, 1);
}

function resBlock(prefix: string, inCh: number, outCh: number, conv: Conv, norm: Norm): void {
  norm(`${prefix}.norm1`, inCh);
  conv(`${prefix}.conv1`, outCh, inCh, 3);
  norm(`${prefix}.norm2`, outCh);
  conv(`${prefix}.conv2`, outCh, outCh, 3);
  if (inCh !== outCh) conv(`${prefix}.nin_shortcut`, outCh, inCh, 1);
}

function attnBlock(prefix: string, c: number, conv: Conv, norm: Norm): void {
  norm(`${prefix}.norm`, c);
  for (const n of ['q', 'k', 'v', 'proj_out']) conv(`${prefix}.${n}`, c, c, 1);
}

function mid(prefix: string, c: number, conv: Conv, norm: Norm): void {
  resBlock(`${prefix}.mid.0`, c, c, conv, norm);
  attnBlock(`${prefix}.mid.1`, c, conv, norm);
  resBlock(`${prefix}.mid.2`, c, c, conv, norm);
}

/** LlamaGen/VQGAN `Encoder`: attention only at the last (lowest-resolution) level. */
function pixelEncoderLayout(cfg: ConvNetConfig, conv: Conv, norm: Norm): void {
  const p = 'encoder';
  const levels = cfg.chMult.length;
  conv(`${p}.conv_in`, cfg.ch, 3, 3);
  let blockIn = cfg.ch;
  for (let l = 0; l < levels; l++) {
    const blockOut = cfg.ch * cfg.chMult[l];
    for (let j = 0; j < cfg.numResBlocks; j++) {
      resBlock(`${p}.conv_blocks.${l}.res.${j}`, blockIn, blockOut, conv, norm);
      blockIn = blockOut;
      if (l === levels - 1) attnBlock(`${p}.conv_blocks.${l}.attn.${j}`, blockIn, conv, norm);
    }
    if (l !== levels - 1) conv(`${p}.conv_blocks.${l}.downsample.conv`, blockIn, blockIn, 3);
  }
  mid(p, blockIn, conv, norm);
  norm(`${p}.norm_out`, blockIn);
  conv(`${p}.conv_out`, cfg.zChannels, blockIn, 3);
}

/** LlamaGen/VQGAN `Decoder`: conv_blocks[0] is the lowest resolution and the only one with attention. */
function pixelDecoderLayout(cfg: PixelDecoderConfig, conv: Conv, norm: Norm): void {
  const p = 'decoder';
  const levels = cfg.chMult.length;
  let blockIn = cfg.ch * cfg.chMult[levels - 1];
  conv(`${p}.conv_in`, blockIn, cfg.zChannels, 3);
  mid(p, blockIn, conv, norm);
  for (let l = 0; l < levels; l++) {
    const blockOut = cfg.ch * cfg.chMult[levels - 1 - l];
    for (let j = 0; j < cfg.numResBlocks + 1; j++) {
      resBlock(`${p}.conv_blocks.${l}.res.${j}`, blockIn, blockOut, conv, norm);
      blockIn = blockOut;
      if (l === 0) attnBlock(`${p}.conv_blocks.${l}.attn.${j}`, blockIn, conv, norm);
    }
    if (l !== levels - 1) conv(`${p}.conv_blocks.${l}.upsample.conv`, blockIn, blockIn, 3);
  }
  norm(`${p}.norm_out`, blockIn);
  conv(`${p}.conv_out`, 3, blockIn, 3);
}

/** BEiT-v2 style semantic decoder and its task head: trained with the model, never used to reconstruct images. */
function semanticDecoderLayout(config: ModelConfig, sd: SemanticDecoderShape, add: Add, ln: Ln, linear: Linear): void {
  const t: LayoutRole = 'training_only';
  const D = config.semanticProjection.inDim;
  const p = 'decoder_vqkd';
  add(t, `${p}.cls_token`, 1, 1, D);
  add(t, `${p}.pos_embed`, 1, sd.grid * sd.grid + 1, D);
  add(t, `${p}.patch_embed.proj.weight`, D, config.semanticCodeDim, 1, 1);
  add(t, `${p}.patch_embed.proj.bias`, D);
  for (let i = 0; i < sd.depth; i++) {
    const b = `${p}.blocks.${i}`;
    ln(t, `${b}.norm1`, D);
    add(t, `${b}.attn.q_bias`, D);
    add(t, `${b}.attn.v_bias`, D);
    add(t, `${b}.attn.qkv.weight`, 3 * D, D);
    linear(t, `${b}.attn.proj`, D, D);
    ln(t, `${b}.norm2`, D);
    linear(t, `${b}.mlp.fc1`, 4 * D, D);
    linear(t, `${b}.mlp.fc2`, D, 4 * D);
  }
  ln(t, `${p}.fc_norm`, D);
  linear(t, 'decode_task_layer.0', D, D);
  linear(t, 'decode_task_layer.2', sd.outDim, D);
}
