/** Storage dtypes: element sizes and the conversion of raw little-endian bytes to float32. */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import { bfloat16ToFloat32, float16ToFloat32 } from './half.ts';
import type { StorageDType } from './state-dict.ts';

export const DTYPE_SIZE: Readonly<Record<StorageDType, 1 | 2 | 4 | 8>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/**
 * Bytes as a buffer whose offset suits an element size. Sources may hand back views at odd
 * offsets (a subarray of a larger file image); typed-array views need natural alignment.
 */
export function aligned(bytes: Uint8Array, elementSize: number): Uint8Array {
  return bytes.byteOffset % elementSize === 0 ? bytes : bytes.slice();
}

/**
 * Converts `count` elements of raw little-endian `dtype` data to a new float32 array.
 * float16/bfloat16 widen exactly; integers convert by value (int64 beyond 2^24 rounds to the
 * nearest float32, as `tensor.float()` does); bool becomes 0/1. `owned`: the caller gives
 * `bytes` away, so aligned float32 data is returned as a view of them instead of a copy (a
 * copy of each weight was a tenth of a 1.5 GB export's time).
 */
export function decodeToFloat32(bytes: Uint8Array, dtype: StorageDType, count: number, owned = false): Float32Array {
  const size = DTYPE_SIZE[dtype];
  if (bytes.byteLength < count * size) {
    throw new CheckpointError(
      `decodeToFloat32: ${count} ${dtype} elements need ${count * size} bytes, got ${bytes.byteLength}`,
    );
  }
  const b = aligned(bytes, size);
  const at = b.byteOffset;
  switch (dtype) {
    case 'float32': {
      if (owned && b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, count);
      const out = new Float32Array(count);
      new Uint8Array(out.buffer).set(b.subarray(0, count * 4));
      return out;
    }
    case 'float16':
      return float16ToFloat32(new Uint16Array(b.buffer, at, count));
    case 'bfloat16':
      return bfloat16ToFloat32(new Uint16Array(b.buffer, at, count));
    case 'float64':
      return Float32Array.from(new Float64Array(b.buffer, at, count));
    case 'int64': {
      const src = new Int32Array(b.buffer, at, count * 2);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const lo = src[2 * i] >>> 0;
        const hi = src[2 * i + 1];
        // hi * 2^32 + lo is exact below 2^53; beyond that, BigInt avoids a double rounding step.
        out[i] = hi > -0x200000 && hi < 0x200000 ? hi * 4294967296 + lo : Number((BigInt(hi) << 32n) | BigInt(lo));
      }
      return out;
    }
    case 'int32':
      return Float32Array.from(new Int32Array(b.buffer, at, count));
    case 'int16':
      return Float32Array.from(new Int16Array(b.buffer, at, count));
    case 'int8':
      return Float32Array.from(new Int8Array(b.buffer, at, count));
    case 'uint8':
      return Float32Array.from(b.subarray(0, count));
    case 'bool': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = b[i] !== 0 ? 1 : 0;
      return out;
    }
  }
}
