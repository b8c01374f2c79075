/**
 * CRC-32 (IEEE 802.3, the zip checksum). Written here because node:zlib is not available in the
 * browser. Slicing-by-8 over 32-bit words because the writer checksums every byte of a
 * multi-GB checkpoint (~1 GB/s instead of ~0.3 GB/s byte at a time).
 */

/**
 * A CRC-32 function with crc32's contract. Readers take one as an option so Node can pass
 * zlib's (src/node/node-crc32.ts), several times faster than this one on a 1.5 GB checkpoint.
 */
export type Crc32 = (data: Uint8Array, crc?: number) => number;

const tables: Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  const out = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = out[k - 1];
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n] >>> 8) ^ t0[prev[n] & 0xff];
    out.push(t);
  }
  return out;
}

/**
 * CRC-32 of `data`; pass the previous result as `crc` to continue over several chunks
 * (`crc32(b, crc32(a))` equals `crc32(a ++ b)`).
 */
export function crc32(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables;
  let c = ~crc >>> 0;
  const n = data.length;
  let i = 0;
  // Bytes up to a 4-byte boundary, so the bulk can be read as 32-bit words.
  while (i < n && (data.byteOffset + i) % 4 !== 0) c = t0[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  // Words are little-endian on every JS engine we target, which is the byte order CRC-32 consumes.
  const wordCount = ((n - i) >> 3) << 1;
  // (No view when there are no words: a short input may end before reaching alignment.)
  const words = wordCount > 0 ? new Uint32Array(data.buffer, data.byteOffset + i, wordCount) : new Uint32Array(0);
  for (let j = 0; j < wordCount; j += 2) {
    const x = c ^ words[j];
    const y = words[j + 1];
    c =
      t7[x & 0xff] ^
      t6[(x >>> 8) & 0xff] ^
      t5[(x >>> 16) & 0xff] ^
      t4[x >>> 24] ^
      t3[y & 0xff] ^
      t2[(y >>> 8) & 0xff] ^
      t1[(y >>> 16) & 0xff] ^
      t0[y >>> 24];
  }
  i += wordCount * 4;
  while (i < n) c = t0[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
