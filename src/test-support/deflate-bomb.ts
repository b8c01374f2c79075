/**
 * A raw deflate stream of `size` zero bytes built directly in fixed-Huffman codes (one literal,
 * then back-references of 258 bytes at distance 1, 13 bits each): 1 GiB takes 6.8 MB and a
 * fraction of a second to make, where zlib would need seconds of CPU to compress the zeros.
 */
export function zeroDeflateBomb(size: number): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`zeroDeflateBomb: size ${size}`);
  const matches = Math.floor((size - 1) / 258);
  const literals = 1 + ((size - 1) % 258);
  const out = new Uint8Array(Math.ceil((3 + 8 * literals + 13 * matches + 7) / 8));
  let bitPos = 0;
  // Header fields are packed from the least significant bit; Huffman codes most significant first.
  const field = (value: number, count: number) => {
    for (let i = 0; i < count; i++, bitPos++) if ((value >> i) & 1) out[bitPos >> 3] |= 1 << (bitPos & 7);
  };
  const code = (value: number, count: number) => {
    for (let i = count - 1; i >= 0; i--, bitPos++) if ((value >> i) & 1) out[bitPos >> 3] |= 1 << (bitPos & 7);
  };
  field(1, 1); // BFINAL
  field(1, 2); // BTYPE 01: fixed Huffman codes
  code(0x30, 8); // literal 0
  for (let i = 0; i < matches; i++) {
    code(0xc5, 8); // length symbol 285: 258 bytes
    code(0, 5); // distance code 0: distance 1
  }
  for (let i = 1; i < literals; i++) code(0x30, 8);
  code(0, 7); // end of block (symbol 256)
  return out;
}
