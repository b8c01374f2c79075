/**
 * Classifies and decodes one dataset file: which image format it is (by content, not by file
 * name), what Pillow's `convert('RGB')` does to it that a user should know about (grayscale,
 * alpha, 16-bit), and the decoded RGB image. PNG and JPEG go through the project's decoder
 * (src/node/image-io.ts), WebP through webp.ts; this module only reads headers.
 */
import type { RgbImage } from '../../core/image/rgb-image.ts';
import type { HealthFinding, Severity } from '../../core/metrics/health.ts';
import { decodeImageBytes } from '../image-io.ts';
import { decodeWebp } from './webp.ts';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export type Classified =
  | { readonly kind: 'image'; readonly format: ImageFormat }
  /** Not something this tool reads; `reason` says what it looks like. */
  | { readonly kind: 'not-image'; readonly reason: string };

export function classifyFile(bytes: Uint8Array, name: string): Classified {
  if (bytes.length === 0) return { kind: 'not-image', reason: 'empty file' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', format: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') {
    if (webpHeader(bytes).animated) return { kind: 'not-image', reason: 'animated WebP is not supported (Pillow would use its first frame)' };
    return { kind: 'image', format: 'webp' };
  }
  // The PNG/JPEG decoder's refusal already says what the bytes look like (GIF, TIFF, …).
  let reason = 'not a PNG, JPEG or WebP file';
  try {
    decodeImageBytes(bytes, name);
  } catch (e) {
    reason = (e as Error).message.replace(`${name}: `, '').replace('not a PNG or JPEG file', 'not a PNG, JPEG or WebP file');
  }
  if (looksLikeText(bytes)) reason += '; looks like text';
  return { kind: 'not-image', reason };
}

export async function decodeImage(bytes: Uint8Array, format: ImageFormat, name: string): Promise<RgbImage> {
  return format === 'webp' ? decodeWebp(bytes, name) : decodeImageBytes(bytes, name);
}

type Note = Omit<HealthFinding, 'stage' | 'check'> & { readonly severity: Severity };

/**
 * What Pillow's `convert('RGB')` did to this file that changes what the model sees, as
 * preprocess findings. `image` is the decoded result (for the share of clipped pixels).
 */
export function conversionFindings(bytes: Uint8Array, format: ImageFormat, image: RgbImage): HealthFinding[] {
  const notes: Note[] = [];
  const info = (message: string) => notes.push({ severity: 'info', message });
  const warn = (message: string) => notes.push({ severity: 'warning', message });
  if (format === 'png') {
    const h = pngHeader(bytes);
    if (h) {
      const gray = h.colorType === 0 || h.colorType === 4;
      if (h.colorType === 0 && h.depth === 16) {
        warn(
          `16-bit grayscale PNG: Pillow opens it as 32-bit integers and convert('RGB') clips them at 255, so ${pct(whiteShare(image))} of the pixels became white; ` +
            'the official code sees the same (save it as 8-bit to tokenize what you see)',
        );
      } else if (h.depth === 16) info('16-bit PNG: each sample reduced to its high byte, as Pillow does');
      else if (gray && h.depth < 8) info(`${h.depth}-bit grayscale PNG: scaled to 0…255`);
      if (gray) info("grayscale: replicated to R=G=B, as Pillow's convert('RGB') does");
      if (h.colorType === 3) info('palette PNG: expanded to the palette colours');
      if (h.colorType === 4 || h.colorType === 6 || h.hasTrns) info(alphaNote);
    }
  } else if (format === 'jpeg') {
    const components = jpegComponents(bytes);
    if (components === 1) info("grayscale: replicated to R=G=B, as Pillow's convert('RGB') does");
    if (components === 4) warn('CMYK/YCCK JPEG: converted to RGB by jpeg-js, which may differ from Pillow');
  } else {
    if (webpHeader(bytes).alpha) info(alphaNote);
  }
  return notes.map((n) => ({ check: 'input-format', stage: 'preprocess', ...n }));
}

const alphaNote = "alpha channel dropped, not composited (Pillow's convert('RGB')): transparent pixels show whatever colour they store";

interface PngHeader {
  readonly depth: number;
  readonly colorType: number;
  readonly hasTrns: boolean;
}

/** IHDR bit depth and colour type, and whether a tRNS chunk precedes the image data. */
function pngHeader(bytes: Uint8Array): PngHeader | undefined {
  if (bytes.length < 33 || ascii(bytes, 12, 4) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hasTrns = false;
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = ascii(bytes, at + 4, 4);
    if (type === 'tRNS') hasTrns = true;
    if (type === 'IDAT' || type === 'IEND') break;
    at += 12 + length;
  }
  return { depth: bytes[24], colorType: bytes[25], hasTrns };
}

/** Number of components in the first SOF segment, if found. */
function jpegComponents(bytes: Uint8Array): number | undefined {
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return at + 9 < bytes.length ? bytes[at + 9] : undefined;
    if (marker === 0xda) return undefined; // scan data before any frame header
    at += 2 + length;
  }
  return undefined;
}

function webpHeader(bytes: Uint8Array): { alpha: boolean; animated: boolean } {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8X' && bytes.length > 20) return { alpha: (bytes[20] & 0x10) !== 0, animated: (bytes[20] & 0x02) !== 0 };
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes[21] | (bytes[22] << 8) | (bytes[23] << 16) | (bytes[24] << 24);
    return { alpha: ((bits >>> 28) & 1) === 1, animated: false };
  }
  return { alpha: false, animated: false };
}

function whiteShare(img: RgbImage): number {
  let white = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n * 3; i += 3) if (img.data[i] === 255) white++;
  return n ? white / n : 0;
}

function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  let printable = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128) printable++;
  }
  return printable === head.length;
}

function startsWith(bytes: Uint8Array, sig: readonly number[]): boolean {
  return bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Uint8Array, from: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(from, from + length));
}

function pct(f: number): string {
  return `${(100 * f).toFixed(1)}%`;
}
