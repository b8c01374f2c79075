/**
 * Trainable parameters keyed by their official state-dict names (from `officialLayout`), held in
 * the layouts tfjs computes with: conv filters [kh, kw, in, out]; CLIP's patch conv as a
 * [width, 3·p·p] matrix; everything else as in PyTorch. `toTorchLayout` converts back for export.
 */
import type { ModelConfig } from '../export/model-config.ts';
import { officialLayout, type LayoutEntry, type SemanticDecoderShape } from '../export/state-dict-layout.ts';
import { tf } from './tf-backend.ts';

export type Params = Map<string, tf.Variable>;

const PATCH_KEY = 'encoder_vqkd.conv1.weight';

/** Keys the runtime never reads and the trainer does not learn (written as the official code initialises them). */
export const UNTRAINED_KEYS = new Set(['quantize.codebook_used', 'decoder_vqkd.cls_token']);

export function tfShape(entry: LayoutEntry): number[] {
  const s = entry.shape;
  if (entry.key === PATCH_KEY) return [s[0], s[1] * s[2] * s[3]];
  if (s.length === 4) return [s[2], s[3], s[1], s[0]];
  return [...s];
}

export function toTorchLayout(entry: LayoutEntry, values: Float32Array): Float32Array {
  const s = entry.shape;
  if (s.length !== 4 || entry.key === PATCH_KEY) return values;
  const [O, I, kh, kw] = s;
  const out = new Float32Array(values.length);
  // tf [kh, kw, I, O] → torch [O, I, kh, kw]
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < I; i++)
        for (let o = 0; o < O; o++) {
          out[((o * I + i) * kh + y) * kw + x] = values[((y * kw + x) * I + i) * O + o];
        }
  return out;
}

/** Initial value of one tensor: norms start as identity, convs/linears fan-in scaled, residual branches small. */
function initialValue(entry: LayoutEntry, shape: number[]): tf.Tensor {
  const { key } = entry;
  if (key === 'quantize.codebook_used') return tf.zeros(shape);
  if (shape.length === 1)
    return key.endsWith('.weight')
      ? tf.ones(shape)
      : key.endsWith('.bias')
        ? tf.zeros(shape)
        : tf.randomNormal(shape, 0, 0.02);
  if (key.includes('embedding_vq')) return tf.randomNormal(shape);
  if (/positional_embedding|pos_embed|cls_token/.test(key)) return tf.randomNormal(shape, 0, 0.02);
  // fan-in = product of all but the output axis (last for tf conv filters, first for torch linears)
  const conv = shape.length === 4;
  const fanIn = conv ? shape[0] * shape[1] * shape[2] : shape.slice(1).reduce((a, b) => a * b, 1);
  // The second conv of a residual block and attention outputs start small so each block begins near identity.
  const residualOut = /\.conv2\.weight$|\.proj_out\.weight$|out_proj\.weight$|c_proj\.weight$/.test(key);
  return tf.randomNormal(shape, 0, (residualOut ? 0.2 : 1) * Math.sqrt(1 / fanIn));
}

export function layoutFor(config: ModelConfig, semanticDecoder: SemanticDecoderShape): LayoutEntry[] {
  return officialLayout(config, semanticDecoder);
}

export function createParams(layout: readonly LayoutEntry[]): Params {
  const p: Params = new Map();
  for (const entry of layout) {
    const init = tf.tidy(() => initialValue(entry, tfShape(entry)));
    p.set(entry.key, tf.variable(init, !UNTRAINED_KEYS.has(entry.key), entry.key));
    init.dispose();
  }
  return p;
}

export function param(p: Params, key: string): tf.Variable {
  const v = p.get(key);
  if (!v) throw new Error(`no parameter '${key}' in the model (layout mismatch)`);
  return v;
}

export function trainableList(p: Params): tf.Variable[] {
  return [...p.values()].filter((v) => v.trainable);
}
