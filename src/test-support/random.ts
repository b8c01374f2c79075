/** Deterministic pseudo-random data for tests and benchmarks, so failures and timings reproduce. */
import { mulberry32 } from '../core/seeded-random.ts';

/** `n` values uniform in [−1, 1) from mulberry32 seeded with `seed`. */
export function randomArray(n: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = next() * 2 - 1;
  return out;
}
