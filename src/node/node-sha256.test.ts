import { describe, expect, it } from 'vitest';
import { createSha256 } from '../core/bytes/sha256.ts';
import { nodeSha256 } from './node-sha256.ts';

describe('nodeSha256', () => {
  it('gives the digest of the browser hasher for the same bytes in different chunks', async () => {
    const data = new Uint8Array(100_003).map((_, i) => (i * 2654435761) >>> 24);
    const wasm = await createSha256();
    wasm.update(data);
    const node = await nodeSha256();
    for (let at = 0; at < data.length; at += 4093) node.update(data.subarray(at, at + 4093));
    expect(node.digestHex()).toBe(wasm.digestHex());
  });

  it('refuses input after the digest', async () => {
    const h = await nodeSha256();
    expect(h.digestHex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
  });
});
