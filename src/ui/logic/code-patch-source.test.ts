import { describe, expect, it } from 'vitest';
import { patchSourceOf } from './code-patch-source.ts';
import { createTokenLayout } from './token-layout.ts';

describe('where a code’s patch comes from', () => {
  const layout = createTokenLayout(4, [1, 2, 4]);
  // scale 1: [5]; scale 2: [7, 5, 1, 1]; scale 4: 16 tokens, code 7 at (2, 3)
  const tokens = Int32Array.from([5, 7, 5, 1, 1, ...Array.from({ length: 16 }, (_, i) => (i === 11 ? 7 : 0))]);

  it('prefers an occurrence at the inspected scale, else the nearest scale', () => {
    expect(patchSourceOf(layout, tokens, 7, 2)).toEqual({ scaleIndex: 2, row: 2, col: 3 });
    expect(patchSourceOf(layout, tokens, 7, 1)).toEqual({ scaleIndex: 1, row: 0, col: 0 });
    expect(patchSourceOf(layout, tokens, 5, 2)).toEqual({ scaleIndex: 1, row: 0, col: 1 });
    expect(patchSourceOf(layout, tokens, 5, 0)).toEqual({ scaleIndex: 0, row: 0, col: 0 });
  });

  it('finds nothing for a code the image does not use', () => {
    expect(patchSourceOf(layout, tokens, 99, 2)).toBeUndefined();
  });
});
