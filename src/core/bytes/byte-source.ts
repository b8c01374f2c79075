/**
 * Random access to a file that may be far larger than one buffer (a released checkpoint is
 * 1.5–1.9 GB). Node implements it over a file descriptor, the browser over a Blob.
 */
import { CheckpointError } from './checkpoint-error.ts';

export interface ByteSource {
  /** For error messages: a file name or path. */
  readonly name: string;
  readonly size: number;
  /**
   * True when every read returns a new buffer that nothing else holds, so a reader may keep it
   * as its result instead of copying it (Node's file source). Otherwise reads may be views of
   * shared bytes (memorySource), which readers copy before handing them on.
   */
  readonly freshReads?: boolean;
  /** Reads exactly `length` bytes at `offset`, or throws naming the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A ByteSource over bytes already in memory (tests, small files). */
export function memorySource(bytes: Uint8Array, name = 'memory'): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    async read(offset, length) {
      checkRange(name, offset, length, bytes.byteLength);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A ByteSource over a browser File/Blob; reads only the slices asked for. */
export function blobSource(blob: Blob, name: string): ByteSource {
  return {
    name,
    size: blob.size,
    async read(offset, length) {
      checkRange(name, offset, length, blob.size);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/** Throws, naming the source, when a read would leave the file: a truncated or mislabelled file. */
export function checkRange(name: string, offset: number, length: number, size: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new CheckpointError(
      `${name}: read of ${length} bytes at ${offset} is past the end (${size} bytes); the file is truncated`,
    );
  }
}
