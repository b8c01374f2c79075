import { describe, expect, it } from 'vitest';
import { topCodes } from './code-usage.ts';

describe('topCodes', () => {
  it('ranks by count, then by code', () => {
    expect(topCodes([5, 3, 5, 9, 3, 1, 5], 3)).toEqual([
      { code: 5, count: 3 },
      { code: 3, count: 2 },
      { code: 1, count: 1 },
    ]);
    expect(topCodes([], 3)).toEqual([]);
  });
});
