/**
 * Property-based fuzzing of the header reader (fast-check, fixed seed and run count, so `npm
 * test` is repeatable): on any bytes, and on real headers with bytes changed or cut, it returns a
 * well-formed header or throws an Error naming the file; it never throws anything else, never
 * reads an orientation outside the file, and the upright copy always reads 1.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../bytes/crc32.ts';
import { readImageHeader, sniffImageFormat, withUprightOrientation, type ImageHeader } from './image-header.ts';

const SEED = 20261203;
const NAME = 'fuzz.bin';

/** Either a header that makes sense for `bytes`, or an Error whose message starts with the name. */
function checkRead(bytes: Uint8Array): ImageHeader | undefined {
  let h: ImageHeader;
  try {
    h = readImageHeader(bytes, NAME);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message.startsWith(`${NAME}: `)).toBe(true);
    return undefined;
  }
  expect(h.format).toBe(sniffImageFormat(bytes));
  for (const side of [h.width, h.height])
    if (side !== undefined) expect(Number.isInteger(side) && side >= 0).toBe(true);
  if (h.orientation) {
    expect(h.orientation.value).toBeGreaterThanOrEqual(1);
    expect(h.orientation.value).toBeLessThanOrEqual(8);
    expect(h.orientation.offset + 2).toBeLessThanOrEqual(bytes.length);
    const upright = withUprightOrientation(bytes, h.orientation);
    expect(upright.length).toBe(bytes.length);
    expect(readImageHeader(upright, NAME).orientation?.value).toBe(1);
  }
  return h;
}

const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const tiff = (value: number) => [
  0x4d,
  0x4d,
  0,
  42,
  ...be32(8),
  0,
  1,
  0x01,
  0x12,
  0,
  3,
  ...be32(1),
  0,
  value,
  0,
  0,
  ...be32(0),
];
const pngChunk = (type: string, data: number[]) => {
  const td = Uint8Array.from([...Buffer.from(type, 'latin1'), ...data]);
  return [...be32(data.length), ...td, ...be32(crc32(td))];
};

/** Small but real headers of every format, with an orientation tag where the format has one. */
const SEEDS: Uint8Array[] = [
  Uint8Array.from([
    0xff,
    0xd8,
    0xff,
    0xe1,
    0,
    8 + 26,
    ...Buffer.from('Exif\0\0', 'latin1'),
    ...tiff(6),
    0xff,
    0xc0,
    0,
    17,
    8,
    0,
    48,
    0,
    64,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
    0xff,
    0xda,
    0,
    2,
    0xff,
    0xd9,
  ]),
  Uint8Array.from([
    0x89,
    0x50,
    0x4e,
    0x47,
    13,
    10,
    26,
    10,
    ...pngChunk('IHDR', [...be32(64), ...be32(48), 8, 6, 0, 0, 0]),
    ...pngChunk('eXIf', tiff(8)),
    ...pngChunk('tRNS', [0, 1]),
    ...pngChunk('IDAT', []),
  ]),
  Uint8Array.from([
    ...Buffer.from('RIFF', 'latin1'),
    60,
    0,
    0,
    0,
    ...Buffer.from('WEBPVP8X', 'latin1'),
    10,
    0,
    0,
    0,
    0x18,
    0,
    0,
    0,
    63,
    0,
    0,
    47,
    0,
    0,
    ...Buffer.from('EXIF', 'latin1'),
    26,
    0,
    0,
    0,
    ...tiff(3),
  ]),
  Uint8Array.from([...Buffer.from('GIF89a', 'latin1'), 64, 0, 48, 0]),
  Uint8Array.from([...Buffer.from('BM', 'latin1'), ...new Array(16).fill(0), 64, 0, 0, 0, 48, 0, 0, 0]),
];

/** A seed file with some bytes set to random values, possibly cut short. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([seed, edits, cut]) => {
    const b = seed.slice();
    for (const [at, v] of edits) b[at % b.length] = v;
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  });

describe('readImageHeader under fuzzing', () => {
  it('the seed headers are read as written (so mutations start from real files)', () => {
    expect(
      SEEDS.map((b) => readImageHeader(b, NAME)).map((h) => [h.format, h.width, h.height, h.orientation?.value]),
    ).toEqual([
      ['jpeg', 64, 48, 6],
      ['png', 64, 48, 8],
      ['webp', 64, 48, 3],
      ['gif', 64, 48, undefined],
      ['bmp', 64, 48, undefined],
    ]);
  });

  it('any bytes: a sane header or an Error naming the file', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (b) => void checkRead(b)),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('real headers with bytes changed or cut: a sane header or an Error naming the file', () => {
    fc.assert(
      fc.property(mutated, (b) => void checkRead(b)),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
