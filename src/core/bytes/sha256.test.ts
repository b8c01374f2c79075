import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSha256, sha256Hex } from './sha256.ts';

function nodeHex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function incrementalHex(data: Uint8Array, sizes: readonly number[]): Promise<string> {
  const h = await createSha256();
  let offset = 0;
  let k = 0;
  while (offset < data.length) {
    const n = Math.min(sizes[k++ % sizes.length], data.length - offset);
    h.update(data.subarray(offset, offset + n));
    offset += n;
  }
  return h.digestHex();
}

describe('sha256', () => {
  it('matches the FIPS 180-4 test vectors, one-shot and incremental', async () => {
    const enc = new TextEncoder();
    const vectors: [string, string][] = [
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
      [
        'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      ],
    ];
    for (const [text, hex] of vectors) {
      expect(await sha256Hex(enc.encode(text))).toBe(hex);
      expect(await incrementalHex(enc.encode(text), [7])).toBe(hex);
    }
  });

  it('gives the same digest however the input is split into chunks', async () => {
    const data = new Uint8Array(10_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
    const expected = nodeHex(data);
    for (const sizes of [[1], [63], [64], [65], [55, 56, 57], [1000, 1, 3]]) {
      expect(await incrementalHex(data, sizes), `chunk sizes ${sizes.join(',')}`).toBe(expected);
    }
  });

  it('handles every padding boundary length', async () => {
    for (let n = 0; n < 200; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 17) & 0xff);
      expect(await sha256Hex(data), `length ${n}`).toBe(nodeHex(data));
      expect(await incrementalHex(data, [64]), `length ${n}`).toBe(nodeHex(data));
    }
  });

  it('hashes a view into a larger buffer, not the whole buffer', async () => {
    const whole = new Uint8Array(256).map((_, i) => i);
    const view = whole.subarray(10, 50);
    expect(await sha256Hex(view)).toBe(nodeHex(whole.slice(10, 50)));
  });

  it('refuses input after the digest', async () => {
    const h = await createSha256();
    h.digestHex();
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
    expect(() => h.digestHex()).toThrow(/twice/);
  });
});
