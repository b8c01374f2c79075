import { describe, expect, it } from 'vitest';
import { crc32 } from '../core/bytes/crc32.ts';
import { nodeCrc32 } from './node-crc32.ts';

describe('nodeCrc32', () => {
  it('agrees with the portable CRC-32 on check values, every short length and alignment, and across chunks', () => {
    expect(nodeCrc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(nodeCrc32(new Uint8Array(0))).toBe(0);
    const data = Uint8Array.from({ length: 70_001 }, (_, i) => (i * 131 + (i >> 9)) & 0xff);
    for (let start = 0; start < 4; start++)
      for (let n = 0; n <= 40; n++)
        expect(nodeCrc32(data.subarray(start, start + n))).toBe(crc32(data.subarray(start, start + n)));
    expect(nodeCrc32(data)).toBe(crc32(data));
    expect(nodeCrc32(data.subarray(12_345), nodeCrc32(data.subarray(0, 12_345)))).toBe(crc32(data));
  });
});
