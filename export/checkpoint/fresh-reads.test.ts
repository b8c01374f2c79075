import { describe, expect, it } from 'vitest';
import { memorySink } from '../../src/core/bytes/byte-sink.ts';
import { memorySource, type ByteSource } from '../../src/core/bytes/byte-source.ts';
import { decodeToFloat32 } from './dtype.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { writeTorchCheckpoint } from './torch-writer.ts';

/** memorySource's bytes, handed out as new buffers the way Node's file source does. */
function freshSource(bytes: Uint8Array, name: string): ByteSource {
  const inner = memorySource(bytes, name);
  return { name, size: inner.size, freshReads: true, read: async (o, n) => (await inner.read(o, n)).slice() };
}

async function checkpointBytes(): Promise<Uint8Array> {
  const sink = memorySink();
  await writeTorchCheckpoint(sink, {
    model: [
      { key: 'w', shape: [30, 20], values: () => Float32Array.from({ length: 600 }, (_, i) => i / 8) },
      { key: 'h', shape: [5], dtype: 'float16', values: () => Float32Array.of(1, 2, 3, 4, 5) },
    ],
    trainerExtras: false,
  });
  return sink.bytes();
}

describe('fresh reads: float32 weights become views of the read buffer, never of shared bytes', () => {
  it('decodeToFloat32 views owned aligned float32 bytes and copies everything else', () => {
    const bytes = new Uint8Array(new Float32Array([1.5, -2, 3]).buffer);
    const viewed = decodeToFloat32(bytes, 'float32', 3, true);
    expect(viewed.buffer).toBe(bytes.buffer);
    expect([...viewed]).toEqual([1.5, -2, 3]);
    expect(decodeToFloat32(bytes, 'float32', 3).buffer).not.toBe(bytes.buffer);
    // Misaligned owned bytes are copied (a typed-array view needs 4-byte alignment).
    const odd = new Uint8Array(13);
    odd.set(bytes, 1);
    expect([...decodeToFloat32(odd.subarray(1), 'float32', 3, true)]).toEqual([1.5, -2, 3]);
  });

  it('a memorySource checkpoint hands out copies: changing a result changes neither the file nor a later read', async () => {
    const file = await checkpointBytes();
    const before = file.slice();
    const sd = (await loadCheckpoint(memorySource(file, 'm.pt'))).stateDict;
    const first = await sd.get('w')!.readFloat32();
    first.fill(NaN);
    expect(file).toEqual(before);
    expect((await sd.get('w')!.readFloat32())[599]).toBe(599 / 8);
  });

  it('a fresh source gives the same values, each read a buffer of its own', async () => {
    const file = await checkpointBytes();
    const sd = (await loadCheckpoint(freshSource(file, 'f.pt'))).stateDict;
    const a = await sd.get('w')!.readFloat32();
    const b = await sd.get('w')!.readFloat32();
    expect(a.buffer).not.toBe(b.buffer);
    expect([...a]).toEqual(Array.from({ length: 600 }, (_, i) => i / 8));
    a.fill(0);
    expect(b[599]).toBe(599 / 8);
    expect([...(await sd.get('h')!.readFloat32())]).toEqual([1, 2, 3, 4, 5]);
  });
});
