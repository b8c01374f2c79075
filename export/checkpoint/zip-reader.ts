/**
 * Zip central-directory reader over a random-access ByteSource. It never loads the whole file:
 * it reads the end-of-central-directory record, the central directory, and then only the
 * local headers and byte ranges asked for. Zip64 is supported (PyTorch always writes the Zip64
 * end records). Only stored entries can be read by range; small deflated entries can be read
 * whole where the platform has DecompressionStream('deflate-raw').
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import { readChunksUpTo } from '../../src/core/bytes/read-chunks.ts';
import type { ByteSource } from '../../src/core/bytes/byte-source.ts';
import { crc32 as portableCrc32, type Crc32 } from '../../src/core/bytes/crc32.ts';

export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflate. */
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const LOCAL_HEADER_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;
/** A part of a larger entry is checksummed in pieces this big, so a view into one never holds all of it. */
const VERIFY_CHUNK = 16 * 1024 * 1024;

/** Reads a little-endian unsigned 64-bit value as a number, refusing what a double cannot hold. */
function u64(view: DataView, at: number, what: string): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  if (hi >= 0x200000) throw new CheckpointError(`${what} is ${hi} * 2^32 + ${lo}, beyond 2^53`);
  return hi * 4294967296 + lo;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class ZipArchive {
  private readonly byName = new Map<string, ZipEntry>();
  private readonly dataOffsets = new Map<ZipEntry, number>();
  /** Entries whose every byte has passed the CRC-32 check. */
  private readonly verified = new Set<ZipEntry>();

  private constructor(
    readonly source: ByteSource,
    readonly entries: readonly ZipEntry[],
    private readonly crc32: Crc32,
  ) {
    for (const e of entries) {
      if (this.byName.has(e.name))
        throw new CheckpointError(
          `${source.name}: the zip has two entries named '${e.name}'; refusing an ambiguous file`,
        );
      this.byName.set(e.name, e);
    }
  }

  /**
   * Reads the central directory of `source`; throws naming the source if it is not a readable
   * zip. `crc32` checks the records (Node passes zlib's).
   */
  static async open(source: ByteSource, crc32: Crc32 = portableCrc32): Promise<ZipArchive> {
    return new ZipArchive(source, await readCentralDirectory(source), crc32);
  }

  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /**
   * Absolute offset of the entry's first data byte. Computed from the LOCAL header (its extra
   * field length differs from the central one: PyTorch pads local extras to align data to 64).
   */
  async dataOffset(entry: ZipEntry): Promise<number> {
    const cached = this.dataOffsets.get(entry);
    if (cached !== undefined) return cached;
    const src = this.source;
    if (entry.localHeaderOffset + LOCAL_HEADER_SIZE > src.size) {
      throw new CheckpointError(
        `${src.name}: the local header of zip entry '${entry.name}' (at byte ${entry.localHeaderOffset}) ` +
          `is past the end of the file (${src.size} bytes); the file is truncated`,
      );
    }
    const header = viewOf(await src.read(entry.localHeaderOffset, LOCAL_HEADER_SIZE));
    if (header.getUint32(0, true) !== SIG_LOCAL) {
      throw new CheckpointError(
        `${src.name}: zip entry '${entry.name}' has no local header at byte ${entry.localHeaderOffset}; the file is damaged`,
      );
    }
    const offset =
      entry.localHeaderOffset + LOCAL_HEADER_SIZE + header.getUint16(26, true) + header.getUint16(28, true);
    if (offset + entry.compressedSize > src.size) {
      throw new CheckpointError(
        `${src.name}: zip entry '${entry.name}' extends past the end of the file ` +
          `(needs bytes up to ${offset + entry.compressedSize}, the file has ${src.size}); the file is truncated`,
      );
    }
    this.dataOffsets.set(entry, offset);
    return offset;
  }

  /**
   * Reads `length` bytes at `offset` inside a stored entry. The first read of an entry streams
   * the whole entry through its CRC-32, so every byte that reaches the exporter was checked in
   * the same pass that delivered it: a tensor that is its whole storage (torch.save writes every
   * parameter that way) costs nothing extra, a view into a larger storage reads the rest of the
   * storage once. Later reads of a verified entry are plain range reads. `reader` names what
   * wanted the bytes (a tensor) for the error message.
   */
  async readRange(entry: ZipEntry, offset: number, length: number, reader?: string): Promise<Uint8Array> {
    if (entry.method !== 0) {
      throw new CheckpointError(
        `${this.source.name}: zip entry '${entry.name}' is compressed (method ${entry.method}); ` +
          'tensor data must be stored uncompressed, as torch.save writes it',
      );
    }
    if (offset < 0 || length < 0 || offset + length > entry.size) {
      throw new CheckpointError(
        `${this.source.name}: read of ${length} bytes at ${offset} is outside zip entry '${entry.name}' (${entry.size} bytes)`,
      );
    }
    const start = await this.dataOffset(entry);
    if (this.verified.has(entry)) return this.source.read(start + offset, length);
    let bytes: Uint8Array;
    // A whole entry (every weight torch.save writes) is one read: no piece buffers, no second copy.
    if (entry.size <= VERIFY_CHUNK || length === entry.size) {
      const all = await this.source.read(start, entry.size);
      this.checkCrc(entry, this.crc32(all), reader);
      bytes = all.subarray(offset, offset + length);
    } else {
      bytes = new Uint8Array(length);
      let crc = 0;
      for (let at = 0; at < entry.size; at += VERIFY_CHUNK) {
        const n = Math.min(VERIFY_CHUNK, entry.size - at);
        const chunk = await this.source.read(start + at, n);
        crc = this.crc32(chunk, crc);
        const from = Math.max(at, offset);
        const to = Math.min(at + n, offset + length);
        if (from < to) bytes.set(chunk.subarray(from - at, to - at), from - offset);
      }
      this.checkCrc(entry, crc, reader);
    }
    this.verified.add(entry);
    return bytes;
  }

  /**
   * Reads a whole entry (inflating a deflated one) and checks its CRC-32; meant for small
   * records such as data.pkl. `limit` bounds the declared size before anything is allocated
   * (a deflate bomb is refused from its directory entry), and inflation never writes past the
   * declared size (a directory that understates the size is caught as the data arrives).
   */
  async readEntry(entry: ZipEntry, limit: number): Promise<Uint8Array> {
    const name = `${this.source.name}: zip entry '${entry.name}'`;
    if (entry.size > limit) {
      throw new CheckpointError(
        `${name} declares ${entry.size} bytes, more than the ${limit} such a record may hold; ` +
          'refusing to read it (a damaged or hostile file)',
      );
    }
    if (entry.method === 8 && entry.compressedSize > deflateBound(entry.size)) {
      throw new CheckpointError(
        `${name} is ${entry.compressedSize} bytes compressed, more than deflate ever needs for ${entry.size} bytes; the file is damaged`,
      );
    }
    const raw = await this.source.read(await this.dataOffset(entry), entry.compressedSize);
    let data: Uint8Array;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) data = await inflateRaw(raw, entry.size, name);
    else
      throw new CheckpointError(
        `${name} uses compression method ${entry.method}, which this reader does not support (torch.save stores entries uncompressed)`,
      );
    if (data.byteLength !== entry.size)
      throw new CheckpointError(
        `${name} holds ${data.byteLength} bytes but the directory says ${entry.size}; the file is damaged`,
      );
    this.checkCrc(entry, this.crc32(data));
    return data;
  }

  private checkCrc(entry: ZipEntry, computed: number, reader?: string): void {
    if (computed === entry.crc32) return;
    throw new RecordChecksumError(
      `${this.source.name}: zip entry '${entry.name}'${reader ? ` (${reader})` : ''} fails its CRC-32 check ` +
        `(stored ${hex32(entry.crc32)}, computed ${hex32(computed)}); its bytes changed after saving — ` +
        'the file is damaged (an interrupted download or a failing disk?)',
      entry.name,
    );
  }
}

/** A record whose bytes no longer match the CRC-32 stored when it was written. */
export class RecordChecksumError extends CheckpointError {
  constructor(
    message: string,
    readonly record: string,
  ) {
    super(message);
    this.name = 'RecordChecksumError';
  }
}

/**
 * The most a deflate stream of `size` bytes needs: stored blocks add 5 bytes per 64 KiB; an
 * eighth more plus a little covers every encoder with room to spare.
 */
function deflateBound(size: number): number {
  return size + Math.ceil(size / 8) + 1024;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

async function inflateRaw(raw: Uint8Array, expected: number, name: string): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new CheckpointError(
      `${name} is deflate-compressed and this platform has no DecompressionStream; ` +
        're-save the checkpoint with torch.save (it stores entries uncompressed)',
    );
  }
  let stream: DecompressionStream;
  try {
    stream = new DecompressionStream('deflate-raw' as CompressionFormat);
  } catch {
    throw new CheckpointError(
      `${name} is deflate-compressed and this platform cannot inflate raw deflate data; re-save the checkpoint with torch.save`,
    );
  }
  const out = new Uint8Array(expected);
  const reader = new Blob([raw as BlobPart]).stream().pipeThrough(stream).getReader();
  // Never grow beyond what the directory promised: a deflate bomb stops here.
  const length = await readChunksUpTo(
    reader,
    expected,
    () =>
      new CheckpointError(
        `${name} inflates to more than the ${expected} bytes its directory entry says; the file is damaged`,
      ),
    (chunk, at) => out.set(chunk, at),
  );
  return out.subarray(0, length);
}

interface EndRecord {
  entries: number;
  cdSize: number;
  cdOffset: number;
  /** Where the record that pointed at the central directory starts (the directory must end before it). */
  recordOffset: number;
}

async function readCentralDirectory(src: ByteSource): Promise<ZipEntry[]> {
  const end = await findEndRecord(src);
  if (end.cdOffset + end.cdSize > src.size) {
    throw new CheckpointError(
      `${src.name}: the zip central directory (bytes ${end.cdOffset}..${end.cdOffset + end.cdSize}) ` +
        `is past the end of the file (${src.size} bytes); the file is truncated`,
    );
  }
  if (end.cdOffset + end.cdSize > end.recordOffset) {
    throw new CheckpointError(`${src.name}: the zip central directory overlaps its end record; the file is damaged`);
  }
  const cd = await src.read(end.cdOffset, end.cdSize);
  const view = viewOf(cd);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < end.entries; i++) {
    if (at + 46 > cd.byteLength || view.getUint32(at, true) !== SIG_CENTRAL) {
      throw new CheckpointError(
        `${src.name}: zip central directory entry ${i} of ${end.entries} is damaged (at byte ${end.cdOffset + at})`,
      );
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const diskStart = view.getUint16(at + 34, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > cd.byteLength)
      throw new CheckpointError(
        `${src.name}: zip central directory entry ${i} runs past the directory; the file is damaged`,
      );
    const nameBytes = cd.subarray(at + 46, at + 46 + nameLength);
    // Bit 11 marks UTF-8 names; others are CP437, which agrees with latin1 on the ASCII torch uses.
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(nameBytes);
    const where = `${src.name}: zip entry '${name}'`;
    if (flags & 0x1) throw new CheckpointError(`${where} is encrypted; checkpoints are never encrypted`);
    if (diskStart !== 0 && diskStart !== 0xffff)
      throw new CheckpointError(`${where} lives on disk ${diskStart} of a split archive, which is not supported`);
    // Zip64 extra: present fields follow in a fixed order, only for values saturated above.
    const extraView = new DataView(cd.buffer, cd.byteOffset + at + 46 + nameLength, extraLength);
    for (let e = 0; e + 4 <= extraLength;) {
      const id = extraView.getUint16(e, true);
      const len = extraView.getUint16(e + 2, true);
      if (e + 4 + len > extraLength) throw new CheckpointError(`${where} has a damaged extra field`);
      if (id === ZIP64_EXTRA_ID) {
        let p = e + 4;
        const take = (what: string): number => {
          if (p + 8 > e + 4 + len) throw new CheckpointError(`${where}: its Zip64 extra field lacks the ${what}`);
          const v = u64(extraView, p, `${where}: ${what}`);
          p += 8;
          return v;
        };
        if (size === 0xffffffff) size = take('uncompressed size');
        if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('local header offset');
      }
      e += 4 + len;
    }
    if (method === 0 && compressedSize !== size)
      throw new CheckpointError(
        `${where} is stored but its sizes differ (${compressedSize} vs ${size}); the file is damaged`,
      );
    // Cheap early check so a file cut in the middle is reported as truncated at open time.
    if (localHeaderOffset + LOCAL_HEADER_SIZE + nameLength + compressedSize > src.size) {
      throw new CheckpointError(
        `${where} extends past the end of the file ` +
          `(starts at byte ${localHeaderOffset}, ${compressedSize} bytes; the file has ${src.size}); the file is truncated`,
      );
    }
    entries.push({ name, method, flags, compressedSize, size, crc32: crc, localHeaderOffset });
    at = next;
  }
  return entries;
}

async function findEndRecord(src: ByteSource): Promise<EndRecord> {
  const tailLength = Math.min(src.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = src.size - tailLength;
  const tail = tailLength > 0 ? await src.read(tailStart, tailLength) : new Uint8Array(0);
  const view = viewOf(tail);
  let eocd = -1;
  for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
    if (view.getUint32(i, true) === SIG_EOCD && i + EOCD_SIZE + view.getUint16(i + 20, true) <= tailLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    const head = src.size >= 4 ? viewOf(await src.read(0, 4)).getUint32(0, true) : 0;
    if (head === SIG_LOCAL) {
      throw new CheckpointError(
        `${src.name}: starts like a zip file but has no end-of-central-directory record; ` +
          'the file is truncated (an interrupted download or copy?)',
      );
    }
    throw new CheckpointError(`${src.name}: not a zip file (no end-of-central-directory record)`);
  }
  const diskNumber = view.getUint16(eocd + 4, true);
  const cdDisk = view.getUint16(eocd + 6, true);
  let record: EndRecord = {
    entries: view.getUint16(eocd + 10, true),
    cdSize: view.getUint32(eocd + 12, true),
    cdOffset: view.getUint32(eocd + 16, true),
    recordOffset: tailStart + eocd,
  };
  const eocdAbs = tailStart + eocd;
  if (eocdAbs >= 20) {
    const locator = viewOf(await src.read(eocdAbs - 20, 20));
    if (locator.getUint32(0, true) === SIG_EOCD64_LOCATOR) {
      const at = u64(locator, 8, `${src.name}: Zip64 end record offset`);
      if (at + 56 > src.size)
        throw new CheckpointError(
          `${src.name}: the Zip64 end record (at byte ${at}) is past the end of the file; the file is truncated`,
        );
      const r = viewOf(await src.read(at, 56));
      if (r.getUint32(0, true) !== SIG_EOCD64)
        throw new CheckpointError(`${src.name}: the Zip64 end record is missing at byte ${at}; the file is damaged`);
      if (r.getUint32(16, true) !== 0 || r.getUint32(20, true) !== 0)
        throw new CheckpointError(`${src.name}: split (multi-disk) zip archives are not supported`);
      record = {
        entries: u64(r, 32, `${src.name}: Zip64 entry count`),
        cdSize: u64(r, 40, `${src.name}: Zip64 central directory size`),
        cdOffset: u64(r, 48, `${src.name}: Zip64 central directory offset`),
        recordOffset: at,
      };
      return record;
    }
  }
  if (diskNumber !== 0 || cdDisk !== 0)
    throw new CheckpointError(`${src.name}: split (multi-disk) zip archives are not supported`);
  if (record.entries === 0xffff || record.cdSize === 0xffffffff || record.cdOffset === 0xffffffff) {
    throw new CheckpointError(
      `${src.name}: the zip end record says Zip64 but the Zip64 locator is missing; the file is damaged`,
    );
  }
  return record;
}
