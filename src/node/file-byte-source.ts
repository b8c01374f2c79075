/** A ByteSource over a file on disk: positioned reads only, so a 2 GB checkpoint is never loaded whole. */
import { open } from 'node:fs/promises';
import { checkRange, type ByteSource } from '../core/bytes/byte-source.ts';

export async function nodeFileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const fh = await open(path, 'r');
  let size: number;
  try {
    size = (await fh.stat()).size;
  } catch (e) {
    await fh.close();
    throw e;
  }
  let closed = false;
  return {
    name: path,
    size,
    freshReads: true,
    async read(offset, length) {
      if (closed) throw new Error(`${path}: read after close`);
      checkRange(path, offset, length, size);
      const out = new Uint8Array(length);
      // fh.read may return fewer bytes than asked (large reads, pipes); loop until done.
      for (let done = 0; done < length;) {
        const { bytesRead } = await fh.read(out, done, length - done, offset + done);
        if (bytesRead === 0)
          throw new Error(
            `${path}: the file ended at byte ${offset + done} while reading ${length} bytes at ${offset}; it was truncated while open`,
          );
        done += bytesRead;
      }
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}
