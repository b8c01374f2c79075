import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from './half.ts';

/** float16 decoded from its definition, independently of half.ts. */
function halfByDefinition(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const allHalves = Uint16Array.from({ length: 65536 }, (_, i) => i);

describe('16-bit floats', () => {
  it('float16 → float32 is exact for all 65536 values, keeping the sign of zero and NaN payloads', () => {
    const f = float16ToFloat32(allHalves);
    const bits = new Uint32Array(f.buffer);
    for (let h = 0; h < 65536; h++) {
      const expected = halfByDefinition(h);
      if (Number.isNaN(expected)) {
        expect(Number.isNaN(f[h])).toBe(true);
        expect(bits[h] >>> 13, `NaN payload of ${h}`).toBe(((h & 0x8000) << 3) | 0x3fc00 | (h & 0x3ff));
      } else if (!Object.is(f[h], expected)) {
        throw new Error(`float16 0x${h.toString(16)}: got ${f[h]}, expected ${expected}`);
      }
    }
  });

  it('float32 → float16 round-trips every float16 exactly and rounds to nearest even', () => {
    const back = float32ToFloat16Bits(float16ToFloat32(allHalves));
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN) expect((back[h] & 0x7c00) === 0x7c00 && (back[h] & 0x3ff) !== 0).toBe(true);
      else if (back[h] !== h) throw new Error(`float16 0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
    }
    const cases: [number, number][] = [
      [1 + 2 ** -11, 0x3c00], // tie → even (down)
      [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
      [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
      [65504, 0x7bff],
      [65519.99, 0x7bff],
      [65520, 0x7c00], // rounds to Inf
      [1e9, 0x7c00],
      [-1e9, 0xfc00],
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000], // tie with zero → even
      [2 ** -25 + 2 ** -40, 0x0001],
      [3 * 2 ** -25, 0x0002], // subnormal tie → even
      [2 ** -14 - 2 ** -25, 0x0400], // largest subnormal tie rounds up into the normals
      [1e-10, 0x0000],
      [-0, 0x8000],
      [0.1, 0x2e66],
      [-Infinity, 0xfc00],
    ];
    const got = float32ToFloat16Bits(Float32Array.from(cases, ([v]) => v));
    cases.forEach(([v, bits], i) => expect(got[i], `${v}`).toBe(bits));
  });

  it('float32 → float16 agrees with nearest-value search on many random floats', () => {
    let s = 7;
    const values = Float32Array.from({ length: 20000 }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32 - 0.5) * 2 ** ((s % 40) - 24);
    });
    const halves = float32ToFloat16Bits(values);
    const widened = float16ToFloat32(halves);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const h = halves[i];
      // Neighbours of the chosen half must not be closer to v.
      for (const n of [h - 1, h + 1]) {
        if ((n & 0x7fff) >= 0x7c00 || n < 0 || (n & 0x8000) !== (h & 0x8000)) continue;
        expect(Math.abs(halfByDefinition(n) - v)).toBeGreaterThanOrEqual(Math.abs(widened[i] - v));
      }
    }
  });

  it('bfloat16 widens exactly and narrows to nearest even, keeping NaN a NaN', () => {
    expect([...bfloat16ToFloat32(Uint16Array.of(0x3f80, 0xc000, 0x7f80, 0x0001, 0x8000))]).toEqual([
      1,
      -2,
      Infinity,
      2 ** -133,
      -0,
    ]);
    const narrowed = float32ToBfloat16Bits(Float32Array.of(1, 0.1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4e38, NaN, -0));
    expect([...narrowed]).toEqual([0x3f80, 0x3dcd, 0x3f80, 0x3f82, 0x7f80, narrowed[5], 0x8000]);
    expect(Number.isNaN(bfloat16ToFloat32(Uint16Array.of(narrowed[5]))[0])).toBe(true);
    // A NaN whose payload lives only in the low 16 bits must not turn into Inf.
    const lowNaN = new Float32Array(new Uint32Array([0x7f800001]).buffer);
    expect(Number.isNaN(bfloat16ToFloat32(float32ToBfloat16Bits(lowNaN))[0])).toBe(true);
  });
});
