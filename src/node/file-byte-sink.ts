/** A ByteSink streaming to a file, so a multi-GB checkpoint is written without holding it in memory. */
import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSink } from '../core/bytes/byte-sink.ts';

export async function nodeFileSink(path: string): Promise<ByteSink & { readonly bytesWritten: number }> {
  const fh = await open(path, 'w');
  let written = 0;
  let closed = false;
  return {
    async write(chunk) {
      if (closed) throw new Error(`${path}: write after close`);
      await writeFully(fh, chunk);
      written += chunk.byteLength;
    },
    async close() {
      if (closed) return;
      closed = true;
      await fh.close();
    },
    get bytesWritten() {
      return written;
    },
  };
}

/** Writes all of `bytes` at the file's position: one write may take fewer bytes than given. */
export async function writeFully(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}
