/**
 * Property-based fuzzing of the Node image readers (fast-check, fixed seed and run count): small
 * real PNG, JPEG (baseline, progressive, grey, CMYK) and WebP files with bytes changed or cut
 * decode to an image of the header's size or are refused with an Error naming the file, never
 * anything else; and any header over Pillow's bomb limit is refused before decoding.
 */
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { PILLOW_BOMB_ERROR_PIXELS } from '../core/image/pixel-limit.ts';
import { pngHeaderOnly, webpLossless } from '../test-support/dataset-inputs.ts';
import { encodePng, readImageBytes } from './image-io.ts';

const SEED = 20261203;
const NAME = 'fuzz.img';

async function checkRead(bytes: Uint8Array): Promise<void> {
  try {
    const r = await readImageBytes(bytes, NAME);
    expect([r.image.width, r.image.height]).toEqual([r.header.width, r.header.height]);
    expect(r.image.data.length).toBe(r.image.width * r.image.height * 3);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message.startsWith(`${NAME}: `), (e as Error).message).toBe(true);
  }
}

describe('Node image readers under fuzzing', () => {
  const seeds: Uint8Array[] = [];
  beforeAll(async () => {
    const w = 24;
    const h = 16;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 29) % 256);
    const raw = () => sharp(rgb, { raw: { width: w, height: h, channels: 3 } });
    seeds.push(
      encodePng({ width: w, height: h, data: rgb }),
      new Uint8Array(await raw().jpeg({ quality: 80 }).toBuffer()),
      new Uint8Array(await raw().jpeg({ quality: 80, progressive: true }).toBuffer()),
      new Uint8Array(await raw().grayscale().jpeg().toBuffer()),
      new Uint8Array(await raw().toColourspace('cmyk').jpeg().toBuffer()),
      await webpLossless({ width: w, height: h, data: rgb }),
    );
    for (const s of seeds) await expect(readImageBytes(s, NAME)).resolves.toBeDefined();
  });

  it('real files with bytes changed or cut: an image of the header’s size, or an Error naming the file', async () => {
    const mutated = fc
      .tuple(
        fc.nat({ max: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
      )
      .map(([which, edits, cut]) => {
        const b = seeds[which].slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
      });
    await fc.assert(fc.asyncProperty(mutated, checkRead), { seed: SEED, numRuns: 400 });
  }, 120_000);

  it('any PNG header over Pillow’s bomb limit is refused from the header, with the limit named', async () => {
    const side = fc.integer({ min: 1, max: 0x7fffffff });
    await fc.assert(
      fc.asyncProperty(side, side, async (w, h) => {
        fc.pre(w * h > PILLOW_BOMB_ERROR_PIXELS);
        await expect(readImageBytes(pngHeaderOnly(w, h), NAME)).rejects.toThrow(
          /decompression-bomb limit of 178,956,970 pixels/,
        );
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
