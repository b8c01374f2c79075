/** Hand-made zip files for the reader tests: cases our writer (rightly) never produces. */
import { crc32 } from '../core/bytes/crc32.ts';
import { concatBytes } from './concat-bytes.ts';

export interface RawEntry {
  name: string;
  data: Uint8Array;
  method?: number;
  flags?: number;
  size?: number;
  crc?: number;
}

/**
 * The fields a local header and its central directory entry share, in the same order (flags,
 * method, time and date left 0, CRC-32, compressed and uncompressed sizes, name length), starting
 * at byte `at`: 6 in a local header, 8 in a central entry.
 */
function entryFields(view: DataView, at: number, e: RawEntry, crc: number, size: number, nameLength: number): void {
  view.setUint16(at, e.flags ?? 0, true);
  view.setUint16(at + 2, e.method ?? 0, true);
  view.setUint32(at + 8, crc, true);
  view.setUint32(at + 12, e.data.length, true);
  view.setUint32(at + 16, size, true);
  view.setUint16(at + 20, nameLength, true);
}

/** A minimal hand-made zip (no alignment, no Zip64) for cases the writer never produces. */
export function handZip(entries: RawEntry[], comment = ''): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const size = e.size ?? e.data.length;
    const crc = e.crc ?? crc32(e.data);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    entryFields(lv, 6, e, crc, size, name.length);
    local.set(name, 30);
    const c = new Uint8Array(46 + name.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    entryFields(cv, 8, e, crc, size, name.length);
    cv.setUint32(42, offset, true);
    c.set(name, 46);
    central.push(c);
    parts.push(local, e.data);
    offset += local.length + e.data.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const commentBytes = new TextEncoder().encode(comment);
  const end = new Uint8Array(22 + commentBytes.length);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  ev.setUint16(20, commentBytes.length, true);
  end.set(commentBytes, 22);
  return concatBytes(...parts, ...central, end);
}
