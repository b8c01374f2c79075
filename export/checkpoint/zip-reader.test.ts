import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ByteSink } from '../../src/core/bytes/byte-sink.ts';
import { memorySource, type ByteSource } from '../../src/core/bytes/byte-source.ts';
import { crc32 } from '../../src/core/bytes/crc32.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { PickleWriter } from './pickle-writer.ts';
import { writeTorchCheckpoint } from './torch-writer.ts';
import { ZipArchive } from './zip-reader.ts';
import { handZip } from '../../src/test-support/hand-zip.ts';

function tinyModelPickle(): Uint8Array {
  const w = new PickleWriter(2);
  w.value(new Map([['model', new Map([['answer', 42]])]]));
  return w.finish();
}

describe('zip reader', () => {
  it('finds the end record behind a comment and reads stored entries', async () => {
    const zip = await ZipArchive.open(
      memorySource(handZip([{ name: 'a.txt', data: new TextEncoder().encode('hello') }], 'a comment'), 'c.zip'),
    );
    expect(zip.entries.map((e) => e.name)).toEqual(['a.txt']);
    expect(new TextDecoder().decode(await zip.readEntry(zip.get('a.txt')!, 100))).toBe('hello');
    expect(new TextDecoder().decode(await zip.readRange(zip.get('a.txt')!, 1, 3))).toBe('ell');
    await expect(zip.readRange(zip.get('a.txt')!, 3, 3)).rejects.toThrow(/outside zip entry 'a\.txt'/);
  });

  it('inflates a deflated data.pkl where DecompressionStream exists; refuses ranges of compressed entries', async () => {
    const pkl = tinyModelPickle();
    const bytes = handZip([
      { name: 'z/data.pkl', data: deflateRawSync(pkl), method: 8, size: pkl.length, crc: crc32(pkl) },
    ]);
    const zip = await ZipArchive.open(memorySource(bytes, 'd.pt'));
    expect(await zip.readEntry(zip.get('z/data.pkl')!, 1000)).toEqual(pkl);
    await expect(zip.readRange(zip.get('z/data.pkl')!, 0, 1)).rejects.toThrow(
      /d\.pt: zip entry 'z\/data\.pkl' is compressed \(method 8\)/,
    );
    const liar = handZip([{ name: 'z/data.pkl', data: deflateRawSync(pkl), method: 8, size: 10, crc: crc32(pkl) }]);
    const z2 = await ZipArchive.open(memorySource(liar, 'bomb.pt'));
    await expect(z2.readEntry(z2.get('z/data.pkl')!, 1000)).rejects.toThrow(/inflates to more than the 10 bytes/);
  });

  it('reports damage: CRC mismatch, unknown method, encryption, duplicate names, bad local header', async () => {
    const pkl = tinyModelPickle();
    const badCrc = handZip([{ name: 'm/data.pkl', data: pkl, crc: 0x12345678 }]);
    await expect(loadCheckpoint(memorySource(badCrc, 'crc.pt'))).rejects.toThrow(
      /crc\.pt: zip entry 'm\/data\.pkl' fails its CRC-32 check \(stored 0x12345678/,
    );
    const zip = await ZipArchive.open(memorySource(handZip([{ name: 'x', data: pkl, method: 12 }]), 'bz.zip'));
    await expect(zip.readEntry(zip.get('x')!, 1000)).rejects.toThrow(
      /bz\.zip: zip entry 'x' uses compression method 12/,
    );
    await expect(
      ZipArchive.open(memorySource(handZip([{ name: 'x', data: pkl, flags: 1 }]), 'enc.zip')),
    ).rejects.toThrow(/enc\.zip: zip entry 'x' is encrypted/);
    await expect(
      ZipArchive.open(
        memorySource(
          handZip([
            { name: 'x', data: pkl },
            { name: 'x', data: pkl },
          ]),
          'dup.zip',
        ),
      ),
    ).rejects.toThrow(/two entries named 'x'/);
    const broken = handZip([{ name: 'x', data: pkl }]);
    broken[0] = 0; // local header signature
    const z3 = await ZipArchive.open(memorySource(broken, 'lh.zip'));
    await expect(z3.readEntry(z3.get('x')!, 1000)).rejects.toThrow(
      /lh\.zip: zip entry 'x' has no local header at byte 0/,
    );
  });

  it('says "not a zip file" for bytes without an end record', async () => {
    await expect(ZipArchive.open(memorySource(new Uint8Array(100), 'zeros.bin'))).rejects.toThrow(
      'zeros.bin: not a zip file (no end-of-central-directory record)',
    );
    await expect(ZipArchive.open(memorySource(new Uint8Array(0), 'empty.bin'))).rejects.toThrow(
      'empty.bin: not a zip file',
    );
  });
});

/** Faster than Array.some on the 4 GB this test writes: compares 32-bit words where aligned. */
function isZero(bytes: Uint8Array): boolean {
  const head = (4 - (bytes.byteOffset % 4)) % 4;
  for (let i = 0; i < Math.min(head, bytes.length); i++) if (bytes[i] !== 0) return false;
  if (bytes.length <= head) return true;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + head, (bytes.length - head) >> 2);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  for (let i = head + words.length * 4; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * A sink/source pair that stores all-zero 1 MiB blocks as holes, so a > 4 GiB checkpoint can be
 * written and read back with a few MiB of memory.
 */
function sparseFile(): { sink: ByteSink; source: () => ByteSource } {
  const BLOCK = 1 << 20;
  const blocks = new Map<number, Uint8Array>(); // block index → bytes (only non-zero blocks)
  let size = 0;
  const writeAt = (offset: number, chunk: Uint8Array) => {
    for (let i = 0; i < chunk.length;) {
      const index = Math.floor((offset + i) / BLOCK);
      const within = (offset + i) % BLOCK;
      const n = Math.min(BLOCK - within, chunk.length - i);
      const part = chunk.subarray(i, i + n);
      let block = blocks.get(index);
      if (!block && !isZero(part)) blocks.set(index, (block = new Uint8Array(BLOCK)));
      block?.set(part, within);
      i += n;
    }
  };
  return {
    sink: {
      async write(chunk) {
        writeAt(size, chunk);
        size += chunk.length;
      },
      async close() {},
    },
    source: () => ({
      name: 'sparse.pt',
      size,
      async read(offset, length) {
        if (offset + length > size) throw new Error(`sparse.pt: read past the end`);
        const out = new Uint8Array(length);
        for (let i = 0; i < length;) {
          const index = Math.floor((offset + i) / BLOCK);
          const within = (offset + i) % BLOCK;
          const n = Math.min(BLOCK - within, length - i);
          const block = blocks.get(index);
          if (block) out.set(block.subarray(within, within + n), i);
          i += n;
        }
        return out;
      },
    }),
  };
}

describe('zip64 beyond 4 GiB', () => {
  it('a 4.3 GB checkpoint written tensor by tensor reads back past the 4 GiB mark', async () => {
    const N = 64 << 20; // 256 MiB of float32 per tensor
    const count = 17; // 4.25 GiB in all
    const big = (i: number) => () => {
      const v = new Float32Array(N);
      v[0] = i + 1;
      v[N - 1] = -(i + 1);
      return v;
    };
    const { sink, source } = sparseFile();
    const summary = await writeTorchCheckpoint(sink, {
      model: [
        ...Array.from({ length: count }, (_, i) => ({ key: `big.${i}`, shape: [N], values: big(i) })),
        { key: 'tail', shape: [3], values: () => Float32Array.of(1, 2, 3) },
      ],
      trainerExtras: false,
    });
    expect(summary.bytes).toBeGreaterThan(2 ** 32);
    const src = source();
    const zip = await ZipArchive.open(src);
    // Records go in string order (0, 1, 10, …, 9): storage 9 (big.9) and the version record lie past 4 GiB.
    expect(zip.get('checkpoint/data/9')!.localHeaderOffset).toBeGreaterThan(2 ** 32);
    expect(zip.get('checkpoint/version')!.localHeaderOffset).toBeGreaterThan(2 ** 32);
    const ckpt = await loadCheckpoint(src);
    expect([...(await ckpt.stateDict.get('tail')!.readFloat32())]).toEqual([1, 2, 3]);
    const beyond = await ckpt.stateDict.get('big.9')!.readFloat32();
    expect([beyond[0], beyond[N - 1], beyond[N >> 1]]).toEqual([10, -10, 0]);
  });
});
