/**
 * A ByteSink that returns from write() before the bytes reach the disk, so the exporter hashes
 * and converts the next weight while the kernel copies the last one out (writes run on libuv's
 * thread pool). Each chunk is copied into one of a few pooled blocks, so the caller may reuse it
 * at once (the ByteSink contract) and memory stays bounded: write() waits while every block is
 * queued. Blocks go out whole and in order; the first failure is kept and thrown by every later
 * write() and by close().
 */
import { open } from 'node:fs/promises';
import type { ByteSink } from '../core/bytes/byte-sink.ts';
import { writeFully } from './file-byte-sink.ts';

/** Where the blocks go: `write` must write all of `bytes` (in call order, one at a time). */
export interface BlockWriter {
  /** Names the destination in error messages. */
  readonly name: string;
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface QueuedSinkOptions {
  /** Size of each pooled block, the unit written (default 4 MiB). */
  readonly blockBytes?: number;
  /** Most bytes held in blocks, queued or being filled (default 32 MiB, at least two blocks). */
  readonly maxQueuedBytes?: number;
}

export interface QueuedByteSink extends ByteSink {
  /** Bytes accepted so far (some may still be queued). */
  readonly bytesWritten: number;
  /** Blocks allocated so far: never more than maxQueuedBytes allows. */
  readonly blocksAllocated: number;
}

const DEFAULT_BLOCK_BYTES = 4 << 20;
const DEFAULT_MAX_QUEUED_BYTES = 32 << 20;

export function queuedByteSink(out: BlockWriter, options: QueuedSinkOptions = {}): QueuedByteSink {
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  if (!Number.isSafeInteger(blockBytes) || blockBytes < 1)
    throw new Error(`queued sink for ${out.name}: blockBytes must be a positive integer, got ${blockBytes}`);
  const maxBlocks = Math.max(2, Math.floor((options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES) / blockBytes));
  const idle: Uint8Array[] = [];
  let allocated = 0;
  let block: Uint8Array | undefined;
  let fill = 0;
  let queue: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let written = 0;
  let closing: Promise<void> | undefined;
  let writing: Promise<void> | undefined;

  const submit = () => {
    const full = block!;
    const length = fill;
    block = undefined;
    fill = 0;
    queue = queue.then(async () => {
      if (failure === undefined) {
        try {
          await out.write(full.subarray(0, length));
        } catch (e) {
          failure = new Error(`${out.name}: writing failed (${(e as Error).message})`, { cause: e });
        }
      }
      idle.push(full);
      wake?.();
    });
  };

  const takeBlock = async (): Promise<Uint8Array> => {
    for (;;) {
      if (failure) throw failure;
      const free = idle.pop();
      if (free) return free;
      if (allocated < maxBlocks) {
        allocated++;
        return new Uint8Array(blockBytes);
      }
      // Back-pressure: every block is queued; wait for the disk to hand one back.
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  };

  const fillBlocks = async (chunk: Uint8Array): Promise<void> => {
    for (let at = 0; at < chunk.byteLength;) {
      block ??= await takeBlock();
      const n = Math.min(chunk.byteLength - at, block.byteLength - fill);
      block.set(chunk.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === block.byteLength) submit();
    }
    written += chunk.byteLength;
  };

  return {
    write(chunk) {
      if (closing) return Promise.reject(new Error(`${out.name}: write after close`));
      if (writing) return Promise.reject(new Error(`${out.name}: write() called before the previous write() finished`));
      if (failure) return Promise.reject(failure);
      const current = fillBlocks(chunk).finally(() => {
        writing = undefined;
      });
      writing = current;
      return current;
    },
    close() {
      closing ??= (async () => {
        // A close that overtakes a write (a caller that did not wait) still gets its bytes out.
        await writing?.catch(() => undefined);
        if (fill > 0 && failure === undefined) submit();
        await queue;
        try {
          await out.close();
        } catch (e) {
          failure ??= new Error(`${out.name}: closing failed (${(e as Error).message})`, { cause: e });
        }
        if (failure) throw failure;
      })();
      return closing;
    },
    get bytesWritten() {
      return written;
    },
    get blocksAllocated() {
      return allocated;
    },
  };
}

/** A queued sink writing a new file at `path` (truncating one that is there). */
export async function queuedFileSink(path: string, options: QueuedSinkOptions = {}): Promise<QueuedByteSink> {
  const fh = await open(path, 'w');
  return queuedByteSink({ name: path, write: (bytes) => writeFully(fh, bytes), close: () => fh.close() }, options);
}
