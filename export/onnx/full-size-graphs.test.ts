/**
 * The released models' sizes, from the official layout with shapes only (no weights): every
 * key each graph reads must exist with the expected shape, and the parameter counts must match
 * the parity-checked numbers of docs/spec.md §8.2.
 */
import { describe, expect, it } from 'vitest';
import type { StateDict } from '../checkpoint/state-dict.ts';
import { shapeOnlyStateDict } from '../../src/test-support/checkpoint-index.ts';
import type { ModelConfig } from '../model-config.ts';
import { RELEASED_CLIP_ENHANCED, RELEASED_SIGLIP } from '../bench/released-configs.ts';
import { officialLayout } from '../state-dict-layout.ts';
import type { Graph } from './graph-builder.ts';
import { buildPixelDecoder, buildPixelEncoder, buildSemanticEncoder } from './index.ts';
import { numel } from './weight-transforms.ts';

const CLIP_256_ENHANCED = RELEASED_CLIP_ENHANCED;
const SIGLIP_384 = RELEASED_SIGLIP;

function shapeOnly(config: ModelConfig): StateDict {
  return shapeOnlyStateDict(officialLayout(config));
}

/** Parameters the graph stores, counting each checkpoint key once (CLIP's in_proj is split into three). */
function params(graph: Graph, sd: StateDict): number {
  const keys = new Set(graph.weights.flatMap((w) => w.sourceKeys));
  return [...keys].reduce((s, k) => s + numel(sd.get(k)!.shape), 0);
}

describe('graphs at the released models’ sizes', () => {
  it('CLIP enhanced @256: parameter counts match the spec', () => {
    const sd = shapeOnly(CLIP_256_ENHANCED);
    const sem = buildSemanticEncoder(CLIP_256_ENHANCED, sd);
    const enc = buildPixelEncoder(CLIP_256_ENHANCED, sd);
    const dec = buildPixelDecoder(CLIP_256_ENHANCED, sd);
    const task = 768 * 768 + 768 + 32 * 768 + 32;
    expect(Math.round((params(sem, sd) - task) / 1e3)).toBe(85_799); // CLIP tower, no proj
    expect(Math.round((params(enc, sd) - (8 * 256 + 8)) / 1e3)).toBe(29_298);
    expect(Math.round((params(dec, sd) - (256 * 8 + 256)) / 1e3)).toBe(237_117);
    expect(sem.outputs).toEqual([{ name: 'semantic_features', dtype: 'float32', shape: [1, 32, 16, 16] }]);
    expect(dec.outputs).toEqual([{ name: 'image', dtype: 'float32', shape: [1, 3, 256, 256] }]);
    // The interpolated positional embedding is baked at (1, 257, 768).
    expect(sem.weights.find((w) => w.name.endsWith('interp16'))?.dims).toEqual([1, 257, 768]);
  });

  it('SigLIP @384: layers 0–25 only, 432 pixel branch, 384 output', () => {
    const sd = shapeOnly(SIGLIP_384);
    const sem = buildSemanticEncoder(SIGLIP_384, sd);
    const keys = new Set(sem.weights.flatMap((w) => w.sourceKeys));
    expect(keys.has('encoder_vqkd.vision_model.encoder.layers.25.mlp.fc2.weight')).toBe(true);
    expect([...keys].some((k) => k.includes('layers.26') || k.includes('post_layernorm') || k.includes('.head.'))).toBe(
      false,
    );
    // ~1.6 GB fp32: under the 2 GB protobuf limit, so 'auto' keeps it in one file.
    const task = 1152 * 1152 + 1152 + 32 * 1152 + 32;
    // Embeddings 1,518,336 + 26 layers × 15,239,504 (the spec rounds this to 397.8 M).
    expect(params(sem, sd) - task).toBe(397_745_440);
    const enc = buildPixelEncoder(SIGLIP_384, sd, { debugOutputs: true });
    expect(enc.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['pixel_branch_input', [1, 3, 432, 432]],
      ['pixel_features', [1, 8, 27, 27]],
    ]);
    const dec = buildPixelDecoder(SIGLIP_384, sd);
    expect(dec.inputs).toEqual([{ name: 'pixel_f_hat', dtype: 'float32', shape: [1, 8, 27, 27] }]);
    expect(dec.outputs).toEqual([{ name: 'image', dtype: 'float32', shape: [1, 3, 384, 384] }]);
    // Normal decoder without post_quant_conv; the spec's '42.5 M' is this rounded.
    expect(params(dec, sd) - (256 * 8 + 256)).toBe(42_449_795);
  });

  it('names the key, the expected and the found shape when the checkpoint disagrees', () => {
    const sd = new Map(shapeOnly(CLIP_256_ENHANCED));
    const key = 'decoder.conv_blocks.1.res.0.nin_shortcut.weight';
    sd.set(key, { ...sd.get(key)!, shape: [512, 1024, 3, 3] });
    expect(() => buildPixelDecoder(CLIP_256_ENHANCED, sd)).toThrow(
      `checkpoint key "${key}": expected shape [512,1024,1,1], found [512,1024,3,3]`,
    );
    sd.delete('encoder_vqkd.ln_pre.bias');
    expect(() => buildSemanticEncoder(CLIP_256_ENHANCED, sd)).toThrow(/"encoder_vqkd\.ln_pre\.bias" is missing/);
  });
});
