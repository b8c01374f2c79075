/**
 * What an image file is, from its bytes, before anything decodes it: the format (by content,
 * never by file name), the size where the header states it, the EXIF orientation tag, and the
 * header facts that decide how Pillow's `Image.open(p).convert('RGB')` treats it (JPEG
 * components, PNG depth, colour type and transparency, WebP alpha and
 * animation). DOM-free: the page, the Node commands and the tests share it.
 *
 * It reads whatever prefix it is given: a size or tag that lies past the end is simply absent,
 * except for a header cut short before its size, which is an error (the file is truncated).
 */

// The one CRC-32 (zip and PNG chunks use the same polynomial); pure, no Node or DOM.
import { crc32 } from '../bytes/crc32.ts';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'avif' | 'heif';

/** EXIF orientation (TIFF tag 0x0112): 1 is upright; 2–8 ask a viewer to flip and/or rotate. */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * What was done with a file's orientation tag: `applied` false is the official code's way (the
 * stored pixels); true means the pixels were turned as a photo viewer shows them. Recorded with
 * exported tokens and metrics, since the two give different tokens.
 */
export interface OrientationUse {
  readonly exif: ExifOrientation;
  readonly applied: boolean;
}

export interface ExifOrientationTag {
  readonly value: ExifOrientation;
  /** Byte offset of the tag's 16-bit value in the file (to write an upright copy). */
  readonly offset: number;
  readonly littleEndian: boolean;
  /** For a PNG eXIf chunk: where the chunk starts and its data length, to redo its CRC. */
  readonly pngChunk?: { readonly start: number; readonly length: number };
}

export interface JpegFacts {
  /** Bits per sample (Pillow opens only 8). */
  readonly precision: number;
  /** 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  readonly components: number;
  readonly progressive: boolean;
}

export interface PngFacts {
  readonly depth: number;
  readonly colorType: number;
  /** A tRNS chunk before the image data. */
  readonly hasTrns: boolean;
}

export interface WebpFacts {
  readonly alpha: boolean;
  readonly animated: boolean;
}

export interface ImageHeader {
  readonly format: ImageFormat;
  /** From the header when the format states it there (all but AVIF/HEIF). */
  readonly width?: number;
  readonly height?: number;
  /** Present only when the file carries a valid orientation tag (1–8). */
  readonly orientation?: ExifOrientationTag;
  readonly jpeg?: JpegFacts;
  readonly png?: PngFacts;
  readonly webp?: WebpFacts;
}

/** The format from the first 16 bytes, or undefined when it is none we know. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const ascii = (from: number, len: number) => asciiAt(bytes, from, len);
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(1, 7) === 'PNG\r\n\x1a\n') return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return 'webp';
  if (ascii(0, 2) === 'BM') return 'bmp';
  if (ascii(4, 4) === 'ftyp') {
    const brand = ascii(8, 4);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (HEIF_BRANDS.includes(brand)) return 'heif';
  }
  return undefined;
}

const HEIF_BRANDS = ['heic', 'heix', 'mif1', 'msf1', 'hevc'];

/**
 * Reads the header. Throws an Error whose message starts with `name` when the bytes are not an
 * image of a known format, or the header is cut short before the size.
 */
export function readImageHeader(bytes: Uint8Array, name: string): ImageHeader {
  if (bytes.length === 0) throw new Error(`${name}: the file is empty, not an image`);
  const r = new ByteReader(bytes, name);
  const format = sniffImageFormat(bytes);
  switch (format) {
    case 'png':
      return readPng(r);
    case 'jpeg':
      return readJpeg(r);
    case 'gif':
      r.need(10, 'GIF');
      return { format, width: r.u16le(6), height: r.u16le(8) };
    case 'webp':
      return readWebp(r);
    case 'bmp':
      r.need(26, 'BMP');
      // Height is negative for top-down bitmaps.
      return { format, width: Math.abs(r.i32le(18)), height: Math.abs(r.i32le(22)) };
    case 'avif':
    case 'heif':
      return { format };
    default:
      if (asciiAt(bytes, 4, 4) === 'ftyp')
        throw new Error(`${name}: not an image (an ISO media file of brand "${asciiAt(bytes, 8, 4)}", e.g. a video)`);
      throw new Error(`${name}: not an image (${describeNonImage(bytes)})`);
  }
}

/** What a file that is not an image looks like, in words. */
export function describeNonImage(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg')))
    return 'an SVG drawing, which has no pixels of its own';
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'an HTML page';
  if (text.startsWith('{') || text.startsWith('['))
    return 'JSON text (a token file is decoded when its name ends in .json)';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'a ZIP archive (a PyTorch .pt checkpoint is one)';
  if (asciiAt(bytes, 0, 4) === '%PDF') return 'a PDF document';
  if (asciiAt(bytes, 0, 4) === 'II*\0' || asciiAt(bytes, 0, 4) === 'MM\0*')
    return 'a TIFF image, which is not supported';
  if (asciiAt(bytes, 0, 4) === 'RIFF') return 'a RIFF container that is not WebP';
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with bytes ${head}`;
}

class ByteReader {
  constructor(
    readonly bytes: Uint8Array,
    readonly name: string,
  ) {}
  get length(): number {
    return this.bytes.length;
  }
  need(n: number, what: string): void {
    if (this.bytes.length < n)
      throw new Error(
        `${this.name}: the ${what} header is cut short (${this.bytes.length} bytes); the file is truncated`,
      );
  }
  u8(o: number): number {
    return this.bytes[o];
  }
  u16be(o: number): number {
    return (this.bytes[o] << 8) | this.bytes[o + 1];
  }
  u16le(o: number): number {
    return this.bytes[o] | (this.bytes[o + 1] << 8);
  }
  u24le(o: number): number {
    return this.bytes[o] | (this.bytes[o + 1] << 8) | (this.bytes[o + 2] << 16);
  }
  u32be(o: number): number {
    return this.bytes[o] * 0x1000000 + ((this.bytes[o + 1] << 16) | (this.bytes[o + 2] << 8) | this.bytes[o + 3]);
  }
  u32le(o: number): number {
    return this.bytes[o + 3] * 0x1000000 + ((this.bytes[o + 2] << 16) | (this.bytes[o + 1] << 8) | this.bytes[o]);
  }
  i32le(o: number): number {
    return this.bytes[o] | (this.bytes[o + 1] << 8) | (this.bytes[o + 2] << 16) | (this.bytes[o + 3] << 24);
  }
  ascii(o: number, n: number): string {
    return asciiAt(this.bytes, o, n);
  }
}

function asciiAt(bytes: Uint8Array, from: number, length: number): string {
  let s = '';
  for (let i = from; i < from + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function readPng(r: ByteReader): ImageHeader {
  r.need(29, 'PNG');
  if (r.ascii(12, 4) !== 'IHDR')
    throw new Error(`${r.name}: a PNG whose first chunk is "${r.ascii(12, 4)}", not IHDR; the file is corrupt`);
  let hasTrns = false;
  let orientation: ExifOrientationTag | undefined;
  // Chunks before the image data: tRNS (transparency) and eXIf (orientation, as browsers read it).
  for (let at = 8; at + 8 <= r.length;) {
    const length = r.u32be(at);
    const type = r.ascii(at + 4, 4);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'tRNS') hasTrns = true;
    if (type === 'eXIf' && orientation === undefined) {
      const tag = readTiffOrientation(r.bytes, at + 8, Math.min(length, r.length - at - 8));
      if (tag) orientation = { ...tag, pngChunk: { start: at, length } };
    }
    at += 12 + length;
  }
  return {
    format: 'png',
    width: r.u32be(16),
    height: r.u32be(20),
    png: { depth: r.u8(24), colorType: r.u8(25), hasTrns },
    ...(orientation ? { orientation } : {}),
  };
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpeg(r: ByteReader): ImageHeader {
  let orientation: ExifOrientationTag | undefined;
  let sawExif = false;
  for (let o = 2; o + 4 <= r.length;) {
    if (r.u8(o) !== 0xff) break; // corrupt marker stream: the decoder has the last word
    const marker = r.u8(o + 1);
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      o += 2; // standalone markers carry no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, start of scan: no frame header before it
    const length = r.u16be(o + 2);
    if (length < 2) break;
    const body = o + 4;
    // Only the first Exif APP1 counts, as in Pillow, libvips and browsers.
    if (marker === 0xe1 && !sawExif && r.ascii(body, 6) === 'Exif\0\0') {
      sawExif = true;
      orientation = readTiffOrientation(r.bytes, body + 6, Math.min(length - 8, r.length - body - 6));
    }
    if (isSof(marker)) {
      r.need(body + 6, 'JPEG frame');
      return {
        format: 'jpeg',
        height: r.u16be(body + 1),
        width: r.u16be(body + 3),
        jpeg: {
          precision: r.u8(body),
          components: r.u8(body + 5),
          progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
        },
        ...(orientation ? { orientation } : {}),
      };
    }
    o = body + length - 2;
  }
  return { format: 'jpeg', ...(orientation ? { orientation } : {}) };
}

function readWebp(r: ByteReader): ImageHeader {
  r.need(16, 'WebP');
  const first = r.ascii(12, 4);
  let size: { width: number; height: number };
  let webp: WebpFacts;
  let exifFlag = false;
  if (first === 'VP8 ') {
    r.need(30, 'WebP');
    size = { width: r.u16le(26) & 0x3fff, height: r.u16le(28) & 0x3fff };
    webp = { alpha: false, animated: false };
  } else if (first === 'VP8L') {
    r.need(25, 'WebP');
    const b1 = r.u8(22);
    size = {
      width: 1 + (r.u8(21) | ((b1 & 0x3f) << 8)),
      height: 1 + ((b1 >> 6) | (r.u8(23) << 2) | ((r.u8(24) & 0x0f) << 10)),
    };
    webp = { alpha: ((r.u8(24) >> 4) & 1) === 1, animated: false };
  } else if (first === 'VP8X') {
    r.need(30, 'WebP');
    const flags = r.u8(20);
    size = { width: 1 + r.u24le(24), height: 1 + r.u24le(27) };
    webp = { alpha: (flags & 0x10) !== 0, animated: (flags & 0x02) !== 0 };
    exifFlag = (flags & 0x08) !== 0;
  } else {
    throw new Error(`${r.name}: a WebP file with an unknown first chunk "${first}"`);
  }
  let orientation: ExifOrientationTag | undefined;
  if (exifFlag) {
    // The EXIF chunk follows the image data; found when the whole file was given.
    for (let at = 12; at + 8 <= r.length;) {
      const length = r.u32le(at + 4);
      if (r.ascii(at, 4) === 'EXIF') {
        const start = at + 8;
        // Some writers keep JPEG's "Exif\0\0" prefix inside the chunk.
        const tiff = r.ascii(start, 6) === 'Exif\0\0' ? start + 6 : start;
        orientation = readTiffOrientation(r.bytes, tiff, Math.min(length - (tiff - start), r.length - tiff));
        break;
      }
      at += 8 + length + (length & 1);
    }
  }
  return { format: 'webp', ...size, webp, ...(orientation ? { orientation } : {}) };
}

/**
 * The orientation tag of IFD0 of a TIFF structure at `start` (`length` bytes available), or
 * undefined when absent, out of range or cut off. Offsets inside are relative to `start`.
 */
function readTiffOrientation(bytes: Uint8Array, start: number, length: number): ExifOrientationTag | undefined {
  if (length < 8 || start + 8 > bytes.length) return undefined;
  const order = asciiAt(bytes, start, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const end = start + Math.min(length, bytes.length - start);
  const u16 = (o: number) => (le ? bytes[o] | (bytes[o + 1] << 8) : (bytes[o] << 8) | bytes[o + 1]);
  const u32 = (o: number) =>
    le
      ? bytes[o + 3] * 0x1000000 + ((bytes[o + 2] << 16) | (bytes[o + 1] << 8) | bytes[o])
      : bytes[o] * 0x1000000 + ((bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]);
  if (u16(start + 2) !== 42) return undefined;
  const ifd = start + u32(start + 4);
  if (ifd + 2 > end) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > end) return undefined;
    if (u16(entry) !== 0x0112) continue;
    // SHORT (3), one value, stored in the first two bytes of the value field.
    if (u16(entry + 2) !== 3 || u32(entry + 4) !== 1) return undefined;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8
      ? { value: value as ExifOrientation, offset: entry + 8, littleEndian: le }
      : undefined;
  }
  return undefined;
}

/**
 * A copy of `bytes` whose orientation tag reads 1 (upright), so a decoder that always honours
 * the tag (Chromium's createImageBitmap does, whatever `imageOrientation` says) decodes the
 * stored pixels. A PNG chunk's CRC is redone, else the chunk would be corrupt.
 */
export function withUprightOrientation(bytes: Uint8Array, tag: ExifOrientationTag): Uint8Array {
  const copy = bytes.slice();
  copy[tag.offset] = tag.littleEndian ? 1 : 0;
  copy[tag.offset + 1] = tag.littleEndian ? 0 : 1;
  const chunk = tag.pngChunk;
  if (chunk && chunk.start + 12 + chunk.length <= copy.length) {
    const crc = crc32(copy.subarray(chunk.start + 4, chunk.start + 8 + chunk.length));
    new DataView(copy.buffer, copy.byteOffset).setUint32(chunk.start + 8 + chunk.length, crc);
  }
  return copy;
}

/** What an orientation asks a viewer to do, in words. */
export function describeOrientation(value: ExifOrientation): string {
  return ORIENTATION_WORDS[value];
}

const ORIENTATION_WORDS: Record<ExifOrientation, string> = {
  1: 'upright',
  2: 'mirrored left to right',
  3: 'rotated 180°',
  4: 'mirrored top to bottom',
  5: 'mirrored and rotated 90° anticlockwise',
  6: 'rotated 90° clockwise',
  7: 'mirrored and rotated 90° clockwise',
  8: 'rotated 90° anticlockwise',
};
