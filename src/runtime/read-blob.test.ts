import { describe, expect, it } from 'vitest';
import { readBlobBytes } from './read-blob.ts';

/** Bytes 0, 1, …, 250, 0, 1, … (251 is prime, so a misplaced chunk shows). */
function pattern(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i % 251;
  return out;
}

/** A Blob whose stream yields `chunks` whatever its declared size, and whose stream is not a byte stream. */
function lyingBlob(size: number, chunks: Uint8Array[]): Blob {
  const blob = new Blob([new Uint8Array(size)]);
  return Object.assign(blob, {
    stream: () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (const chunk of chunks) c.enqueue(chunk);
          c.close();
        },
      }),
  });
}

describe('readBlobBytes', () => {
  it('reads a file of several scratch buffers exactly, into a buffer of its own', async () => {
    const bytes = pattern(9 * 1024 * 1024 + 7);
    const out = await readBlobBytes(new Blob([bytes.subarray(0, 5), bytes.subarray(5)]), 'x.onnx.data');
    expect(out.byteLength).toBe(bytes.byteLength);
    expect(Buffer.compare(Buffer.from(out), Buffer.from(bytes))).toBe(0);
    // The whole buffer and nothing else: what lets the runner free it with transfer(0).
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(bytes.byteLength);
  });

  it('reads an empty file', async () => {
    expect((await readBlobBytes(new Blob([]), 'empty.bin')).byteLength).toBe(0);
  });

  it('reads a stream that is not a byte stream, chunk by chunk', async () => {
    const bytes = pattern(1000);
    const out = await readBlobBytes(lyingBlob(1000, [bytes.subarray(0, 300), bytes.subarray(300)]), 'plain.bin');
    expect([...out]).toEqual([...bytes]);
  });

  it('fails naming the file when it yields fewer or more bytes than its size', async () => {
    await expect(readBlobBytes(lyingBlob(1000, [pattern(600)]), 'OPFS converted/m/a.onnx')).rejects.toThrow(
      'OPFS converted/m/a.onnx: read 600 of its 1000 bytes; the file changed while it was read',
    );
    await expect(readBlobBytes(lyingBlob(1000, [pattern(600), pattern(600)]), 'b.onnx')).rejects.toThrow(
      'b.onnx: more than its 1000 bytes arrived; the file changed while it was read',
    );
  });
});
