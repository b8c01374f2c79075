import { readChunksUpTo } from '../core/bytes/read-chunks.ts';

/**
 * A stored file's bytes (OPFS or a picked file; 1.6 GB for SigLIP's semantic weights) in one
 * buffer that JavaScript allocated itself. Chromium keeps the buffer `blob.arrayBuffer()` returns
 * alive until a garbage collection even after `ArrayBuffer.prototype.transfer(0)`, so a graph's
 * file stayed in memory long after onnxruntime had copied it and the next graph's file stacked on
 * it (bench:released --convert, SigLIP: 3.07× the package until the tokens). A buffer allocated
 * here is released by transfer(0) at once. The file streams through one small scratch buffer
 * (a BYOB reader hands the same memory back each time), so no chunks pile up beside it either.
 */

/** Bytes per read: small beside any graph file, large enough that the per-read cost vanishes. */
const SCRATCH_BYTES = 4 << 20;

/** `where` names the file in errors (a file that changed while it was read). */
export async function readBlobBytes(blob: Blob, where: string): Promise<Uint8Array> {
  const out = new Uint8Array(blob.size);
  if (blob.size === 0) return out;
  const stream = blob.stream();
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream on this platform: plain chunks, copied the same way.
  }
  const reader = byob ?? stream.getReader();
  let scratch = new ArrayBuffer(byob ? SCRATCH_BYTES : 0);
  const next = async () => {
    if (!byob) return (reader as ReadableStreamDefaultReader<Uint8Array>).read();
    const r = await byob.read(new Uint8Array(scratch));
    if (r.value) scratch = r.value.buffer as ArrayBuffer;
    return r;
  };
  let at: number;
  try {
    at = await readChunksUpTo(
      { read: next, cancel: (reason) => reader.cancel(reason) },
      out.byteLength,
      () => new Error(`${where}: more than its ${out.byteLength} bytes arrived; the file changed while it was read`),
      // Copied before the next read: a BYOB reader hands the same scratch memory back.
      (chunk, offset) => out.set(chunk, offset),
    );
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  } finally {
    reader.releaseLock();
  }
  if (at !== out.byteLength)
    throw new Error(`${where}: read ${at} of its ${out.byteLength} bytes; the file changed while it was read`);
  return out;
}
