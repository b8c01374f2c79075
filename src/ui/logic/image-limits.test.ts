import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_PIXELS, sizeProblem } from './image-limits.ts';

describe('sizeProblem', () => {
  it('accepts photos and refuses empty, too-wide and too-many-pixel images', () => {
    expect(sizeProblem(4032, 3024)).toBeUndefined();
    expect(sizeProblem(0, 10)).toMatch(/empty/);
    expect(sizeProblem(20000, 10)).toMatch(/16384/);
    expect(sizeProblem(10000, 10000)).toMatch(new RegExp(`${MAX_IMAGE_PIXELS / 1e6} MP`));
  });

  it("refuses decompression bombs with Pillow's numbers first", () => {
    expect(sizeProblem(20000, 20000)).toMatch(
      /20000x20000 = 400,000,000 pixels, over Pillow's decompression-bomb limit of 178,956,970 pixels/,
    );
  });
});
