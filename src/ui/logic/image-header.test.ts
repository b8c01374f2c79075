import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_PIXELS, readImageHeader, sizeProblem } from './image-header.ts';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const le16 = (v: number) => [v & 255, (v >> 8) & 255];
const le32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];

describe('readImageHeader', () => {
  it('reads a PNG size from IHDR', () => {
    const png = bytes([0x89], 'PNG', [13, 10, 26, 10], be32(13), 'IHDR', be32(600), be32(400), [8, 2, 0, 0, 0]);
    expect(readImageHeader(png, 'coffee.png')).toEqual({ format: 'png', width: 600, height: 400 });
  });

  it('walks JPEG markers past APP segments to the SOF frame', () => {
    const app1 = [0xff, 0xe1, 0, 8, 1, 2, 3, 4, 5, 6];
    const sof0 = [0xff, 0xc0, 0, 17, 8, ...[0x01, 0x2c], ...[0x01, 0x90], 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    expect(readImageHeader(bytes([0xff, 0xd8], app1, sof0), 'p.jpg')).toEqual({ format: 'jpeg', width: 400, height: 300 });
  });

  it('reads GIF, BMP (top-down) and the three WebP flavours', () => {
    expect(readImageHeader(bytes('GIF89a', le16(32), le16(16)), 'a.gif')).toMatchObject({ width: 32, height: 16 });
    const bmp = bytes('BM', new Array(16).fill(0), le32(64), le32(-48 >>> 0));
    expect(readImageHeader(bmp, 'a.bmp')).toEqual({ format: 'bmp', width: 64, height: 48 });
    const riff = (chunk: string, payload: number[]) => bytes('RIFF', le32(100), 'WEBP', chunk, le32(20), payload);
    // VP8X: 24-bit (width-1), (height-1) at 24 and 27.
    expect(readImageHeader(riff('VP8X', [0, 0, 0, 0, 99, 0, 0, 49, 0, 0]), 'x.webp')).toMatchObject({ width: 100, height: 50 });
    // VP8 (lossy): 14-bit sides at 26 and 28.
    expect(readImageHeader(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...le16(320), ...le16(240)]), 'l.webp')).toMatchObject({ width: 320, height: 240 });
    // VP8L: signature 0x2f, then 14-bit width-1 and height-1.
    const w = 256 - 1;
    const h = 128 - 1;
    const bits = w | (h << 14);
    expect(readImageHeader(riff('VP8L', [0x2f, ...le32(bits)]), 'll.webp')).toMatchObject({ width: 256, height: 128 });
  });

  it('names the file and what it is instead when it is not an image', () => {
    expect(() => readImageHeader(new Uint8Array(), 'empty.png')).toThrow('empty.png: the file is empty, not an image');
    expect(() => readImageHeader(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'logo.svg')).toThrow(/logo\.svg: .*SVG drawing/);
    expect(() => readImageHeader(bytes([0x50, 0x4b, 3, 4, 0, 0]), 'tokenflow.pt')).toThrow(/tokenflow\.pt: .*ZIP archive/);
    expect(() => readImageHeader(bytes('hello world'), 'notes.txt')).toThrow(/notes\.txt: not an image .*68 65 6c 6c/);
    expect(() => readImageHeader(bytes([0x89], 'PNG', [13, 10, 26, 10]), 'cut.png')).toThrow(/cut\.png: .*truncated/);
  });
});

describe('sizeProblem', () => {
  it('accepts photos and refuses empty, too-wide and too-many-pixel images', () => {
    expect(sizeProblem(4032, 3024)).toBeUndefined();
    expect(sizeProblem(0, 10)).toMatch(/empty/);
    expect(sizeProblem(20000, 10)).toMatch(/16384/);
    expect(sizeProblem(10000, 10000)).toMatch(new RegExp(`${MAX_IMAGE_PIXELS / 1e6} MP`));
  });
});
