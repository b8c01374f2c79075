/**
 * Reads a byte stream to its end with a hard cap: each chunk goes to `take` with the offset it
 * starts at, and a chunk that would carry the total past `limit` cancels the stream and throws
 * `tooLong()` before anything is stored. A size that lies (a deflate bomb, a replaced download)
 * therefore never grows a buffer past what was promised. Returns the number of bytes read.
 */
export async function readChunksUpTo(
  reader: Pick<ReadableStreamDefaultReader<Uint8Array>, 'read' | 'cancel'>,
  limit: number,
  tooLong: () => Error,
  take: (chunk: Uint8Array, at: number) => void | Promise<void>,
): Promise<number> {
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return at;
    if (at + value.byteLength > limit) {
      await reader.cancel();
      throw tooLong();
    }
    await take(value, at);
    at += value.byteLength;
  }
}
