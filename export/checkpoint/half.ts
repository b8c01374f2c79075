/**
 * 16-bit float conversions. Widening (float16/bfloat16 → float32) is exact, NaN payloads
 * included, because every 16-bit value is representable in float32; narrowing rounds to
 * nearest, ties to even, like PyTorch's `.half()` / `.bfloat16()`.
 */

let halfToSingleBits: Uint32Array | undefined;

/** float32 bit patterns of all 65536 float16 values, built once (256 KiB) for fast widening. */
function halfTable(): Uint32Array {
  if (halfToSingleBits) return halfToSingleBits;
  const table = new Uint32Array(65536);
  const scratch = new Float32Array(1);
  const scratchBits = new Uint32Array(scratch.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) {
      // Inf/NaN: keep the payload bits so a widened NaN is still recognisably the same NaN.
      table[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0;
    } else if (exp === 0) {
      // Zero and subnormals: value = mant * 2^-24, exact in float32.
      scratch[0] = mant * 2 ** -24;
      table[h] = (sign | scratchBits[0]) >>> 0;
    } else {
      table[h] = (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
    }
  }
  halfToSingleBits = table;
  return table;
}

/** Widens float16 bit patterns to float32, exactly. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const table = halfTable();
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = table[bits[i]];
  return out;
}

/** Widens bfloat16 bit patterns to float32, exactly (bfloat16 is the top half of a float32). */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i] << 16;
  return out;
}

/** Narrows float32 to float16 bit patterns, round to nearest even; overflow becomes ±Inf. */
export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const inBits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = singleBitsToHalfBits(inBits[i]);
  return out;
}

/** Narrows float32 to bfloat16 bit patterns, round to nearest even; NaNs stay NaN (quiet). */
export function float32ToBfloat16Bits(values: Float32Array): Uint16Array {
  const inBits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = inBits[i];
    if ((x & 0x7fffffff) > 0x7f800000) {
      // Truncating a NaN could clear every mantissa bit and produce Inf; force the quiet bit.
      out[i] = (x >>> 16) | 0x40;
    } else {
      out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}

function singleBitsToHalfBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) {
    // NaN keeps its top payload bits and is forced quiet so it cannot collapse into Inf.
    return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  }
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Below 2^-25 everything rounds to zero (exactly 2^-25 is a tie that goes to even = 0).
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let result = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (result & 1) === 1)) result++;
    return sign | result;
  }
  let result = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and reaches Inf at the top).
  if (rem > 0x1000 || (rem === 0x1000 && (result & 1) === 1)) result++;
  return sign | result;
}
