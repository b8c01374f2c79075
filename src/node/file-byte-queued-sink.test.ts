import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { u8Diff } from '../test-support/compare.ts';
import { concatBytes } from '../test-support/concat-bytes.ts';
import { queuedByteSink, queuedFileSink, type BlockWriter } from './file-byte-queued-sink.ts';

/** A BlockWriter that keeps what it gets; each write waits for `release()` when `gated`. */
function recordingWriter(gated = false, failOnBlock?: number) {
  const blocks: Uint8Array[] = [];
  const waiting: (() => void)[] = [];
  let closed = false;
  const writer: BlockWriter = {
    name: 'out.bin',
    async write(bytes) {
      if (gated) await new Promise<void>((resolve) => waiting.push(resolve));
      if (blocks.length === failOnBlock) throw new Error('ENOSPC: no space left on device, write');
      blocks.push(bytes.slice());
      // Scribble over the block: the sink must not reuse a block before this promise resolves.
      bytes.fill(0xee);
    },
    async close() {
      closed = true;
    },
  };
  return {
    writer,
    blocks,
    get closed() {
      return closed;
    },
    /** Lets the oldest waiting write go on; false when none is waiting. */
    release(): boolean {
      const next = waiting.shift();
      next?.();
      return next !== undefined;
    },
    get waiting() {
      return waiting.length;
    },
  };
}

/** Lets pending promise callbacks (the sink's queue) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('queuedByteSink', () => {
  it('delivers every byte in order, in whole blocks, whatever the chunk sizes, even when the caller reuses its chunk at once', async () => {
    const out = recordingWriter();
    const sink = queuedByteSink(out.writer, { blockBytes: 8, maxQueuedBytes: 32 });
    const sizes = [0, 1, 3, 7, 8, 9, 16, 17, 40, 2, 5];
    const sent: Uint8Array[] = [];
    let n = 0;
    const reused = new Uint8Array(64);
    for (const size of sizes) {
      const chunk = reused.subarray(0, size);
      for (let i = 0; i < size; i++) chunk[i] = n++ & 0xff;
      sent.push(chunk.slice());
      await sink.write(chunk);
      reused.fill(0x55); // the caller may reuse its buffer as soon as write() resolves
    }
    await sink.close();
    expect(concatBytes(...out.blocks)).toEqual(concatBytes(...sent));
    expect(out.blocks.slice(0, -1).every((b) => b.byteLength === 8)).toBe(true);
    expect(out.closed).toBe(true);
    expect(sink.bytesWritten).toBe(n);
    expect(sink.blocksAllocated).toBeLessThanOrEqual(4);
  });

  it('back-pressure: write() waits while every block is queued, and memory stays at the bound', async () => {
    const out = recordingWriter(true);
    const sink = queuedByteSink(out.writer, { blockBytes: 4, maxQueuedBytes: 8 });
    await sink.write(new Uint8Array(4).fill(1)); // block 1 queued
    await sink.write(new Uint8Array(4).fill(2)); // block 2 queued: both blocks are out
    let third = false;
    const pending = sink.write(new Uint8Array(3).fill(3)).then(() => (third = true));
    await settle();
    expect(third).toBe(false);
    expect(sink.blocksAllocated).toBe(2);
    expect(out.release()).toBe(true); // the disk finishes block 1, which comes back to the pool
    await pending;
    expect(third).toBe(true);
    expect(sink.blocksAllocated).toBe(2);
    const closing = sink.close();
    while (out.waiting > 0 || !out.closed) {
      out.release();
      await settle();
    }
    await closing;
    expect(concatBytes(...out.blocks)).toEqual(Uint8Array.of(1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3));
  });

  it('a failed block write is thrown, naming the file, by the next write() and by close(), and nothing later is written', async () => {
    const out = recordingWriter(false, 1);
    const sink = queuedByteSink(out.writer, { blockBytes: 4, maxQueuedBytes: 16 });
    await sink.write(new Uint8Array(8)); // blocks 0 and 1 queued; block 1 fails
    await settle();
    await expect(sink.write(new Uint8Array(4))).rejects.toThrow(
      'out.bin: writing failed (ENOSPC: no space left on device, write)',
    );
    await expect(sink.close()).rejects.toThrow(/out\.bin: writing failed \(ENOSPC/);
    expect(out.blocks.length).toBe(1);
    expect(out.closed).toBe(true);
    await expect(sink.write(new Uint8Array(1))).rejects.toThrow('out.bin: write after close');
  });

  it('refuses a write that starts before the previous one finished', async () => {
    const out = recordingWriter(true);
    const sink = queuedByteSink(out.writer, { blockBytes: 2, maxQueuedBytes: 4 });
    const first = sink.write(new Uint8Array(7)); // needs a third block: waits for the disk
    await expect(sink.write(new Uint8Array(1))).rejects.toThrow(/before the previous write\(\) finished/);
    let done = false;
    const finished = Promise.all([first, sink.close()]).then(() => (done = true));
    while (!done) {
      out.release();
      await settle();
    }
    await finished;
    expect(concatBytes(...out.blocks)).toEqual(new Uint8Array(7));
  });
});

describe('queuedFileSink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenflow-queued-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a file larger than its queue, byte for byte', async () => {
    const path = join(dir, 'big.bin');
    const sink = await queuedFileSink(path, { blockBytes: 1 << 16, maxQueuedBytes: 1 << 18 });
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) {
      const part = new Uint8Array(10_000 + i * 3_001);
      for (let j = 0; j < part.length; j++) part[j] = (i * 31 + j) & 0xff;
      parts.push(part);
      await sink.write(part);
    }
    await sink.close();
    await sink.close(); // a second close is harmless
    expect(u8Diff(readFileSync(path), concatBytes(...parts)).differing).toBe(0);
    expect(sink.blocksAllocated).toBeLessThanOrEqual(4);
  });
});
