/**
 * Regression tests for checkpoints damaged after saving (issue 11): tensor bytes changed on
 * disk must fail their record's CRC-32 as they are read, naming the record and the tensor, and
 * a data.pkl that inflates to far more than a pickle ever holds must be refused before it is
 * allocated.
 */
import { describe, expect, it } from 'vitest';
import { memorySink } from '../../src/core/bytes/byte-sink.ts';
import { memorySource, type ByteSource } from '../../src/core/bytes/byte-source.ts';
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import { crc32 } from '../../src/core/bytes/crc32.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { MAX_PICKLE_BYTES } from './torch-checkpoint.ts';
import { writeTorchCheckpoint, type StateDictEntrySpec } from './torch-writer.ts';
import { RecordChecksumError } from './zip-reader.ts';
import { zeroDeflateBomb } from '../../src/test-support/deflate-bomb.ts';
import { handZip } from '../../src/test-support/hand-zip.ts';
import { locateTensorElement, withFloatWritten } from '../../src/test-support/locate-tensor.ts';

const ramp =
  (n: number, scale = 1) =>
  () =>
    Float32Array.from({ length: n }, (_, i) => (i + 1) * scale);

async function checkpointBytes(model: StateDictEntrySpec[]): Promise<Uint8Array> {
  const sink = memorySink();
  await writeTorchCheckpoint(sink, { model, trainerExtras: false });
  return sink.bytes();
}

/** A source that counts the bytes read inside [from, to) of the file. */
function counting(
  bytes: Uint8Array,
  name: string,
  from: number,
  to: number,
): { source: ByteSource; read: () => number } {
  const inner = memorySource(bytes, name);
  let read = 0;
  return {
    source: {
      name,
      size: inner.size,
      read(offset, length) {
        read += Math.max(0, Math.min(offset + length, to) - Math.max(offset, from));
        return inner.read(offset, length);
      },
    },
    read: () => read,
  };
}

describe('tensor bytes changed after saving', () => {
  it.each([
    ['a NaN', NaN],
    ['1e30', 1e30],
  ])(
    '%s written over one decoder weight fails the CRC-32 of its record, naming the record and the tensor',
    async (_, value) => {
      const good = await checkpointBytes([
        { key: 'decoder.conv_in.weight', shape: [4, 3], values: ramp(12) },
        { key: 'decoder.conv_out.weight', shape: [3, 4], values: ramp(12, 0.5) },
      ]);
      const { bytes: bad, record } = await withFloatWritten(good, 'decoder.conv_out.weight', 5, value);
      const ckpt = await loadCheckpoint(memorySource(bad, 'model.pt'));
      // The untouched tensor still reads: the damage is reported where it is, not globally.
      expect((await ckpt.stateDict.get('decoder.conv_in.weight')!.readFloat32())[11]).toBe(12);
      const failure = await ckpt.stateDict
        .get('decoder.conv_out.weight')!
        .readFloat32()
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(RecordChecksumError);
      expect((failure as RecordChecksumError).record).toBe(record);
      expect((failure as Error).message).toMatch(
        new RegExp(
          `^model\\.pt: zip entry '${record}' \\(tensor 'decoder\\.conv_out\\.weight'\\) fails its CRC-32 check ` +
            '\\(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\\)',
        ),
      );
    },
  );

  it('a view checks every byte of its storage, even bytes outside the view', async () => {
    const good = await checkpointBytes([
      { key: 'qkv', shape: [6, 4], values: ramp(24) },
      { key: 'q', view: { of: 'qkv', offset: 0, shape: [2, 4], stride: [4, 1] } },
    ]);
    // Element 20 belongs to the storage but not to the view 'q' (elements 0..7).
    const { bytes: bad } = await withFloatWritten(good, 'qkv', 20, NaN);
    const ckpt = await loadCheckpoint(memorySource(bad, 'v.pt'));
    await expect(ckpt.stateDict.get('q')!.readFloat32()).rejects.toThrow(
      /v\.pt: zip entry 'checkpoint\/data\/\d+' \(tensor 'q'\) fails its CRC-32 check/,
    );
  });

  it('every record byte is read once in all: views of a verified storage read only their own bytes', async () => {
    const good = await checkpointBytes([
      { key: 'qkv', shape: [6, 4], values: ramp(24) },
      { key: 'q', view: { of: 'qkv', offset: 0, shape: [2, 4], stride: [4, 1] } },
      { key: 'k', view: { of: 'qkv', offset: 8, shape: [2, 4], stride: [4, 1] } },
    ]);
    const { at } = await locateTensorElement(good, 'qkv', 0);
    const recordBytes = 24 * 4;
    const { source, read } = counting(good, 'c.pt', at, at + recordBytes);
    const ckpt = await loadCheckpoint(source);
    // (Opening a file this small reads all of it as the zip's tail; count from here.)
    const opened = read();
    expect([...(await ckpt.stateDict.get('q')!.readFloat32())]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(read() - opened).toBe(recordBytes); // the first view streamed the whole storage through the CRC
    expect([...(await ckpt.stateDict.get('k')!.readFloat32())]).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
    expect(read() - opened).toBe(recordBytes + 8 * 4); // the second read only its own 8 elements
  });

  it('a record larger than one verification chunk is checked across chunks', async () => {
    const n = 5 * 1024 * 1024; // 20 MiB of float32: two chunks of 16 MiB
    const good = await checkpointBytes([
      { key: 'big', shape: [n], values: ramp(n) },
      { key: 'tail', view: { of: 'big', offset: n - 4, shape: [4], stride: [1] } },
    ]);
    const intact = await loadCheckpoint(memorySource(good, 'big.pt'));
    expect([...(await intact.stateDict.get('tail')!.readFloat32())]).toEqual([n - 3, n - 2, n - 1, n]);
    const { bytes: damaged } = await withFloatWritten(good, 'big', 3, NaN);
    const bad = await loadCheckpoint(memorySource(damaged, 'big.pt'));
    await expect(bad.stateDict.get('tail')!.readFloat32()).rejects.toThrow(/\(tensor 'tail'\) fails its CRC-32 check/);
    const bad2 = await loadCheckpoint(memorySource(damaged, 'big.pt'));
    await expect(bad2.stateDict.get('big')!.readFloat32()).rejects.toThrow(/\(tensor 'big'\) fails its CRC-32 check/);
  });
});

/** Peak of the memory held in ArrayBuffers while `run` is in flight, sampled between its awaits. */
async function peakArrayBuffers(run: () => Promise<unknown>): Promise<number> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  };
  const timer = setInterval(sample, 1);
  try {
    await run();
  } finally {
    clearInterval(timer);
    sample();
  }
  return peak - base;
}

describe('deflate bombs', () => {
  const GiB = 2 ** 30;
  // Made once: 6.8 MB of deflate that inflates to 1 GiB of zeros.
  const bomb = zeroDeflateBomb(GiB);

  it('a data.pkl that declares 1 GiB is refused from its directory entry, before anything is allocated', async () => {
    const file = handZip([{ name: 'archive/data.pkl', data: bomb, method: 8, size: GiB, crc: 0 }]);
    let failure: unknown;
    const peak = await peakArrayBuffers(() =>
      loadCheckpoint(memorySource(file, 'bomb.pt')).catch((e: unknown) => (failure = e)),
    );
    expect(failure).toBeInstanceOf(CheckpointError);
    expect((failure as Error).message).toBe(
      `bomb.pt: zip entry 'archive/data.pkl' declares ${GiB} bytes, more than the ${MAX_PICKLE_BYTES} such a record may hold; ` +
        'refusing to read it (a damaged or hostile file)',
    );
    // Far below the cap, let alone the 1 GiB: nothing of the declared size was allocated.
    expect(peak).toBeLessThan(32 * 2 ** 20);
  });

  it('a data.pkl that understates its size stops inflating at the size it declared', async () => {
    const declared = 4096;
    const file = handZip([{ name: 'archive/data.pkl', data: bomb, method: 8, size: declared, crc: 0 }]);
    let failure: unknown;
    const peak = await peakArrayBuffers(() =>
      loadCheckpoint(memorySource(file, 'liar.pt')).catch((e: unknown) => (failure = e)),
    );
    // The compressed size alone gives it away: 6.8 MB of deflate never encodes 4 KiB.
    expect((failure as Error).message).toMatch(
      /^liar\.pt: zip entry 'archive\/data\.pkl' is \d+ bytes compressed, more than deflate ever needs for 4096 bytes/,
    );
    expect(peak).toBeLessThan(32 * 2 ** 20);
    // With a plausible compressed size, inflation itself stops at the declared size.
    const head = zeroDeflateBomb(64 * 1024 * 1024).subarray(0, 4000);
    const file2 = handZip([
      { name: 'archive/data.pkl', data: head, method: 8, size: declared, crc: crc32(new Uint8Array(declared)) },
    ]);
    await expect(loadCheckpoint(memorySource(file2, 'liar2.pt'))).rejects.toThrow(
      /liar2\.pt: zip entry 'archive\/data\.pkl' inflates to more than the 4096 bytes its directory entry says/,
    );
  });
});
