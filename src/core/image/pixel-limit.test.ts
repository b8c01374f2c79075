import { describe, expect, it } from 'vitest';
import { PILLOW_BOMB_ERROR_PIXELS, PILLOW_MAX_IMAGE_PIXELS, pillowPixelLimit } from './pixel-limit.ts';

describe("Pillow's decompression-bomb limit", () => {
  it('is Pillow 9.4: MAX_IMAGE_PIXELS = 1024³ / 4 / 3, an error above twice that', () => {
    expect(PILLOW_MAX_IMAGE_PIXELS).toBe(Math.floor(1024 ** 3 / 4 / 3));
    expect(PILLOW_BOMB_ERROR_PIXELS).toBe(178_956_970);
  });

  it('passes photos, warns between 1× and 2× (Pillow decodes them), refuses above 2×, with the numbers', () => {
    expect(pillowPixelLimit(8000, 6000)).toEqual({ verdict: 'ok' });
    expect(pillowPixelLimit(PILLOW_MAX_IMAGE_PIXELS, 1)).toEqual({ verdict: 'ok' });
    const warned = pillowPixelLimit(10000, 9000);
    expect(warned.verdict).toBe('warning');
    expect(warned).toMatchObject({
      message: expect.stringMatching(
        /10000x9000 = 90,000,000 pixels, over Pillow's Image\.MAX_IMAGE_PIXELS of 89,478,485 .*DecompressionBombWarning/,
      ),
    });
    expect(pillowPixelLimit(PILLOW_BOMB_ERROR_PIXELS, 1).verdict).toBe('warning');
    const refused = pillowPixelLimit(PILLOW_BOMB_ERROR_PIXELS + 1, 1);
    expect(refused).toMatchObject({
      verdict: 'refused',
      message: expect.stringMatching(
        /over Pillow's decompression-bomb limit of 178,956,970 pixels \(2 × Image\.MAX_IMAGE_PIXELS = 2 × 89,478,485\)/,
      ),
    });
    expect(pillowPixelLimit(20000, 20000).verdict).toBe('refused');
  });
});
