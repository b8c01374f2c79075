import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bicubicMatrix, resizePlanes } from '../../src/core/resample.ts';
import { nodeFileSource } from '../../src/node/file-byte-source.ts';
import { fixturePath } from '../../src/test-support/fixtures.ts';
import { loadCheckpoint } from '../checkpoint/load-checkpoint.ts';
import { clipPosScaleFactor, interpolateClipPositionalEmbedding } from './clip-pos-embed.ts';
import { maxAbsDiff } from '../../src/test-support/onnx-models.ts';

describe('interpolateClipPositionalEmbedding', () => {
  it('uses the official scale factor (target + 0.1)/grid', () => {
    expect(clipPosScaleFactor(14, 16)).toBe(16.1 / 14);
  });

  it('checks the embedding has grid² + 1 rows', () => {
    expect(() => interpolateClipPositionalEmbedding(new Float32Array(197 * 2), 2, 14, 17)).not.toThrow();
    expect(() => interpolateClipPositionalEmbedding(new Float32Array(196 * 2), 2, 14, 16)).toThrow(/196|expected 197/);
  });

  it('matches the official interpolated embedding of clip-256-enhanced', async () => {
    const source = await nodeFileSource(fixturePath('clip-256-enhanced', 'checkpoint.pt'));
    const entry = (await loadCheckpoint(source)).stateDict.get('encoder_vqkd.positional_embedding')!;
    const [rows, width] = entry.shape;
    const pos = await entry.readFloat32();
    await source.close();
    const buf = readFileSync(fixturePath('clip-256-enhanced', 'model', 'clip_pos_embed_interp.f32.bin'));
    const official = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const ours = interpolateClipPositionalEmbedding(pos, width, Math.sqrt(rows - 1), 16);
    const err = maxAbsDiff(ours, official);
    console.log(`CLIP pos-embed 14→16 max abs error vs official: ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-6);

    // The test can tell the +0.1 semantics from a plain 14→16 resize.
    const grid = 14;
    const planes = new Float32Array(width * grid * grid);
    for (let p = 0; p < grid * grid; p++)
      for (let d = 0; d < width; d++) planes[d * grid * grid + p] = pos[(1 + p) * width + d];
    const plain = resizePlanes(planes, width, bicubicMatrix(grid, 16));
    const officialPlanes = new Float32Array(width * 256);
    for (let p = 0; p < 256; p++)
      for (let d = 0; d < width; d++) officialPlanes[d * 256 + p] = official[(1 + p) * width + d];
    expect(maxAbsDiff(plain, officialPlanes)).toBeGreaterThan(1e-3);
  });
});
