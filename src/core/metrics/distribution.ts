/** Summaries of a metric over a dataset: mean, quantiles and a histogram, ignoring non-finite values. */

export interface Distribution {
  /** Finite values counted; the others (e.g. PSNR = ∞ of an exact reconstruction) are in `nonFinite`. */
  readonly count: number;
  readonly nonFinite: number;
  readonly mean: number | null;
  readonly min: number | null;
  readonly p10: number | null;
  readonly p25: number | null;
  readonly median: number | null;
  readonly p75: number | null;
  readonly p90: number | null;
  readonly max: number | null;
}

export function distribution(values: ArrayLike<number>): Distribution {
  const finite: number[] = [];
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) finite.push(values[i]);
    else nonFinite++;
  }
  const sorted = Float64Array.from(finite).sort();
  const q = (p: number) => (sorted.length ? quantileSorted(sorted, p) : null);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    nonFinite,
    mean: sorted.length ? sum / sorted.length : null,
    min: q(0),
    p10: q(0.1),
    p25: q(0.25),
    median: q(0.5),
    p75: q(0.75),
    p90: q(0.9),
    max: q(1),
  };
}

/** numpy's default ("linear") quantile of ascending values. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new Error('quantile of an empty list');
  if (!(p >= 0 && p <= 1)) throw new Error(`quantile p must be in [0, 1], got ${p}`);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface Histogram {
  /** bins + 1 ascending edges; bin i holds edges[i] ≤ v < edges[i+1], the last bin includes its right edge. */
  readonly edges: number[];
  readonly counts: number[];
}

/** Equal-width histogram over [lo, hi]; values outside are clamped into the end bins. */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins: number): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram bins must be a positive integer, got ${bins}`);
  if (!(hi > lo)) throw new Error(`histogram range [${lo}, ${hi}] is empty`);
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
    counts[b]++;
  }
  return { edges, counts };
}
