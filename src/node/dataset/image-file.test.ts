import { describe, expect, it } from 'vitest';
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
    expect(classifyFile(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'photo.jpg')).toEqual({ kind: 'image', format: 'png' });
    expect(classifyFile(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), 'x')).toEqual({ kind: 'image', format: 'jpeg' });
    expect(classifyFile(vp8x(0x10), 'x')).toEqual({ kind: 'image', format: 'webp' });
  });

  it('says what other files look like', () => {
    expect(classifyFile(bytes('GIF89a'), 'a.gif')).toEqual({ kind: 'not-image', reason: expect.stringMatching(/not a PNG, JPEG or WebP file .*looks like GIF/) });
    expect(classifyFile(bytes('II*\0'), 'a.tif')).toEqual({ kind: 'not-image', reason: expect.stringMatching(/looks like TIFF/) });
    expect(classifyFile(new Uint8Array(0), 'a.png')).toEqual({ kind: 'not-image', reason: 'empty file' });
    expect(classifyFile(vp8x(0x02), 'anim.webp')).toEqual({ kind: 'not-image', reason: expect.stringMatching(/animated WebP is not supported/) });
  });

  it('notes WebP alpha from the VP8X flags', () => {
    const img = { width: 1, height: 1, data: new Uint8Array(3) };
    expect(conversionFindings(vp8x(0x10), 'webp', img).map((f) => f.message)).toEqual([expect.stringMatching(/alpha channel dropped/)]);
    expect(conversionFindings(vp8x(0x00), 'webp', img)).toEqual([]);
  });
});
