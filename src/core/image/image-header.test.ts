import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../bytes/crc32.ts';
import { jpegFixtures } from '../../test-support/jpeg-fixtures.ts';
import { readImageHeader, sniffImageFormat, withUprightOrientation } from './image-header.ts';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const le16 = (v: number) => [v & 255, (v >> 8) & 255];
const le32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];

/** A TIFF structure whose IFD0 holds one orientation entry, big- or little-endian. */
const tiffWithOrientation = (value: number, le = false) =>
  le
    ? bytes('II', [42, 0], le32(8), le16(1), le16(0x0112), le16(3), le32(1), le16(value), [0, 0], le32(0))
    : bytes('MM', [0, 42], be32(8), [0, 1], [0x01, 0x12], [0, 3], be32(1), [0, value, 0, 0], be32(0));

const png = (...chunks: Uint8Array[]) => {
  const ihdr = bytes('IHDR', be32(600), be32(400), [8, 2, 0, 0, 0]);
  const chunk = (typeAndData: Uint8Array) =>
    bytes(be32(typeAndData.length - 4), Array.from(typeAndData), be32(crc32(typeAndData)));
  return bytes(
    [0x89],
    'PNG',
    [13, 10, 26, 10],
    Array.from(chunk(ihdr)),
    ...chunks.map((c) => Array.from(chunk(c))),
    Array.from(chunk(bytes('IDAT'))),
  );
};

describe('readImageHeader', () => {
  it('reads a PNG size, depth, colour type and tRNS', () => {
    expect(readImageHeader(png(), 'coffee.png')).toEqual({
      format: 'png',
      width: 600,
      height: 400,
      png: { depth: 8, colorType: 2, hasTrns: false },
    });
    expect(readImageHeader(png(bytes('tRNS', [0, 1])), 't.png').png?.hasTrns).toBe(true);
  });

  it('walks JPEG markers past APP segments to the SOF frame', () => {
    const app1 = [0xff, 0xe1, 0, 8, 1, 2, 3, 4, 5, 6];
    const sof0 = [0xff, 0xc0, 0, 17, 8, ...[0x01, 0x2c], ...[0x01, 0x90], 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(readImageHeader(bytes([0xff, 0xd8], app1, sof0), 'p.jpg')).toEqual({
      format: 'jpeg',
      width: 400,
      height: 300,
      jpeg: { precision: 8, components: 3, progressive: false },
    });
  });

  it('reads GIF, BMP (top-down) and the three WebP flavours', () => {
    expect(readImageHeader(bytes('GIF89a', le16(32), le16(16)), 'a.gif')).toMatchObject({ width: 32, height: 16 });
    const bmp = bytes('BM', new Array(16).fill(0), le32(64), le32(-48 >>> 0));
    expect(readImageHeader(bmp, 'a.bmp')).toEqual({ format: 'bmp', width: 64, height: 48 });
    const riff = (chunk: string, payload: number[]) => bytes('RIFF', le32(100), 'WEBP', chunk, le32(20), payload);
    // VP8X: 24-bit (width-1), (height-1) at 24 and 27; flags at 20 (0x10 alpha, 0x02 animation).
    expect(readImageHeader(riff('VP8X', [0x12, 0, 0, 0, 99, 0, 0, 49, 0, 0]), 'x.webp')).toMatchObject({
      width: 100,
      height: 50,
      webp: { alpha: true, animated: true },
    });
    // VP8 (lossy): 14-bit sides at 26 and 28.
    expect(
      readImageHeader(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...le16(320), ...le16(240)]), 'l.webp'),
    ).toMatchObject({ width: 320, height: 240 });
    // VP8L: signature 0x2f, then 14-bit width-1 and height-1.
    const w = 256 - 1;
    const h = 128 - 1;
    const bits = w | (h << 14);
    expect(readImageHeader(riff('VP8L', [0x2f, ...le32(bits)]), 'll.webp')).toMatchObject({ width: 256, height: 128 });
  });

  it('names the file and what it is instead when it is not an image', () => {
    expect(() => readImageHeader(new Uint8Array(), 'empty.png')).toThrow('empty.png: the file is empty, not an image');
    expect(() => readImageHeader(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'logo.svg')).toThrow(
      /logo\.svg: .*SVG drawing/,
    );
    expect(() => readImageHeader(bytes([0x50, 0x4b, 3, 4, 0, 0]), 'tokenflow.pt')).toThrow(
      /tokenflow\.pt: .*ZIP archive/,
    );
    expect(() => readImageHeader(bytes('hello world'), 'notes.txt')).toThrow(/notes\.txt: not an image .*68 65 6c 6c/);
    expect(() => readImageHeader(bytes([0x89], 'PNG', [13, 10, 26, 10]), 'cut.png')).toThrow(/cut\.png: .*truncated/);
    expect(sniffImageFormat(bytes('II*\0'))).toBeUndefined();
  });
});

describe('EXIF orientation', () => {
  it('is read from a JPEG APP1 block, big- and little-endian, and only when valid', () => {
    const jpeg = (tiff: Uint8Array) =>
      bytes([0xff, 0xd8], [0xff, 0xe1, 0, 8 + tiff.length], 'Exif\0\0', Array.from(tiff), [0xff, 0xd9]);
    expect(readImageHeader(jpeg(tiffWithOrientation(6)), 'p.jpg').orientation).toEqual({
      value: 6,
      offset: 2 + 4 + 6 + 8 + 2 + 8,
      littleEndian: false,
    });
    expect(readImageHeader(jpeg(tiffWithOrientation(8, true)), 'p.jpg').orientation).toMatchObject({
      value: 8,
      littleEndian: true,
    });
    expect(readImageHeader(jpeg(tiffWithOrientation(9)), 'p.jpg').orientation).toBeUndefined();
    expect(readImageHeader(jpeg(tiffWithOrientation(6)).subarray(0, 20), 'cut.jpg').orientation).toBeUndefined();
  });

  it('is 6 in the phone-photo fixture, and an upright copy differs only in that value', () => {
    const f = jpegFixtures().find((x) => x.name.includes('orientation'))!;
    const jpg = new Uint8Array(readFileSync(f.jpegPath));
    const h = readImageHeader(jpg, f.name);
    expect(h.orientation?.value).toBe(6);
    const upright = withUprightOrientation(jpg, h.orientation!);
    expect(readImageHeader(upright, 'upright.jpg').orientation?.value).toBe(1);
    expect(upright.filter((b, i) => b !== jpg[i]).length).toBe(1);
  });

  it('is read from a PNG eXIf chunk, and the upright copy carries a valid chunk CRC', () => {
    const file = png(bytes('eXIf', Array.from(tiffWithOrientation(3))));
    const tag = readImageHeader(file, 'p.png').orientation!;
    expect(tag.value).toBe(3);
    const upright = withUprightOrientation(file, tag);
    expect(readImageHeader(upright, 'p.png').orientation?.value).toBe(1);
    // The eXIf chunk: length at 33, type+data from 37, CRC after.
    const length = new DataView(upright.buffer).getUint32(33);
    expect(new DataView(upright.buffer).getUint32(37 + 4 + length)).toBe(crc32(upright.subarray(37, 37 + 4 + length)));
  });

  it('is read from a WebP EXIF chunk after the image data', () => {
    const tiff = Array.from(tiffWithOrientation(6, true));
    const vp8x = bytes('VP8X', le32(10), [0x08, 0, 0, 0], [99, 0, 0], [49, 0, 0]);
    const image = bytes('VP8L', le32(5), [0x2f, 0, 0, 0, 0], [0]);
    const exif = bytes('EXIF', le32(tiff.length), tiff);
    const body = bytes('WEBP', Array.from(vp8x), Array.from(image), Array.from(exif));
    const file = bytes('RIFF', le32(body.length), Array.from(body));
    expect(readImageHeader(file, 'p.webp').orientation?.value).toBe(6);
  });
});
