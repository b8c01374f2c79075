/** Byte arrays (or any typed arrays, as their bytes) joined into one. */
export function concatBytes(...parts: readonly ArrayBufferView[]): Uint8Array {
  const bytes = parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
