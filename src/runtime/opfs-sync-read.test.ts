import { describe, expect, it } from 'vitest';
import { readAllSync, type SyncReadable } from './opfs-sync-read.ts';

/** A handle over `bytes` that returns at most `perRead` bytes per call and records what happened. */
function fakeHandle(bytes: Uint8Array, perRead = Infinity) {
  const calls = { reads: 0, closed: 0, buffers: new Set<ArrayBufferLike>() };
  const access: SyncReadable = {
    getSize: () => bytes.byteLength,
    read(buffer, { at }) {
      calls.reads++;
      calls.buffers.add(buffer.buffer);
      const n = Math.max(0, Math.min(buffer.byteLength, perRead, bytes.byteLength - at));
      buffer.set(bytes.subarray(at, at + n));
      return n;
    },
    close: () => void calls.closed++,
  };
  return { access, calls };
}

describe('readAllSync', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 251);

  it('returns every byte, through short reads, and closes the handle', () => {
    const { access, calls } = fakeHandle(bytes, 300);
    const out = readAllSync(access, bytes.byteLength, 'f');
    expect(out).toEqual(bytes);
    expect(calls.reads).toBe(4);
    expect(calls.closed).toBe(1);
  });

  it('never hands its result buffer to the handle (a buffer a browser API saw stays resident after transfer(0))', () => {
    const { access, calls } = fakeHandle(bytes, 300);
    const out = readAllSync(access, bytes.byteLength, 'f');
    expect(calls.buffers.has(out.buffer)).toBe(false);
    expect(calls.buffers.size).toBe(1);
  });

  it('refuses a file whose size is not the expected one, naming it, and still closes the handle', () => {
    const { access, calls } = fakeHandle(bytes);
    expect(() => readAllSync(access, 999, 'OPFS downloads-v1/abc/data')).toThrow(
      'OPFS downloads-v1/abc/data: it has 1000 bytes, expected 999',
    );
    expect(calls.closed).toBe(1);
  });

  it('fails, naming the byte, when the file ends early', () => {
    const { access } = fakeHandle(bytes);
    const short: SyncReadable = { ...access, getSize: () => 2000 };
    expect(() => readAllSync(short, 2000, 'f')).toThrow('f: reading stopped at byte 1000 of 2000');
  });

  it('reads an empty file', () => {
    const { access } = fakeHandle(new Uint8Array(0));
    expect(readAllSync(access, 0, 'f')).toEqual(new Uint8Array(0));
  });
});
