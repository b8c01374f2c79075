import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256Hex } from './sha256.ts';

function nodeHex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('Sha256', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    const enc = new TextEncoder();
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(enc.encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('gives the same digest however the input is split into chunks', () => {
    const data = new Uint8Array(10_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
    const expected = nodeHex(data);
    for (const sizes of [[1], [63], [64], [65], [55, 56, 57], [1000, 1, 3]]) {
      const h = new Sha256();
      let offset = 0;
      let k = 0;
      while (offset < data.length) {
        const n = Math.min(sizes[k++ % sizes.length], data.length - offset);
        h.update(data.subarray(offset, offset + n));
        offset += n;
      }
      expect(h.digestHex(), `chunk sizes ${sizes.join(',')}`).toBe(expected);
    }
  });

  it('handles every padding boundary length', () => {
    for (let n = 0; n < 200; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 17) & 0xff);
      expect(sha256Hex(data), `length ${n}`).toBe(nodeHex(data));
    }
  });

  it('refuses use after digest', () => {
    const h = new Sha256();
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
  });
});
