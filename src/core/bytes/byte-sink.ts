/**
 * Sequential output for files that may be far larger than memory (the checkpoint writer streams a
 * 1.5 GB model tensor by tensor). Node implements it over a file handle (src/node/file-byte-sink.ts).
 */
export interface ByteSink {
  /** Appends `chunk`; the caller may reuse or drop the chunk once the promise resolves. */
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** A ByteSink that keeps everything in memory (tests, small files). */
export interface MemorySink extends ByteSink {
  /** Everything written so far, as one buffer. */
  bytes(): Uint8Array;
  readonly closed: boolean;
}

export function memorySink(): MemorySink {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let closed = false;
  return {
    async write(chunk) {
      if (closed) throw new Error('memory sink: write after close');
      // Copy: the writer is allowed to reuse its buffers after the promise resolves.
      chunks.push(chunk.slice());
      total += chunk.byteLength;
    },
    async close() {
      closed = true;
    },
    bytes() {
      const out = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.byteLength;
      }
      return out;
    },
    get closed() {
      return closed;
    },
  };
}
