/**
 * What a dataset file is (by content, never by file name) and what the official loader's
 * `convert('RGB')` does to it that a user should know about (grayscale, alpha, 16-bit, CMYK, an
 * EXIF orientation left unapplied, Pillow's pixel-limit warning). Reading and decoding are the
 * one Node image module's (src/node/image-io.ts); this module only words the findings.
 */
import {
  describeNonImage,
  readImageHeader,
  sniffImageFormat,
  type ImageHeader,
} from '../../core/image/image-header.ts';
import type { RgbImage } from '../../core/image/rgb-image.ts';
import type { HealthFinding, Severity } from '../../core/metrics/health.ts';
import { isNodeImageFormat, orientationNote, type ImageRead, type NodeImageFormat } from '../image-io.ts';

export type Classified =
  | { readonly kind: 'image'; readonly format: NodeImageFormat }
  /** Not something this tool reads; `reason` says what it looks like. */
  | { readonly kind: 'not-image'; readonly reason: string };

/** From the first bytes of a file (16 are enough; 32 also catch an animated WebP). */
export function classifyFile(head: Uint8Array): Classified {
  if (head.length === 0) return { kind: 'not-image', reason: 'empty file' };
  const format = sniffImageFormat(head);
  if (format && isNodeImageFormat(format)) {
    if (format === 'webp' && webpAnimated(head))
      return { kind: 'not-image', reason: 'animated WebP is not supported (Pillow would use its first frame)' };
    return { kind: 'image', format };
  }
  let reason = format
    ? `a ${format.toUpperCase()} image, not a PNG, JPEG or WebP file`
    : `not a PNG, JPEG or WebP file (${describeNonImage(head)})`;
  if (!format && looksLikeText(head)) reason += '; looks like text';
  return { kind: 'not-image', reason };
}

type Note = Omit<HealthFinding, 'stage' | 'check'> & { readonly severity: Severity };

/** What the loader did to this file that changes what the model sees, as preprocess findings. */
export function conversionFindings(read: Pick<ImageRead, 'header' | 'image' | 'warnings'>): HealthFinding[] {
  const notes: Note[] = [];
  const info = (message: string) => notes.push({ severity: 'info', message });
  const warn = (message: string) => notes.push({ severity: 'warning', message });
  const h: ImageHeader = read.header;
  for (const w of read.warnings) warn(w);
  const png = h.png;
  if (png) {
    const gray = png.colorType === 0 || png.colorType === 4;
    if (png.colorType === 0 && png.depth === 16) {
      warn(
        `16-bit grayscale PNG: Pillow opens it as 32-bit integers and convert('RGB') clips them at 255, ` +
          `so ${pct(whiteShare(read.image))} of the pixels became white; ` +
          'the official code sees the same (save it as 8-bit to tokenize what you see)',
      );
    } else if (png.depth === 16) info('16-bit PNG: each sample reduced to its high byte, as Pillow does');
    else if (gray && png.depth < 8) info(`${png.depth}-bit grayscale PNG: scaled to 0…255`);
    if (gray) info(grayNote);
    if (png.colorType === 3) info('palette PNG: expanded to the palette colours');
    if (png.colorType === 4 || png.colorType === 6 || png.hasTrns) info(alphaNote);
  }
  if (h.jpeg?.components === 1) info(grayNote);
  if (h.jpeg?.components === 4)
    info(
      "CMYK JPEG: converted with Pillow's formula (inverted Adobe inks, no colour profile), as the official code does",
    );
  if (h.webp?.alpha) info(alphaNote);
  const turned = orientationNote(h);
  if (turned) info(turned);
  return notes.map((n) => ({ check: 'input-format', stage: 'preprocess', ...n }));
}

const grayNote = "grayscale: replicated to R=G=B, as Pillow's convert('RGB') does";
const alphaNote =
  "alpha channel dropped, not composited (Pillow's convert('RGB')): transparent pixels show whatever colour they store";

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

function webpAnimated(head: Uint8Array): boolean {
  try {
    return readImageHeader(head, 'head').webp?.animated === true;
  } catch {
    return false; // a cut-short header is the decoder's to report
  }
}

function pct(f: number): string {
  return `${(100 * f).toFixed(1)}%`;
}
