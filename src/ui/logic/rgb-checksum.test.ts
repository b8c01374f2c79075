import { describe, expect, it } from 'vitest';
import { fnv1a32 } from './rgb-checksum.ts';

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    expect(fnv1a32(new Uint8Array())).toBe('811c9dc5');
    expect(fnv1a32(ascii('a'))).toBe('e40c292c');
    expect(fnv1a32(ascii('foobar'))).toBe('bf9cf968');
  });
});
