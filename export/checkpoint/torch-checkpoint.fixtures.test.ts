import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURE_NAMES, fixturePath, loadFixtureManifest } from '../../src/test-support/fixtures.ts';
import { nodeFileSource } from '../../src/node/file-byte-source.ts';
import { memorySource, type ByteSource } from '../../src/core/bytes/byte-source.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { PyObject } from './pickle.ts';
import { readTorchCheckpoint, TorchTensor } from './torch-checkpoint.ts';

interface CheckpointIndex {
  state_dict_key: string;
  tensors: { key: string; dtype: string; shape: number[]; numel: number; sha256: string }[];
}

function sha256(data: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

/** Counts reads so the tests can hold the reader to "one read per contiguous tensor". */
function countingSource(inner: ByteSource): ByteSource & { reads: { offset: number; length: number }[] } {
  const reads: { offset: number; length: number }[] = [];
  return {
    name: inner.name,
    size: inner.size,
    reads,
    read: (offset, length) => (reads.push({ offset, length }), inner.read(offset, length)),
  };
}

describe('reading the official-layout fixture checkpoints', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: every tensor of checkpoint_index.json, with its shape and bytes, and nothing else`, async () => {
      const manifest = loadFixtureManifest(name) as unknown as { checkpoint: { top_level_keys: string[] } };
      const index = JSON.parse(readFileSync(fixturePath(name, 'checkpoint_index.json'), 'utf8')) as CheckpointIndex;
      const file = await nodeFileSource(fixturePath(name, 'checkpoint.pt'));
      try {
        const ckpt = await loadCheckpoint(file);
        expect(ckpt.format).toBe('torch-zip');
        expect(ckpt.weightsKey).toBe(index.state_dict_key);
        expect(ckpt.weightsKey).toBe('model');
        expect([...ckpt.topLevelKeys]).toEqual(manifest.checkpoint.top_level_keys);
        expect([...ckpt.stateDict.keys()].sort()).toEqual(index.tensors.map((t) => t.key).sort());
        for (const t of index.tensors) {
          const entry = ckpt.stateDict.get(t.key)!;
          expect(entry.key).toBe(t.key);
          expect(entry.dtype).toBe(t.dtype);
          expect([...entry.shape]).toEqual(t.shape);
          const data = await entry.readFloat32();
          expect(data.length).toBe(t.numel);
          expect(sha256(data), t.key).toBe(t.sha256);
        }
      } finally {
        await file.close();
      }
    });
  }

  it('clip-224: the trainer extras are rebuilt as inert data (args Namespace, Adam state, int64 BatchNorm counter)', async () => {
    const file = await nodeFileSource(fixturePath('clip-224', 'checkpoint.pt'));
    try {
      const { root, archiveName } = await readTorchCheckpoint(file);
      expect(archiveName).toBe('checkpoint');
      const top = root as Map<string, unknown>;
      expect(top.get('steps')).toBeTypeOf('number');
      const args = top.get('args') as PyObject;
      expect(args).toBeInstanceOf(PyObject);
      expect(args.className).toBe('argparse.Namespace');
      expect(args.attributes.get('image_size')).toBe(224);
      expect(args.attributes.get('dataset')).toBe('imagenet');
      const groups = (top.get('optimizer') as Map<string, unknown>).get('param_groups') as Map<string, unknown>[];
      expect(groups[0].get('lr')).toBeCloseTo(1e-4, 12);
      expect(groups[0].get('betas')).toEqual([0.9, 0.95]);
      expect((groups[0].get('params') as number[]).length).toBe(402);
      const counter = (top.get('discriminator') as Map<string, TorchTensor>).get('main.3.num_batches_tracked')!;
      expect(counter.dtype).toBe('int64');
      expect(counter.shape).toEqual([]);
      expect((await counter.readFloat32()).length).toBe(1);
    } finally {
      await file.close();
    }
  });

  it('clip-224: a contiguous tensor costs one read of exactly its bytes (plus its local header once)', async () => {
    const bytes = readFileSync(fixturePath('clip-224', 'checkpoint.pt'));
    const src = countingSource(
      memorySource(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'checkpoint.pt'),
    );
    const ckpt = await loadCheckpoint(src);
    const entry = ckpt.stateDict.get('quantize.embedding_vqgan.weight')!;
    src.reads.length = 0;
    await entry.readFloat32();
    const big = src.reads.filter((r) => r.length > 30);
    expect(big).toEqual([{ offset: expect.any(Number), length: entry.shape.reduce((a, b) => a * b, 1) * 4 }]);
    expect(big[0].offset % 64).toBe(0); // PyTorch aligns storages to 64 bytes
    expect(src.reads.length).toBeLessThanOrEqual(2);
    src.reads.length = 0;
    await entry.readFloat32();
    expect(src.reads.length).toBe(1);
  });

  it('a fixture cut in half is reported as truncated', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('clip-224', 'checkpoint.pt')));
    const half = bytes.subarray(0, bytes.length >> 1);
    await expect(loadCheckpoint(memorySource(half, 'half.pt'))).rejects.toThrow(/half\.pt.*truncated/);
  });

  it('a fixture missing its middle (end records intact) is reported as truncated', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('clip-224', 'checkpoint.pt')));
    const tail = 200_000; // the whole central directory and end records
    const holed = new Uint8Array(bytes.length >> 1);
    holed.set(bytes.subarray(0, holed.length - tail));
    holed.set(bytes.subarray(bytes.length - tail), holed.length - tail);
    await expect(loadCheckpoint(memorySource(holed, 'holed.pt'))).rejects.toThrow(
      /holed\.pt.*(past the end|truncated)/,
    );
  });
});
