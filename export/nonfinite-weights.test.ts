import { describe, expect, it } from 'vitest';
import { countNonFinite } from './nonfinite-weights.ts';

function naive(values: Float32Array): { nan: number; inf: number } {
  let nan = 0;
  let inf = 0;
  for (const v of values) {
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
  }
  return { nan, inf };
}

describe('countNonFinite', () => {
  it('counts NaN and ±Inf placed anywhere, in every length up to 13 and in views at every offset', () => {
    const whole = Float32Array.from({ length: 40 }, (_, i) => (i - 20) * 0.37);
    // The largest finite float32 shares most exponent bits with Inf and must not count.
    whole[3] = 3.4028234663852886e38;
    whole[4] = -0;
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (let at = 0; at < 13; at++) {
        for (let offset = 0; offset < 5; offset++) {
          for (let length = 0; length <= 13; length++) {
            const values = whole.slice().subarray(offset, offset + length);
            if (at < length) values[at] = bad;
            expect(countNonFinite(values), `${bad} at ${at} of ${length}, offset ${offset}`).toEqual(naive(values));
          }
        }
      }
    }
  });

  it('counts every one when many are damaged, including NaNs with any payload', () => {
    const values = new Float32Array(1001).fill(1);
    const bits = new Uint32Array(values.buffer);
    for (let i = 5; i < values.length; i += 7) bits[i] = 0x7f800000 | (i & 0x7fffff); // NaN (Inf when i & mask is 0)
    for (let i = 6; i < values.length; i += 11) values[i] = -Infinity;
    const expected = naive(values);
    expect(expected.nan).toBeGreaterThan(100);
    expect(expected.inf).toBeGreaterThan(80);
    expect(countNonFinite(values)).toEqual(expected);
  });

  it('finds nothing in finite data, subnormals and zeros included', () => {
    const values = Float32Array.from([0, -0, 1e-45, -1e-45, 1.17549435e-38, 1, -1, 65504, 1e30]);
    expect(countNonFinite(values)).toEqual({ nan: 0, inf: 0 });
  });
});
