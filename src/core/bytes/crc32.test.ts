import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';

/** Bit-at-a-time CRC-32, the textbook definition, to check the sliced tables against. */
function slowCrc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('matches the standard check values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('matches the bit-at-a-time definition for every length up to 40 at every alignment, and when continued across chunks', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let start = 0; start < 4; start++) {
      // Every length and every misalignment of the word loop.
      for (let n = 0; n <= 40; n++)
        expect(crc32(data.subarray(start, start + n))).toBe(slowCrc(data.subarray(start, start + n)));
    }
    expect(crc32(data.subarray(3, 1000), crc32(data.subarray(0, 3)))).toBe(slowCrc(data));
    expect(crc32(data.subarray(517), crc32(data.subarray(0, 517)))).toBe(slowCrc(data));
  });
});
