/**
 * Wraps a ByteSink: counts and SHA-256-hashes every byte on its way out, and coalesces the
 * writer's many tiny protobuf headers into larger chunks so a file sink is not called per field.
 */
import type { ByteSink } from '../../src/core/bytes/byte-sink.ts';
import { createSha256, type IncrementalSha256, type Sha256Factory } from '../../src/core/bytes/sha256.ts';

export interface WrittenFile {
  /** The file name the caller gave (the model) or derived from it (`<model>.data`). */
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

const BUFFER_BYTES = 1 << 16;

export class HashingWriter {
  private readonly buffer = new Uint8Array(BUFFER_BYTES);
  private fill = 0;
  private written = 0;

  private constructor(
    private readonly sink: ByteSink,
    readonly name: string,
    private readonly sha: IncrementalSha256,
  ) {}

  static async open(sink: ByteSink, name: string, sha256: Sha256Factory = createSha256): Promise<HashingWriter> {
    return new HashingWriter(sink, name, await sha256());
  }

  get bytes(): number {
    return this.written;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.sha.update(chunk);
    this.written += chunk.length;
    if (chunk.length >= BUFFER_BYTES / 2) {
      await this.flush();
      await this.sink.write(chunk);
      return;
    }
    if (this.fill + chunk.length > BUFFER_BYTES) await this.flush();
    this.buffer.set(chunk, this.fill);
    this.fill += chunk.length;
  }

  /** Flushes, closes the sink and reports what was written. */
  async finish(): Promise<WrittenFile> {
    await this.flush();
    await this.sink.close();
    return { name: this.name, bytes: this.written, sha256: this.sha.digestHex() };
  }

  /** Closes the sink after a failure, without flushing; close errors are dropped so the original error surfaces. */
  async abort(): Promise<void> {
    this.fill = 0;
    await this.sink.close().catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.fill === 0) return;
    // A copy: a sink may keep the chunk (e.g. queue it) after its promise resolves.
    await this.sink.write(this.buffer.slice(0, this.fill));
    this.fill = 0;
  }
}
