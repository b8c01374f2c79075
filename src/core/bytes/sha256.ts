/**
 * SHA-256 of package files, the same in the browser and in Node. A file already in memory is
 * hashed by WebCrypto (native; Node ≥ 20 has it too). A file written while it streams out (ONNX
 * weights of 1–2 GB) needs an incremental hash, which WebCrypto lacks: that one is hash-wasm's,
 * WebAssembly embedded in the package, so nothing is fetched at run time. Node's exporter swaps
 * in node:crypto's (the CPU's SHA instructions, ~8× faster here), which is where a 1.5 GB export
 * spends its hashing time.
 */
import { createSHA256 } from 'hash-wasm';

export interface IncrementalSha256 {
  update(data: Uint8Array): void;
  /** The digest as 64 lowercase hex digits; the hash takes no more input afterwards. */
  digestHex(): string;
}

/** Makes a fresh incremental hash; Node passes one over node:crypto (see src/node/node-sha256.ts). */
export type Sha256Factory = () => Promise<IncrementalSha256>;

export const createSha256: Sha256Factory = async () => {
  const hasher = await createSHA256();
  return digestOnce({ update: (data) => hasher.update(data), digestHex: () => hasher.digest('hex') });
};

/** Wraps a hash so that input after the digest, or a second digest, throws instead of lying. */
export function digestOnce(hash: IncrementalSha256): IncrementalSha256 {
  let finished = false;
  return {
    update(data) {
      if (finished) throw new Error('sha256: update after digest');
      hash.update(data);
    },
    digestHex() {
      if (finished) throw new Error('sha256: digest taken twice');
      finished = true;
      return hash.digestHex();
    },
  };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
