import { describe, expect, it } from 'vitest';
import { readImageHeader } from '../../core/image/image-header.ts';
import { classifyFile, conversionFindings } from './image-file.ts';

const bytes = (s: string, pad = 32) => {
  const out = new Uint8Array(Math.max(s.length, pad));
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};

/** RIFF/WEBP with a VP8X chunk whose flags byte is `flags`. */
function vp8x(flags: number): Uint8Array {
  const b = bytes('RIFF\0\0\0\0WEBPVP8X', 40);
  b[20] = flags;
  return b;
}

describe('classifying dataset files by content', () => {
  it('recognises PNG, JPEG and WebP whatever the file name', () => {
    expect(classifyFile(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toEqual({
      kind: 'image',
      format: 'png',
    });
    expect(classifyFile(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ kind: 'image', format: 'jpeg' });
    expect(classifyFile(vp8x(0x10))).toEqual({ kind: 'image', format: 'webp' });
  });

  it('says what other files look like', () => {
    expect(classifyFile(bytes('GIF89a'))).toEqual({
      kind: 'not-image',
      reason: 'a GIF image, not a PNG, JPEG or WebP file',
    });
    expect(classifyFile(bytes('II*\0'))).toEqual({
      kind: 'not-image',
      reason: expect.stringMatching(/not a PNG, JPEG or WebP file \(a TIFF image/),
    });
    expect(classifyFile(bytes('hello, world\n', 0))).toEqual({
      kind: 'not-image',
      reason: expect.stringMatching(/; looks like text$/),
    });
    expect(classifyFile(new Uint8Array(0))).toEqual({ kind: 'not-image', reason: 'empty file' });
    expect(classifyFile(vp8x(0x02))).toEqual({
      kind: 'not-image',
      reason: expect.stringMatching(/animated WebP is not supported/),
    });
  });

  it('notes WebP alpha from the VP8X flags', () => {
    const image = { width: 1, height: 1, data: new Uint8Array(3) };
    const findings = (b: Uint8Array) =>
      conversionFindings({ header: readImageHeader(b, 'x.webp'), image, warnings: [] }).map((f) => f.message);
    expect(findings(vp8x(0x10))).toEqual([expect.stringMatching(/alpha channel dropped/)]);
    expect(findings(vp8x(0x00))).toEqual([]);
  });

  it("turns Pillow's pixel-limit warning into a warning finding, and notes an unapplied EXIF orientation", () => {
    const image = { width: 1, height: 1, data: new Uint8Array(3) };
    const header = readImageHeader(vp8x(0x00), 'x.webp');
    const warned = conversionFindings({
      header,
      image,
      warnings: ["the image is 10000x9000 = 90,000,000 pixels, over Pillow's Image.MAX_IMAGE_PIXELS"],
    });
    expect(warned.map((f) => `${f.severity}:${f.check}`)).toEqual(['warning:input-format']);
    const turned = conversionFindings({
      header: { ...header, orientation: { value: 8, offset: 0, littleEndian: true } },
      image,
      warnings: [],
    });
    expect(turned.map((f) => f.message)).toEqual([
      expect.stringMatching(/^EXIF orientation 8 \(rotated 90° anticlockwise when displayed\) not applied/),
    ]);
  });
});
