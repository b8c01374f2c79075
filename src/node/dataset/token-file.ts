/**
 * tokens.bin: every processed image's tokens (all scales) in one compact, append-only file.
 * Layout (little-endian; documented in docs/dataset-tokens.md):
 *
 *   0   8 bytes  magic "TFTOKv1\n"
 *   8   u32      header length H in bytes (records start at H)
 *   12  u32      K (codebook size)
 *   16  u32      bytes per index: 2 (K ≤ 65536) or 4
 *   20  u32      tokens per record T (Σ s²)
 *   24  u32      number of scales n
 *   28  u32 × n  the scales s_1…s_n
 *   ..  u32      length L of the JSON metadata, then L bytes of UTF-8 JSON, then zero padding to H
 *
 *   record i at H + i·T·bytesPerIndex: T indices, scale-major, row-major within a scale
 *
 * A record has no name: results.jsonl maps each image to its record number. Records are fixed
 * size, so a reader seeks straight to any of them, and a resumed run cuts an orphan record
 * (tokens appended, results line not) by truncating to the records the log knows.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

const MAGIC = 'TFTOKv1\n';

export interface TokenFileHeader {
  readonly codebookSize: number;
  readonly scales: readonly number[];
  /** Free-form identification (model name, fingerprint, input size). */
  readonly meta: Record<string, unknown>;
}

export interface TokenFileLayout extends TokenFileHeader {
  readonly headerBytes: number;
  readonly bytesPerIndex: 2 | 4;
  readonly tokensPerRecord: number;
  readonly recordBytes: number;
}

export function tokenFileLayout(header: TokenFileHeader): TokenFileLayout {
  const tokensPerRecord = header.scales.reduce((a, s) => a + s * s, 0);
  const bytesPerIndex = header.codebookSize <= 65536 ? 2 : 4;
  const metaBytes = new TextEncoder().encode(JSON.stringify(header.meta)).length;
  const headerBytes = align(28 + 4 * header.scales.length + 4 + metaBytes, 16);
  return { ...header, headerBytes, bytesPerIndex, tokensPerRecord, recordBytes: tokensPerRecord * bytesPerIndex };
}

export function encodeTokenHeader(layout: TokenFileLayout): Uint8Array {
  const meta = new TextEncoder().encode(JSON.stringify(layout.meta));
  const out = new Uint8Array(layout.headerBytes);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, layout.headerBytes, true);
  view.setUint32(12, layout.codebookSize, true);
  view.setUint32(16, layout.bytesPerIndex, true);
  view.setUint32(20, layout.tokensPerRecord, true);
  view.setUint32(24, layout.scales.length, true);
  layout.scales.forEach((s, i) => view.setUint32(28 + 4 * i, s, true));
  const metaAt = 28 + 4 * layout.scales.length;
  view.setUint32(metaAt, meta.length, true);
  out.set(meta, metaAt + 4);
  return out;
}

/** Parses a header; `where` (the file path) starts every error. */
export function decodeTokenHeader(bytes: Uint8Array, where: string): TokenFileLayout {
  if (bytes.length < 32 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new Error(`${where}: not a token file (it does not start with "TFTOKv1")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(8, true);
  const codebookSize = view.getUint32(12, true);
  const bytesPerIndex = view.getUint32(16, true);
  const tokensPerRecord = view.getUint32(20, true);
  const n = view.getUint32(24, true);
  if (bytesPerIndex !== 2 && bytesPerIndex !== 4)
    throw new Error(`${where}: bytes per index is ${bytesPerIndex}, expected 2 or 4`);
  if (headerBytes > bytes.length || 32 + 4 * n > headerBytes)
    throw new Error(`${where}: header of ${headerBytes} bytes with ${n} scales is truncated`);
  const scales = Array.from({ length: n }, (_, i) => view.getUint32(28 + 4 * i, true));
  if (scales.reduce((a, s) => a + s * s, 0) !== tokensPerRecord) {
    throw new Error(`${where}: scales [${scales.join(', ')}] do not add up to ${tokensPerRecord} tokens per record`);
  }
  const metaAt = 28 + 4 * n;
  const metaLength = view.getUint32(metaAt, true);
  if (metaAt + 4 + metaLength > headerBytes)
    throw new Error(`${where}: metadata of ${metaLength} bytes overruns the ${headerBytes}-byte header`);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(metaAt + 4, metaAt + 4 + metaLength))) as Record<
    string,
    unknown
  >;
  return {
    codebookSize,
    scales,
    meta,
    headerBytes,
    bytesPerIndex,
    tokensPerRecord,
    recordBytes: tokensPerRecord * bytesPerIndex,
  };
}

/** Appends records; opened for a fresh file or to continue one with exactly `keepRecords` records. */
export class TokenFileWriter {
  private constructor(
    private readonly fd: number,
    readonly layout: TokenFileLayout,
    private count: number,
    private readonly path: string,
  ) {}

  /**
   * Creates `path`, or reopens it when it exists: its header must describe the same layout, and
   * it is cut to `keepRecords` records (dropping records no results line refers to).
   */
  static open(path: string, header: TokenFileHeader, keepRecords = 0): TokenFileWriter {
    const layout = tokenFileLayout(header);
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path}: ${(e as Error).message}`);
      if (keepRecords > 0)
        throw new Error(
          `${path} is missing but results.jsonl refers to ${keepRecords} token records; start with a new --out`,
        );
      fd = openSync(path, 'w+');
      writeAll(fd, encodeTokenHeader(layout), 0);
      return new TokenFileWriter(fd, layout, 0, path);
    }
    try {
      const size = fstatSync(fd).size;
      const head = new Uint8Array(Math.min(size, 65536));
      readSync(fd, head, 0, head.length, 0);
      const existing = decodeTokenHeader(head, path);
      if (existing.codebookSize !== layout.codebookSize || existing.scales.join() !== layout.scales.join()) {
        throw new Error(
          `${path} holds tokens for K=${existing.codebookSize}, scales [${existing.scales.join(', ')}], ` +
            `not this model's K=${layout.codebookSize}, scales [${layout.scales.join(', ')}]`,
        );
      }
      const have = Math.floor((size - existing.headerBytes) / existing.recordBytes);
      if (have < keepRecords)
        throw new Error(
          `${path} has ${have} complete token records but results.jsonl refers to ${keepRecords}; the file was truncated`,
        );
      ftruncateSync(fd, existing.headerBytes + keepRecords * existing.recordBytes);
      return new TokenFileWriter(fd, existing, keepRecords, path);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  get records(): number {
    return this.count;
  }

  /** Appends one image's indices; returns its record number. */
  append(indices: ArrayLike<number>): number {
    const { tokensPerRecord, bytesPerIndex, codebookSize, headerBytes, recordBytes } = this.layout;
    if (indices.length !== tokensPerRecord)
      throw new Error(`${this.path}: a record holds ${tokensPerRecord} tokens, got ${indices.length}`);
    const buf = new Uint8Array(recordBytes);
    const view = new DataView(buf.buffer);
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i];
      if (!Number.isInteger(k) || k < 0 || k >= codebookSize)
        throw new Error(`${this.path}: token ${i} is ${k}, outside [0, K=${codebookSize})`);
      if (bytesPerIndex === 2) view.setUint16(2 * i, k, true);
      else view.setUint32(4 * i, k, true);
    }
    writeAll(this.fd, buf, headerBytes + this.count * recordBytes);
    return this.count++;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads records of a token file (random access). */
export class TokenFileReader {
  private constructor(
    private readonly fd: number,
    readonly layout: TokenFileLayout,
    readonly records: number,
  ) {}

  static open(path: string): TokenFileReader {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const head = new Uint8Array(Math.min(size, 65536));
      readSync(fd, head, 0, head.length, 0);
      const layout = decodeTokenHeader(head, path);
      return new TokenFileReader(fd, layout, Math.floor((size - layout.headerBytes) / layout.recordBytes));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Record `i` as T indices, scale-major. */
  read(i: number): Uint16Array | Uint32Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.records)
      throw new Error(`token record ${i} is outside [0, ${this.records})`);
    const { headerBytes, recordBytes, bytesPerIndex } = this.layout;
    const buf = new Uint8Array(recordBytes);
    readSync(this.fd, buf, 0, recordBytes, headerBytes + i * recordBytes);
    // Copy through DataView: the file is little-endian whatever the host is.
    const view = new DataView(buf.buffer);
    const out =
      bytesPerIndex === 2 ? new Uint16Array(this.layout.tokensPerRecord) : new Uint32Array(this.layout.tokensPerRecord);
    for (let t = 0; t < out.length; t++)
      out[t] = bytesPerIndex === 2 ? view.getUint16(2 * t, true) : view.getUint32(4 * t, true);
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
