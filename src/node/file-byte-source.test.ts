import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../export/checkpoint/load-checkpoint.ts';
import { writeTorchCheckpoint } from '../../export/checkpoint/torch-writer.ts';
import { nodeFileSink } from './file-byte-sink.ts';
import { nodeFileSource } from './file-byte-source.ts';

describe('node file source and sink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenflow-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a checkpoint to disk and reads it back by positioned reads', async () => {
    const path = join(dir, 'model.pt');
    const sink = await nodeFileSink(path);
    const summary = await writeTorchCheckpoint(sink, {
      model: [
        { key: 'w', shape: [1000, 3], values: () => Float32Array.from({ length: 3000 }, (_, i) => i / 7) },
        { key: 'b', shape: [3], dtype: 'bfloat16', values: () => Float32Array.of(1, 2, 3) },
      ],
    });
    expect(sink.bytesWritten).toBe(summary.bytes);
    expect(statSync(path).size).toBe(summary.bytes);
    const src = await nodeFileSource(path);
    try {
      expect(src.size).toBe(summary.bytes);
      const ckpt = await loadCheckpoint(src);
      const w = await ckpt.stateDict.get('w')!.readFloat32();
      expect(w[2999]).toBe(Math.fround(2999 / 7));
      expect([...(await ckpt.stateDict.get('b')!.readFloat32())]).toEqual([1, 2, 3]);
      expect(await src.read(0, 4)).toEqual(Uint8Array.of(0x50, 0x4b, 3, 4));
      await expect(src.read(src.size - 2, 4)).rejects.toThrow(
        `${path}: read of 4 bytes at ${src.size - 2} is past the end`,
      );
    } finally {
      await src.close();
    }
    await expect(src.read(0, 1)).rejects.toThrow(/read after close/);
    expect(readFileSync(path).subarray(0, 2).toString()).toBe('PK');
  });

  it('reports a file truncated on disk', async () => {
    const path = join(dir, 'cut.pt');
    const sink = await nodeFileSink(join(dir, 'whole.pt'));
    await writeTorchCheckpoint(sink, { model: [{ key: 'w', shape: [4096], values: () => new Float32Array(4096) }] });
    writeFileSync(path, readFileSync(join(dir, 'whole.pt')).subarray(0, 9000));
    const src = await nodeFileSource(path);
    try {
      await expect(loadCheckpoint(src)).rejects.toThrow(/cut\.pt: .*truncated/);
    } finally {
      await src.close();
    }
  });
});
