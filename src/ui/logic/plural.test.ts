import { describe, expect, it } from 'vitest';
import { count } from './plural.ts';

describe('counts with their noun', () => {
  it('uses the singular for exactly one', () => {
    expect(count(1, 'token')).toBe('1 token');
    expect(count(0, 'token')).toBe('0 tokens');
    expect(count(1024, 'code')).toBe('1,024 codes');
    expect(count(2, 'match', 'matches')).toBe('2 matches');
  });
});
