/**
 * Writes an official-layout trainer checkpoint with random weights for any architecture,
 * through the same layout the exporter checks against. Deterministic for a given seed.
 */
import type { ByteSink } from '../../src/core/bytes/byte-sink.ts';
import { writeTorchCheckpoint, type TensorSpec, type WriteSummary } from '../checkpoint/torch-writer.ts';
import type { ModelConfig } from '../model-config.ts';
import { officialLayout } from '../state-dict-layout.ts';

export interface RandomCheckpointOptions {
  readonly seed?: number;
  /** Standard deviation-ish scale of the uniform weights. */
  readonly scale?: number;
}

export function randomStateDictSpec(config: ModelConfig, options: RandomCheckpointOptions = {}): TensorSpec[] {
  const state = (options.seed ?? 1) >>> 0 || 1;
  const scale = options.scale ?? 0.02;
  return officialLayout(config).map((entry, i) => ({
    key: entry.key,
    shape: [...entry.shape],
    values: () => {
      const n = entry.shape.reduce((a, b) => a * b, 1);
      const out = new Float32Array(n);
      // xorshift32 per tensor, seeded by position: fast, and independent of write order.
      let x = (state ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0 || 1;
      const isNormWeight = /\.(norm\w*|ln_\w+|layer_norm\d|layernorm)\.weight$/.test(entry.key);
      for (let j = 0; j < n; j++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        const u = (x >>> 0) / 4294967296 - 0.5;
        out[j] = isNormWeight ? 1 + u * scale : u * 2 * scale;
      }
      return out;
    },
  }));
}

export function writeRandomCheckpoint(
  sink: ByteSink,
  config: ModelConfig,
  options: RandomCheckpointOptions = {},
): Promise<WriteSummary> {
  return writeTorchCheckpoint(sink, { model: randomStateDictSpec(config, options), trainerExtras: true });
}

export function parameterCount(config: ModelConfig): number {
  return officialLayout(config).reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0);
}
