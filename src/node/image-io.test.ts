import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createRgbImage } from '../core/image/rgb-image.ts';
import { crc32 } from '../core/bytes/crc32.ts';
import { fixturePath } from '../test-support/fixtures.ts';
import { decodeImageFile, encodePng, readImageBytes } from './image-io.ts';

const decodeImageBytes = async (bytes: Uint8Array, name: string) => (await readImageBytes(bytes, name)).image;

// ---- A minimal PNG writer, so each colour type / depth / tRNS case is built exactly as intended
// (pngjs itself cannot write palette, low-bit-depth or tRNS files).

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  const typeAndBody = new Uint8Array(4 + body.length);
  typeAndBody.set(Buffer.from(type, 'latin1'));
  typeAndBody.set(body, 4);
  out.set(typeAndBody, 4);
  view.setUint32(8 + body.length, crc32(typeAndBody));
  return out;
}

interface PngSpec {
  width: number;
  height: number;
  depth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  /** Samples row-major, channels interleaved, in the file's bit depth. */
  samples: number[];
  plte?: number[]; // r,g,b,…
  trns?: number[]; // raw tRNS body values (bytes for palette, 16-bit words otherwise)
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

function buildPng(spec: PngSpec): Uint8Array {
  const ch = CHANNELS[spec.colorType];
  const rowBits = spec.width * ch * spec.depth;
  const rowBytes = Math.ceil(rowBits / 8);
  const raw = new Uint8Array(spec.height * (rowBytes + 1));
  for (let y = 0; y < spec.height; y++) {
    const base = y * (rowBytes + 1) + 1; // filter byte 0 (None) precedes each row
    for (let i = 0; i < spec.width * ch; i++) {
      const v = spec.samples[y * spec.width * ch + i];
      if (spec.depth === 16) {
        raw[base + 2 * i] = v >> 8;
        raw[base + 2 * i + 1] = v & 0xff;
      } else if (spec.depth === 8) {
        raw[base + i] = v;
      } else {
        const bit = i * spec.depth;
        raw[base + (bit >> 3)] |= v << (8 - spec.depth - (bit & 7));
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, spec.width);
  v.setUint32(4, spec.height);
  ihdr[8] = spec.depth;
  ihdr[9] = spec.colorType;
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (spec.plte) parts.push(chunk('PLTE', Uint8Array.from(spec.plte)));
  if (spec.trns) {
    const body =
      spec.colorType === 3 ? Uint8Array.from(spec.trns) : Uint8Array.from(spec.trns.flatMap((w) => [w >> 8, w & 0xff]));
    parts.push(chunk('tRNS', body));
  }
  parts.push(chunk('IDAT', new Uint8Array(deflateSync(raw))), chunk('IEND', new Uint8Array(0)));
  return Uint8Array.from(parts.flatMap((p) => Array.from(p)));
}

const rgb = (img: { data: Uint8Array }): number[] => Array.from(img.data);

describe('decodeImageBytes: PNG like Pillow convert("RGB")', () => {
  it('replicates 8-bit grayscale', async () => {
    const img = await decodeImageBytes(
      buildPng({ width: 3, height: 1, depth: 8, colorType: 0, samples: [0, 77, 255] }),
      'g.png',
    );
    expect([img.width, img.height]).toEqual([3, 1]);
    expect(rgb(img)).toEqual([0, 0, 0, 77, 77, 77, 255, 255, 255]);
  });

  it('scales 1-, 2- and 4-bit grayscale to 0…255', async () => {
    expect(
      rgb(await decodeImageBytes(buildPng({ width: 2, height: 1, depth: 1, colorType: 0, samples: [1, 0] }), 'g1.png')),
    ).toEqual([255, 255, 255, 0, 0, 0]);
    expect(
      rgb(
        await decodeImageBytes(
          buildPng({ width: 4, height: 1, depth: 2, colorType: 0, samples: [0, 1, 2, 3] }),
          'g2.png',
        ),
      ),
    ).toEqual([0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255]);
    expect(
      rgb(await decodeImageBytes(buildPng({ width: 1, height: 1, depth: 4, colorType: 0, samples: [9] }), 'g4.png')),
    ).toEqual([153, 153, 153]);
  });

  it('drops alpha from RGBA without compositing (a transparent pixel keeps its colour)', async () => {
    const png = buildPng({ width: 2, height: 1, depth: 8, colorType: 6, samples: [10, 20, 30, 0, 200, 100, 50, 128] });
    expect(rgb(await decodeImageBytes(png, 'a.png'))).toEqual([10, 20, 30, 200, 100, 50]);
  });

  it('drops alpha from gray+alpha', async () => {
    const png = buildPng({ width: 2, height: 1, depth: 8, colorType: 4, samples: [60, 0, 250, 255] });
    expect(rgb(await decodeImageBytes(png, 'la.png'))).toEqual([60, 60, 60, 250, 250, 250]);
  });

  it('keeps the colour of tRNS-transparent pixels in RGB and gray PNGs (pngjs alone would zero them)', async () => {
    const rgbPng = buildPng({
      width: 2,
      height: 1,
      depth: 8,
      colorType: 2,
      samples: [1, 2, 3, 9, 8, 7],
      trns: [1, 2, 3],
    });
    expect(rgb(await decodeImageBytes(rgbPng, 't.png'))).toEqual([1, 2, 3, 9, 8, 7]);
    const grayPng = buildPng({ width: 2, height: 1, depth: 8, colorType: 0, samples: [40, 41], trns: [40] });
    expect(rgb(await decodeImageBytes(grayPng, 'tg.png'))).toEqual([40, 40, 40, 41, 41, 41]);
    const gray16 = buildPng({ width: 1, height: 1, depth: 16, colorType: 0, samples: [0x0042], trns: [0x0042] });
    expect(rgb(await decodeImageBytes(gray16, 'tg16.png'))).toEqual([0x42, 0x42, 0x42]);
  });

  it('takes palette RGB (8- and 2-bit indices) and ignores palette alpha', async () => {
    const plte = [255, 0, 0, 0, 255, 0, 0, 0, 255, 12, 34, 56];
    const p8 = buildPng({ width: 4, height: 1, depth: 8, colorType: 3, samples: [3, 2, 1, 0], plte, trns: [0, 128] });
    expect(rgb(await decodeImageBytes(p8, 'p8.png'))).toEqual([12, 34, 56, 0, 0, 255, 0, 255, 0, 255, 0, 0]);
    const p2 = buildPng({ width: 3, height: 2, depth: 2, colorType: 3, samples: [0, 1, 2, 3, 3, 0], plte });
    expect(rgb(await decodeImageBytes(p2, 'p2.png'))).toEqual([
      255, 0, 0, 0, 255, 0, 0, 0, 255, 12, 34, 56, 12, 34, 56, 255, 0, 0,
    ]);
  });

  it('keeps the high byte of 16-bit RGB / RGBA / gray+alpha samples (not round(v/257))', async () => {
    // 0x12FF/257 = 18.98 would round to 19; Pillow's ";16B" unpackers take the high byte, 18.
    const rgb16 = buildPng({
      width: 1,
      height: 2,
      depth: 16,
      colorType: 2,
      samples: [0x12ff, 0xffff, 0x0080, 0x8000, 0x7fff, 0x00ff],
    });
    expect(rgb(await decodeImageBytes(rgb16, 'rgb16.png'))).toEqual([0x12, 0xff, 0x00, 0x80, 0x7f, 0x00]);
    const rgba16 = buildPng({ width: 1, height: 1, depth: 16, colorType: 6, samples: [0x12ff, 0x3456, 0xabcd, 0] });
    expect(rgb(await decodeImageBytes(rgba16, 'rgba16.png'))).toEqual([0x12, 0x34, 0xab]);
    const la16 = buildPng({ width: 1, height: 1, depth: 16, colorType: 4, samples: [0xc0ff, 0x1234] });
    expect(rgb(await decodeImageBytes(la16, 'la16.png'))).toEqual([0xc0, 0xc0, 0xc0]);
  });

  it('clips 16-bit grayscale at 255 (Pillow opens it as mode "I" and I→RGB saturates)', async () => {
    const g16 = buildPng({ width: 4, height: 1, depth: 16, colorType: 0, samples: [0, 0x0080, 0x00ff, 0x1234] });
    expect(rgb(await decodeImageBytes(g16, 'g16.png'))).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255, 255, 255, 255]);
  });
});

describe('decodeImageBytes: JPEG', () => {
  it('decodes a baseline JPEG to RGB close to what was encoded', async () => {
    const w = 32;
    const h = 24;
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        rgba.set([x * 8, y * 10, 128, 255], i);
      }
    const rgb3 = new Uint8Array(w * h * 3);
    for (let p = 0; p < w * h; p++) rgb3.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
    const jpg = await sharp(rgb3, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const img = await decodeImageBytes(new Uint8Array(jpg), 'smooth.jpg');
    expect([img.width, img.height, img.data.length]).toEqual([w, h, w * h * 3]);
    let maxAbs = 0;
    for (let p = 0; p < w * h; p++)
      for (let c = 0; c < 3; c++) maxAbs = Math.max(maxAbs, Math.abs(img.data[p * 3 + c] - rgba[p * 4 + c]));
    expect(maxAbs).toBeLessThanOrEqual(12);
  });
});

describe('decodeImageBytes: errors name the file and say what is wrong', () => {
  it('formats the commands do not read, and bytes that are no image', async () => {
    await expect(
      decodeImageBytes(Uint8Array.from(Buffer.from('GIF89a\x10\x00\x10\x00', 'latin1')), 'a.gif'),
    ).rejects.toThrow('a.gif: a GIF image; the commands read PNG, JPEG and WebP');
    await expect(decodeImageBytes(Uint8Array.from([1, 2, 3]), 'x.bin')).rejects.toThrow(
      'x.bin: not an image (it starts with bytes 01 02 03)',
    );
    await expect(decodeImageBytes(new Uint8Array(0), 'empty.png')).rejects.toThrow(
      'empty.png: the file is empty, not an image',
    );
  });

  it('corrupt PNG and JPEG data', async () => {
    const good = buildPng({ width: 2, height: 2, depth: 8, colorType: 2, samples: new Array(12).fill(7) });
    const badCrc = good.slice();
    badCrc[30] ^= 0xff; // inside the IHDR CRC
    await expect(decodeImageBytes(badCrc, 'crc.png')).rejects.toThrow(/^crc\.png: corrupt or unsupported PNG \(/);
    await expect(decodeImageBytes(good.subarray(0, 40), 'cut.png')).rejects.toThrow(
      /^cut\.png: corrupt or unsupported PNG/,
    );
    const noFrame = Uint8Array.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3, 4, 5]);
    await expect(decodeImageBytes(noFrame, 'bad.jpg')).rejects.toThrow(/^bad\.jpg: the JPEG header states no size/);
    const jpg = new Uint8Array(
      await sharp(new Uint8Array(64 * 64 * 3).fill(90), { raw: { width: 64, height: 64, channels: 3 } })
        .jpeg()
        .toBuffer(),
    );
    await expect(decodeImageBytes(jpg.subarray(0, jpg.length - 60), 'cut.jpg')).rejects.toThrow(
      /^cut\.jpg: corrupt or unsupported JPEG \(libjpeg-turbo/,
    );
  });

  it('a missing file names the path', async () => {
    await expect(decodeImageFile('/nonexistent/dir/photo.png')).rejects.toThrow(
      /^\/nonexistent\/dir\/photo\.png: cannot read image file/,
    );
  });
});

describe('encodePng', () => {
  it('writes 8-bit truecolour that decodes back to the same pixels, through a real file', async () => {
    const data = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const img = createRgbImage(5, 3, data);
    const png = encodePng(img);
    expect(png[25]).toBe(2); // IHDR colour type: RGB, no alpha
    expect(png[24]).toBe(8);
    const dir = mkdtempSync(join(tmpdir(), 'tokenflow-image-io-'));
    writeFileSync(join(dir, 'out.png'), png);
    const back = await decodeImageFile(join(dir, 'out.png'));
    expect([back.width, back.height]).toEqual([5, 3]);
    expect(back.data).toEqual(data);
  });

  it('round-trips a fixture photo', async () => {
    const src = await decodeImageFile(fixturePath('clip-224', 'coffee', 'source.png'));
    expect([src.width, src.height]).toEqual([600, 400]);
    const back = await decodeImageBytes(encodePng(src), 'roundtrip.png');
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(src.data))).toBe(0);
  });
});
