import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { centerCropArr } from '../../core/image/center-crop.ts';
import { readImageHeader } from '../../core/image/image-header.ts';
import { u8Diff } from '../../test-support/compare.ts';
import { jpegFixtureBytes, jpegFixtures } from '../../test-support/jpeg-fixtures.ts';
import { readImageBytes } from '../image-io.ts';
import { cmykToRgb } from './decode-jpeg.ts';

/** Count and largest size of the byte differences ({ differing: 0, maxDiff: 0 } when equal). */
const diff = (a: Uint8Array, b: Uint8Array) => {
  const { differing, maxDiff } = u8Diff(a, b);
  return { differing, maxDiff };
};
const SAME = { differing: 0, maxDiff: 0 };

/** The file without its APP14 "Adobe" segment. */
function withoutAdobeMarker(jpg: Uint8Array): Uint8Array {
  for (let o = 2; o + 4 < jpg.length;) {
    const length = (jpg[o + 2] << 8) | jpg[o + 3];
    if (jpg[o + 1] === 0xee) return Uint8Array.from([...jpg.subarray(0, o), ...jpg.subarray(o + 2 + length)]);
    o += 2 + length;
  }
  throw new Error('no APP14 segment');
}

describe('JPEG in Node is what Pillow (libjpeg-turbo) gives the official code', () => {
  for (const f of jpegFixtures()) {
    it(`${f.name} (${f.desc}): decoded pixels and the official 256 px crop, byte for byte`, async () => {
      const read = await readImageBytes(new Uint8Array(readFileSync(f.jpegPath)), f.name);
      const [h, w] = f.decoded.shape;
      expect([read.image.width, read.image.height]).toEqual([w, h]);
      expect(diff(read.image.data, jpegFixtureBytes(f.decoded))).toEqual(SAME);
      expect(diff(centerCropArr(read.image, 256).image.data, jpegFixtureBytes(f.crop256))).toEqual(SAME);
    });
  }

  it('ignores an embedded ICC profile, as Pillow does (sharp alone would convert through it)', async () => {
    const f = jpegFixtures().find((x) => x.name === 'astronaut-q90-420')!;
    const jpg = new Uint8Array(readFileSync(f.jpegPath));
    // A Display P3 profile from sharp's own encoder, spliced in as APP2 right after SOI.
    const tagged = await sharp(new Uint8Array(8 * 8 * 3), { raw: { width: 8, height: 8, channels: 3 } })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    const icc = (await sharp(tagged).metadata()).icc!;
    const payload = Buffer.concat([Buffer.from('ICC_PROFILE\0'), Buffer.from([1, 1]), icc]);
    const app2 = Buffer.concat([
      Buffer.from([0xff, 0xe2, (payload.length + 2) >> 8, (payload.length + 2) & 255]),
      payload,
    ]);
    const withIcc = new Uint8Array(Buffer.concat([jpg.subarray(0, 2), app2, jpg.subarray(2)]));
    expect((await sharp(withIcc).metadata()).hasProfile).toBe(true);
    const read = await readImageBytes(withIcc, 'icc.jpg');
    expect(diff(read.image.data, jpegFixtureBytes(f.decoded))).toEqual(SAME);
  });

  it('reads a CMYK JPEG without an Adobe marker as inverted inks too (Pillow always uses "CMYK;I")', async () => {
    const f = jpegFixtures().find((x) => x.name.includes('cmyk'))!;
    const jpg = new Uint8Array(readFileSync(f.jpegPath));
    const bare = withoutAdobeMarker(jpg);
    expect(bare.length).toBe(jpg.length - 16);
    expect(readImageHeader(bare, 'bare.jpg').jpeg).toMatchObject({ components: 4 });
    // Pillow wrote this file with transform 0 (plain CMYK) and K = 0, so the stored inks, read
    // with Pillow's inversion either way, give the same pixels.
    const read = await readImageBytes(bare, 'bare.jpg');
    expect(diff(read.image.data, jpegFixtureBytes(f.decoded))).toEqual(SAME);
  });

  it('reports the EXIF orientation and keeps the stored pixels (the official code does not rotate)', async () => {
    const f = jpegFixtures().find((x) => x.name.includes('orientation'))!;
    const read = await readImageBytes(new Uint8Array(readFileSync(f.jpegPath)), f.name);
    expect(read.header.orientation?.value).toBe(6);
    expect([read.image.height, read.image.width]).toEqual(f.decoded.shape.slice(0, 2));
  });
});

describe("Pillow 9.4's CMYK → RGB", () => {
  it('nk − MULDIV255(ink, nk) with nk = 255 − k', () => {
    // inks c,m,y,k: (0,0,0,0) white; (255,255,255,0) black; (0,127,255,55): nk 200,
    // 200 − MULDIV255(0, 200) = 200, 200 − MULDIV255(127, 200) = 200 − 100 = 100, 200 − 200 = 0.
    const inks = Uint8Array.from([0, 0, 0, 0, 255, 255, 255, 0, 0, 127, 255, 55]);
    expect(Array.from(cmykToRgb(inks, 3, 4))).toEqual([255, 255, 255, 0, 0, 0, 200, 100, 0]);
  });
});
