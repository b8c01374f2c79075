/**
 * Typed arrays as base64 strings, for page.evaluate arguments and results: Playwright sends
 * them as JSON, where a plain number array of a 32768-code codebook costs tens of megabytes.
 * Used on both sides (Node 20 and the browser both have btoa/atob).
 */

export interface EncodedArray {
  readonly dtype: 'float32' | 'int32';
  readonly base64: string;
}

/** Characters per String.fromCharCode call; larger argument lists overflow the call stack. */
const CHUNK = 0x8000;

export function encodeArray(a: Float32Array | Int32Array): EncodedArray {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return { dtype: a instanceof Float32Array ? 'float32' : 'int32', base64: btoa(binary) };
}

export function decodeFloat32(e: EncodedArray): Float32Array {
  if (e.dtype !== 'float32') throw new Error(`expected an encoded float32 array, got ${e.dtype}`);
  return new Float32Array(decodeBytes(e.base64).buffer);
}

export function decodeInt32(e: EncodedArray): Int32Array {
  if (e.dtype !== 'int32') throw new Error(`expected an encoded int32 array, got ${e.dtype}`);
  return new Int32Array(decodeBytes(e.base64).buffer);
}

function decodeBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
