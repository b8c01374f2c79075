/**
 * A streaming zip writer with the layout PyTorch's torch.save produces: stored (uncompressed)
 * entries, each entry's data aligned to 64 bytes by padding the local extra field, and Zip64
 * records whenever a size, an offset or the entry count does not fit the classic fields.
 */
import type { ByteSink } from '../../src/core/bytes/byte-sink.ts';
import { crc32 } from '../../src/core/bytes/crc32.ts';

const ALIGN = 64;
const U32_MAX = 0xffffffff;
/** Extra-field id for the alignment padding; PyTorch's writer uses the same one ("FB"). */
const PADDING_EXTRA_ID = 0x4246;
const ZIP64_EXTRA_ID = 0x0001;
const FLAG_UTF8 = 0x0800;
/** Version 4.5: Zip64. */
const VERSION_ZIP64 = 45;
const VERSION_PLAIN = 20;

export interface ZipWriterOptions {
  /** Writes every Zip64 record and field even when not needed (tests exercise the reader's Zip64 paths). */
  readonly forceZip64?: boolean;
}

interface WrittenEntry {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
}

export class ZipWriter {
  private offset = 0;
  private readonly written: WrittenEntry[] = [];
  private finished = false;

  constructor(
    private readonly sink: ByteSink,
    private readonly options: ZipWriterOptions = {},
  ) {}

  /** Bytes written so far. */
  get position(): number {
    return this.offset;
  }

  /** Writes one stored entry whose data is the concatenation of `chunks`. */
  async addStored(name: string, chunks: Uint8Array | readonly Uint8Array[]): Promise<void> {
    if (this.finished) throw new Error(`zip writer: '${name}' added after finish()`);
    const parts = chunks instanceof Uint8Array ? [chunks] : chunks;
    let size = 0;
    let crc = 0;
    for (const c of parts) {
      size += c.byteLength;
      crc = crc32(c, crc);
    }
    const nameBytes = new TextEncoder().encode(name);
    const zip64 = this.options.forceZip64 || size >= U32_MAX;
    const zip64Extra = zip64 ? 20 : 0;
    // Pad the extra field so data starts on a 64-byte boundary (mmap-friendly, like PyTorch).
    const unpadded = this.offset + 30 + nameBytes.byteLength + zip64Extra;
    let pad = (ALIGN - (unpadded % ALIGN)) % ALIGN;
    if (pad > 0 && pad < 4) pad += ALIGN; // a padding field needs at least its 4-byte header
    const header = new Uint8Array(30 + nameBytes.byteLength + zip64Extra + pad);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, zip64 ? VERSION_ZIP64 : VERSION_PLAIN, true);
    v.setUint16(6, FLAG_UTF8, true);
    v.setUint16(8, 0, true); // stored
    v.setUint32(10, 0, true); // time/date 0, as torch.save writes them
    v.setUint32(14, crc, true);
    v.setUint32(18, zip64 ? U32_MAX : size, true);
    v.setUint32(22, zip64 ? U32_MAX : size, true);
    v.setUint16(26, nameBytes.byteLength, true);
    v.setUint16(28, zip64Extra + pad, true);
    header.set(nameBytes, 30);
    let at = 30 + nameBytes.byteLength;
    if (zip64) {
      v.setUint16(at, ZIP64_EXTRA_ID, true);
      v.setUint16(at + 2, 16, true);
      setU64(v, at + 4, size);
      setU64(v, at + 12, size);
      at += 20;
    }
    if (pad > 0) {
      v.setUint16(at, PADDING_EXTRA_ID, true);
      v.setUint16(at + 2, pad - 4, true);
      header.fill(0x5a, at + 4, at + pad); // 'Z', the filler PyTorch uses
    }
    this.written.push({ name: nameBytes, crc, size, offset: this.offset });
    await this.emit(header);
    for (const c of parts) await this.emit(c);
  }

  /** Writes the central directory and end records; the caller closes the sink. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const force = !!this.options.forceZip64;
    const cdOffset = this.offset;
    for (const e of this.written) {
      const needSize = force || e.size >= U32_MAX;
      const needOffset = force || e.offset >= U32_MAX;
      const extraLength = needSize || needOffset ? 4 + (needSize ? 16 : 0) + (needOffset ? 8 : 0) : 0;
      const h = new Uint8Array(46 + e.name.byteLength + extraLength);
      const v = new DataView(h.buffer);
      v.setUint32(0, 0x02014b50, true);
      v.setUint16(4, (3 << 8) | VERSION_ZIP64, true); // made by: Unix, 4.5
      v.setUint16(6, extraLength ? VERSION_ZIP64 : VERSION_PLAIN, true);
      v.setUint16(8, FLAG_UTF8, true);
      v.setUint16(10, 0, true);
      v.setUint32(12, 0, true);
      v.setUint32(16, e.crc, true);
      v.setUint32(20, needSize ? U32_MAX : e.size, true);
      v.setUint32(24, needSize ? U32_MAX : e.size, true);
      v.setUint16(28, e.name.byteLength, true);
      v.setUint16(30, extraLength, true);
      v.setUint32(42, needOffset ? U32_MAX : e.offset, true);
      h.set(e.name, 46);
      if (extraLength) {
        let at = 46 + e.name.byteLength;
        v.setUint16(at, ZIP64_EXTRA_ID, true);
        v.setUint16(at + 2, extraLength - 4, true);
        at += 4;
        if (needSize) {
          setU64(v, at, e.size);
          setU64(v, at + 8, e.size);
          at += 16;
        }
        if (needOffset) setU64(v, at, e.offset);
      }
      await this.emit(h);
    }
    const cdSize = this.offset - cdOffset;
    const count = this.written.length;
    const zip64End = force || count >= 0xffff || cdOffset >= U32_MAX || cdSize >= U32_MAX;
    if (zip64End) {
      const eocd64Offset = this.offset;
      const r = new Uint8Array(56 + 20);
      const v = new DataView(r.buffer);
      v.setUint32(0, 0x06064b50, true);
      setU64(v, 4, 44); // size of the rest of this record
      v.setUint16(12, (3 << 8) | VERSION_ZIP64, true);
      v.setUint16(14, VERSION_ZIP64, true);
      setU64(v, 24, count);
      setU64(v, 32, count);
      setU64(v, 40, cdSize);
      setU64(v, 48, cdOffset);
      v.setUint32(56, 0x07064b50, true);
      setU64(v, 64, eocd64Offset);
      v.setUint32(72, 1, true); // one disk
      await this.emit(r);
    }
    const end = new Uint8Array(22);
    const v = new DataView(end.buffer);
    v.setUint32(0, 0x06054b50, true);
    v.setUint16(8, zip64End ? 0xffff : count, true);
    v.setUint16(10, zip64End ? 0xffff : count, true);
    v.setUint32(12, zip64End ? U32_MAX : cdSize, true);
    v.setUint32(16, zip64End ? U32_MAX : cdOffset, true);
    await this.emit(end);
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength === 0) return;
    await this.sink.write(bytes);
    this.offset += bytes.byteLength;
  }
}

function setU64(v: DataView, at: number, n: number): void {
  v.setUint32(at, n % 4294967296, true);
  v.setUint32(at + 4, Math.floor(n / 4294967296), true);
}
