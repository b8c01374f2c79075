/**
 * The official output conversion (docs/spec.md §6): `clamp(127.5·y + 128, 0, 255).to(torch.uint8)`,
 * channels last. Evaluated in float32 because torch does: in float64 a few values that land on
 * an integer boundary truncate differently.
 */

/**
 * One decoder value → one uint8 sample. NaN gives 0 (black): torch's clamp propagates NaN, and
 * its float→uint8 cast on CPU (a truncating conversion through int) yields 0 for NaN, so a NaN
 * in the decoder shows up as black pixels in the official recon.png. We reproduce that rather than
 * hide it; `decoderOutputHealth` reports it.
 */
export function decoderValueToU8(y: number): number {
  const v = Math.fround(Math.fround(127.5 * Math.fround(y)) + 128);
  if (Number.isNaN(v)) return 0;
  if (v <= 0) return 0;
  if (v >= 255) return 255;
  return Math.trunc(v);
}

/** Decoder output (1,3,size,size) float32 NCHW → size·size·3 uint8 HWC RGB. */
export function toImageU8(y: Float32Array, size: number): Uint8Array {
  if (!Number.isInteger(size) || size < 1) throw new Error(`toImageU8: size must be a positive integer, got ${size}`);
  const plane = size * size;
  if (y.length !== 3 * plane) {
    throw new Error(`toImageU8: decoder output has ${y.length} values but (1,3,${size},${size}) needs ${3 * plane}`);
  }
  const out = new Uint8Array(3 * plane);
  for (let i = 0, o = 0; i < plane; i++, o += 3) {
    out[o] = decoderValueToU8(y[i]);
    out[o + 1] = decoderValueToU8(y[plane + i]);
    out[o + 2] = decoderValueToU8(y[2 * plane + i]);
  }
  return out;
}

/** What the uint8 conversion had to paper over; all zero for a healthy decoder. */
export interface DecoderOutputHealth {
  readonly total: number;
  /** NaN values (rendered black). */
  readonly nan: number;
  readonly posInf: number;
  readonly negInf: number;
  /** Finite values whose 127.5·y+128 fell below 0 (y < −1.0039…). */
  readonly clampedLow: number;
  /** Finite values whose 127.5·y+128 exceeded 255 (y > 0.996…). */
  readonly clampedHigh: number;
  /** Smallest and largest finite values; NaN when there are none. */
  readonly min: number;
  readonly max: number;
}

export function decoderOutputHealth(y: Float32Array): DecoderOutputHealth {
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let clampedLow = 0;
  let clampedHigh = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < y.length; i++) {
    const x = y[i];
    if (Number.isNaN(x)) nan++;
    else if (x === Infinity) posInf++;
    else if (x === -Infinity) negInf++;
    else {
      if (x < min) min = x;
      if (x > max) max = x;
      const v = Math.fround(Math.fround(127.5 * x) + 128);
      if (v < 0) clampedLow++;
      else if (v > 255) clampedHigh++;
    }
  }
  const anyFinite = min <= max;
  return {
    total: y.length,
    nan,
    posInf,
    negInf,
    clampedLow,
    clampedHigh,
    min: anyFinite ? min : NaN,
    max: anyFinite ? max : NaN,
  };
}

/** True when no value was NaN or infinite (clamping alone is normal for a decoder). */
export function isDecoderOutputFinite(h: DecoderOutputHealth): boolean {
  return h.nan === 0 && h.posInf === 0 && h.negInf === 0;
}
