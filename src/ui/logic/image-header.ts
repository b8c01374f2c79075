/**
 * What a dropped file is, from its first bytes, before the browser is asked to decode it: a
 * file that is not an image gets a message naming the file and what it looks like instead, and
 * an image whose header declares an absurd size is refused before decoding allocates gigabytes.
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif' | 'heif';

export interface ImageHeader {
  readonly format: ImageFormat;
  /** From the header when the format states it there (all but AVIF/HEIF); else undefined. */
  readonly width?: number;
  readonly height?: number;
}

/** Browsers refuse canvases past this side; larger images could not be read back anyway. */
export const MAX_IMAGE_SIDE = 16384;
/** 50 MP: a 12 MP phone photo is far below, and the RGBA read-back stays near 200 MB. */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Files past this are refused without being read. */
export const MAX_IMAGE_FILE_BYTES = 100 * 1024 * 1024;

/** Result of a size check: undefined when fine, else the reason in words. */
export function sizeProblem(width: number, height: number): string | undefined {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    return `its size ${width}x${height} is empty or invalid`;
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    return `it is ${width}x${height}; sides over ${MAX_IMAGE_SIDE} px are not supported`;
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    return `it is ${width}x${height} (${(width * height / 1e6).toFixed(0)} MP); at most ${MAX_IMAGE_PIXELS / 1e6} MP is supported`;
  }
  return undefined;
}

/**
 * Reads the format (and where the header states it, the size) from the start of a file.
 * Throws an Error whose message starts with `name` when the bytes are not an image a browser
 * decodes, or the header is cut short.
 */
export function readImageHeader(bytes: Uint8Array, name: string): ImageHeader {
  if (bytes.length === 0) throw new Error(`${name}: the file is empty, not an image`);
  const ascii = (from: number, len: number) => String.fromCharCode(...bytes.subarray(from, from + len));
  const u16le = (o: number) => bytes[o] | (bytes[o + 1] << 8);
  const u32be = (o: number) => ((bytes[o] << 24) >>> 0) + (bytes[o + 1] << 16) + (bytes[o + 2] << 8) + bytes[o + 3];
  const i32le = (o: number) => bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
  const u24le = (o: number) => bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16);
  const need = (n: number, what: string) => {
    if (bytes.length < n) throw new Error(`${name}: the ${what} header is cut short (${bytes.length} bytes); the file is truncated`);
  };

  if (bytes.length >= 8 && ascii(1, 3) === 'PNG' && bytes[0] === 0x89) {
    need(24, 'PNG');
    return { format: 'png', width: u32be(16), height: u32be(20) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { format: 'jpeg', ...jpegSize(bytes) };
  if (ascii(0, 4) === 'GIF8') {
    need(10, 'GIF');
    return { format: 'gif', width: u16le(6), height: u16le(8) };
  }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    need(16, 'WebP');
    const chunk = ascii(12, 4);
    need(chunk === 'VP8L' ? 25 : 30, 'WebP');
    if (chunk === 'VP8 ') return { format: 'webp', width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const b = bytes.subarray(21, 25);
      const width = 1 + (b[0] | ((b[1] & 0x3f) << 8));
      const height = 1 + ((b[1] >> 6) | (b[2] << 2) | ((b[3] & 0x0f) << 10));
      return { format: 'webp', width, height };
    }
    if (chunk === 'VP8X') return { format: 'webp', width: 1 + u24le(24), height: 1 + u24le(27) };
    throw new Error(`${name}: a WebP file with an unknown first chunk "${chunk}"`);
  }
  if (ascii(0, 2) === 'BM') {
    need(26, 'BMP');
    // Height is negative for top-down bitmaps.
    return { format: 'bmp', width: Math.abs(i32le(18)), height: Math.abs(i32le(22)) };
  }
  if (ascii(4, 4) === 'ftyp') {
    const brand = ascii(8, 4);
    if (brand === 'avif' || brand === 'avis') return { format: 'avif' };
    if (['heic', 'heix', 'mif1', 'msf1', 'hevc'].includes(brand)) return { format: 'heif' };
    throw new Error(`${name}: not an image (an ISO media file of brand "${brand}", e.g. a video)`);
  }
  throw new Error(`${name}: not an image the browser can decode (${describeNonImage(bytes)}); use PNG, JPEG, WebP, GIF, BMP or AVIF`);
}

/** Walks JPEG markers to the first SOFn frame header, which holds the size. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | Record<string, never> {
  let o = 2;
  while (o + 9 < bytes.length) {
    if (bytes[o] !== 0xff) return {}; // Corrupt marker stream: let the decoder have the last word.
    const marker = bytes[o + 1];
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[o + 5] << 8) | bytes[o + 6], width: (bytes[o + 7] << 8) | bytes[o + 8] };
    }
    const length = (bytes[o + 2] << 8) | bytes[o + 3];
    o += 2 + length;
  }
  return {};
}

function describeNonImage(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'an SVG drawing, which has no pixels of its own';
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'an HTML page';
  if (text.startsWith('{') || text.startsWith('[')) return 'JSON text (a token file is decoded when its name ends in .json)';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'a ZIP archive (a PyTorch .pt checkpoint is one)';
  if (bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46) return 'a PDF document';
  if ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) return 'a TIFF image, which browsers do not decode';
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with bytes ${head}`;
}
