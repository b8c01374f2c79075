/**
 * Semantic branch of TokenFlow.encode: image (1,3,R,R) in [-1,1] → semantic_features
 * (1,32,S,S). CLIP tower (clip/model.py, return_patch_tokens) or SigLIP tower (HF
 * SiglipVisionModel, hidden_states[-2]), then encode_task_layer and the token → grid reshape.
 */
import type { StateDict } from '../checkpoint/state-dict.ts';
import type { ClipTowerConfig, ModelConfig, SiglipTowerConfig } from '../model-config.ts';
import type { BuildOptions } from './build-options.ts';
import { interpolateClipPositionalEmbedding } from './clip-pos-embed.ts';
import { attr, GraphBuilder, type Graph, type Value } from './graph-builder.ts';
import {
  binary,
  conv2d,
  geluTanh,
  layerNorm,
  linear,
  preNormBlock,
  nchwToTokens,
  quickGelu,
  scale,
  tanh,
  tokensToNchw,
  type AttentionWeights,
  type BlockStyle,
} from './layers.ts';

export const SEMANTIC_INPUT = 'image';
export const SEMANTIC_OUTPUT = 'semantic_features';

const CLIP_BLOCK: BlockStyle = {
  names: ['ln_1', 'ln_2', 'mlp.c_fc', 'mlp.c_proj'],
  scaleAt: 'query',
  activation: quickGelu,
};
const SIGLIP_BLOCK: BlockStyle = {
  names: ['layer_norm1', 'layer_norm2', 'mlp.fc1', 'mlp.fc2'],
  scaleAt: 'logits',
  activation: geluTanh,
};

/** `_options` is accepted for a uniform builder signature; this graph has no debug outputs or GroupNorm. */
export function buildSemanticEncoder(config: ModelConfig, stateDict: StateDict, _options: BuildOptions = {}): Graph {
  const b = new GraphBuilder('semantic_encoder', stateDict);
  const R = config.inputSize;
  const x = b.input(SEMANTIC_INPUT, [1, 3, R, R]);
  const enc = config.semanticEncoder;
  const tokens = enc.kind === 'clip' ? clipTower(b, x, enc, config.gridSize) : siglipTower(b, x, enc, config.gridSize);
  const proj = config.semanticProjection;
  if (tokens.shape[2] !== proj.inDim) {
    throw new Error(`semantic tower emits width ${tokens.shape[2]} but semanticProjection.inDim is ${proj.inDim}`);
  }
  const features = b.scoped('encode_task_layer', () => {
    const hidden = tanh(b, linear(b, tokens, 'encode_task_layer.0', proj.hiddenDim));
    return linear(b, hidden, 'encode_task_layer.2', proj.outDim);
  });
  const S = config.gridSize;
  b.output(tokensToNchw(b, features), SEMANTIC_OUTPUT, [1, config.semanticCodeDim, S, S]);
  return b.finish();
}

function clipTower(b: GraphBuilder, x: Value, enc: ClipTowerConfig, S: number): Value {
  const p = 'encoder_vqkd.';
  const D = enc.width;
  const grid = Math.floor(x.shape[2] / enc.patch);
  if (grid !== S)
    throw new Error(
      `CLIP: a ${x.shape[2]}px input with patch ${enc.patch} gives a ${grid} grid, config gridSize is ${S}`,
    );
  const patches = conv2d(b, x, `${p}conv1`, {
    outChannels: D,
    kernel: enc.patch,
    stride: enc.patch,
    pads: [0, 0, 0, 0],
    bias: false,
  });
  const cls = b.weight(`${p}class_embedding`, [D], [{ kind: 'reshape', dims: [1, 1, D] }]);
  const patchTokens = nchwToTokens(b, patches);
  const n = grid * grid + 1;
  let h = b.op('Concat', [cls, patchTokens], [1, n, D], { axis: attr.int(1) });
  h = binary(b, 'Add', h, clipPositions(b, enc, grid));
  h = layerNorm(b, h, `${p}ln_pre`, enc.lnEps);
  for (let l = 0; l < enc.layers; l++) {
    const key = `${p}transformer.resblocks.${l}`;
    h = b.scoped(key, () => preNormBlock(b, h, key, CLIP_BLOCK, clipAttention(b, key, D), enc));
  }
  h = layerNorm(b, h, `${p}ln_post`, enc.lnEps);
  // Drop the class token: x[:, 1:, :].
  return b.op(
    'Slice',
    [h, b.constInt64('starts', [1]), b.constInt64('ends', [n]), b.constInt64('axes', [1])],
    [1, n - 1, D],
  );
}

/** The stored (1, grid²+1, D) embedding, or its interpolation baked at export time. */
function clipPositions(b: GraphBuilder, enc: ClipTowerConfig, grid: number): Value {
  const key = 'encoder_vqkd.positional_embedding';
  const D = enc.width;
  const rows = enc.posGrid * enc.posGrid + 1;
  const target = enc.interpolatePosTo ?? enc.posGrid;
  if (target !== grid) {
    const how = enc.interpolatePosTo === null ? 'is used as stored' : `is interpolated to ${target}`;
    throw new Error(`CLIP: positional grid ${enc.posGrid} ${how}, but the token grid is ${grid}`);
  }
  if (enc.interpolatePosTo === null) return b.weight(key, [rows, D], [{ kind: 'reshape', dims: [1, rows, D] }]);
  const entry = b.entry(key, [rows, D]);
  return b.derivedWeight(`${key}.interp${target}`, [1, target * target + 1, D], [key], async () =>
    interpolateClipPositionalEmbedding(await entry.readFloat32(), D, enc.posGrid, target),
  );
}

/** nn.MultiheadAttention's packed in_proj (rows q | k | v), sliced and transposed at write time. */
function clipAttention(b: GraphBuilder, key: string, D: number): AttentionWeights {
  const w = `${key}.attn.in_proj_weight`;
  const bias = `${key}.attn.in_proj_bias`;
  const part = (i: number) => ({
    weight: b.weight(w, [3 * D, D], [{ kind: 'rows', start: i * D, count: D }, { kind: 'transpose' }]),
    bias: b.weight(bias, [3 * D], [{ kind: 'rows', start: i * D, count: D }]),
  });
  return {
    q: part(0),
    k: part(1),
    v: part(2),
    out: {
      weight: b.weight(`${key}.attn.out_proj.weight`, [D, D], [{ kind: 'transpose' }]),
      bias: b.weight(`${key}.attn.out_proj.bias`, [D]),
    },
  };
}

function siglipTower(b: GraphBuilder, x: Value, enc: SiglipTowerConfig, S: number): Value {
  const p = 'encoder_vqkd.vision_model.';
  const D = enc.hidden;
  const grid = Math.floor(x.shape[2] / enc.patch);
  if (grid !== S || grid * grid !== enc.positions) {
    throw new Error(
      `SigLIP: a ${x.shape[2]}px input with patch ${enc.patch} gives a ${grid} grid; config gridSize ${S}, positions ${enc.positions}`,
    );
  }
  if (enc.layersApplied < 0 || enc.layersApplied > enc.layersTotal) {
    throw new Error(`SigLIP: layersApplied ${enc.layersApplied} is outside 0…${enc.layersTotal}`);
  }
  const scaled = b.scoped('scaling_layer', () => siglipScaling(b, x));
  // Valid conv: 27·14 = 378, so the last 6 rows and columns of 384 are ignored, as in PyTorch.
  const patches = conv2d(b, scaled, `${p}embeddings.patch_embedding`, {
    outChannels: D,
    kernel: enc.patch,
    stride: enc.patch,
    pads: [0, 0, 0, 0],
  });
  const pos = b.weight(
    `${p}embeddings.position_embedding.weight`,
    [enc.positions, D],
    [{ kind: 'reshape', dims: [1, enc.positions, D] }],
  );
  let h = binary(b, 'Add', nchwToTokens(b, patches), pos);
  // hidden_states[-2]: layers 0 … layersApplied−1; the last layer, post_layernorm and head are unused.
  for (let l = 0; l < enc.layersApplied; l++) {
    const key = `${p}encoder.layers.${l}`;
    h = b.scoped(key, () => {
      const proj = (name: string) => ({
        weight: b.weight(`${key}.self_attn.${name}.weight`, [D, D], [{ kind: 'transpose' }]),
        bias: b.weight(`${key}.self_attn.${name}.bias`, [D]),
      });
      const weights: AttentionWeights = {
        q: proj('q_proj'),
        k: proj('k_proj'),
        v: proj('v_proj'),
        out: proj('out_proj'),
      };
      return preNormBlock(b, h, key, SIGLIP_BLOCK, weights, { ...enc, mlpDim: enc.intermediate });
    });
  }
  return h;
}

/**
 * ScalingLayerForSigLip, op for op: ((x+1)·127.5).clamp(0,255)/255, then (v − 0.5)/0.5.
 * Numerically a clamp to [-1,1]; written out so rounding matches the reference exactly.
 */
function siglipScaling(b: GraphBuilder, x: Value): Value {
  let v = scale(b, b.op('Add', [x, b.scalar(1)], x.shape), 127.5);
  v = b.op('Clip', [v, b.scalar(0), b.scalar(255)], x.shape);
  v = b.op('Div', [v, b.scalar(255)], x.shape);
  return b.op('Div', [b.op('Sub', [v, b.scalar(0.5)], x.shape), b.scalar(0.5)], x.shape);
}
