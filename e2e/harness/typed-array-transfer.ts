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

/** `T` with every Float32Array and Int32Array in it, at any depth, as its EncodedArray. */
export type Encoded<T> = T extends Float32Array | Int32Array
  ? EncodedArray
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { readonly [K in keyof T]: Encoded<T[K]> }
      : T;

/** Encodes every typed array in a tree of plain objects; everything else is sent as it is. */
export function encodeArrays<T>(value: T): Encoded<T> {
  if (value instanceof Float32Array || value instanceof Int32Array) return encodeArray(value) as Encoded<T>;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value as Encoded<T>;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeArrays(v)])) as Encoded<T>;
}

/** The inverse of encodeArrays: every EncodedArray in the tree back as its typed array. */
export function decodeArrays<T>(value: Encoded<T>): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value as T;
  if (isEncodedArray(value)) return (value.dtype === 'float32' ? decodeFloat32(value) : decodeInt32(value)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeArrays(v)])) as T;
}

function isEncodedArray(value: object): value is EncodedArray {
  return 'dtype' in value && 'base64' in value && Object.keys(value).length === 2;
}

function decodeBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
