/** A ByteSink streaming to a file, so a multi-GB checkpoint is written without holding it in memory. */
import { open } from 'node:fs/promises';
import type { ByteSink } from '../core/bytes/byte-sink.ts';

export async function nodeFileSink(path: string): Promise<ByteSink & { readonly bytesWritten: number }> {
  const fh = await open(path, 'w');
  let written = 0;
  let closed = false;
  return {
    async write(chunk) {
      if (closed) throw new Error(`${path}: write after close`);
      for (let done = 0; done < chunk.byteLength;) {
        const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done);
        done += bytesWritten;
      }
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
