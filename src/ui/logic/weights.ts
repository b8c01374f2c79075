/**
 * The distance-weight slider (beyond the paper). The released code sums the semantic and pixel
 * squared distances 1:1 with no parameter (docs/spec.md §4 step 5); the paper describes a weighted sum.
 * One slider position t ∈ [0, 1] ↔ weights that sum to 2, so the middle is the released 1:1,
 * t = 0 is pixel distance only and t = 1 semantic only. Only the ratio changes the argmin.
 */
import type { DistanceWeights } from '../../core/quantizer/nearest-codes.ts';

export function weightsFromBalance(t: number): DistanceWeights {
  const x = Math.min(1, Math.max(0, t));
  return { semantic: Math.round(2 * x * 1000) / 1000, pixel: Math.round(2 * (1 - x) * 1000) / 1000 };
}

export function balanceOf(w: DistanceWeights): number {
  const total = w.semantic + w.pixel;
  return total > 0 ? w.semantic / total : 0.5;
}

/** True when the weights pick the same codes as the released 1:1 (any equal pair does). */
export function isReleasedWeighting(w: DistanceWeights): boolean {
  return w.semantic === w.pixel && w.semantic > 0;
}
