/**
 * The fixed geometry of the multi-scale scheme (docs/spec.md §4.1): which scales, where each scale's
 * tokens sit in the flat index sequence, and the resampling operators between S and each s.
 * Built once per (S, scales) and shared by encode and decode so they cannot disagree.
 */
import { areaMatrix, bicubicMatrix, type ResampleMatrix } from '../resample.ts';

export interface ScalePlan {
  /** Side of the final token grid. */
  readonly S: number;
  readonly scales: readonly number[];
  /** tokenOffsets[i] = Σ_{j<i} scales[j]²; length scales.length + 1, last = total tokens. */
  readonly tokenOffsets: readonly number[];
  readonly numTokens: number;
  /** area S→s per scale: r_s = A·X·Aᵀ. */
  readonly down: readonly ResampleMatrix[];
  /** bicubic s→S per scale: u_s = U·Q·Uᵀ. */
  readonly up: readonly ResampleMatrix[];
}

export function createScalePlan(S: number, scales: readonly number[]): ScalePlan {
  if (!Number.isInteger(S) || S < 1) throw new Error(`final grid side S must be a positive integer, got ${S}`);
  if (scales.length === 0) throw new Error('scale list is empty');
  scales.forEach((s, i) => {
    // Scales above S would mean upsampling the residual, which the official scale lists never do.
    if (!Number.isInteger(s) || s < 1 || s > S) {
      throw new Error(`scales[${i}] = ${s} is not an integer in [1, S=${S}]`);
    }
  });
  const tokenOffsets = [0];
  for (const s of scales) tokenOffsets.push(tokenOffsets[tokenOffsets.length - 1] + s * s);
  return {
    S,
    scales: [...scales],
    tokenOffsets,
    numTokens: tokenOffsets[scales.length],
    down: scales.map((s) => areaMatrix(S, s)),
    up: scales.map((s) => bicubicMatrix(s, S)),
  };
}

/**
 * How many leading scales a token count covers; throws unless it is a prefix sum of s²
 * (`decode_code` accepts a prefix of the scales, docs/spec.md §4.2).
 */
export function scalesCoveredBy(plan: ScalePlan, tokenCount: number): number {
  const n = plan.tokenOffsets.indexOf(tokenCount);
  if (n < 1) {
    throw new Error(
      `${tokenCount} indices is not a whole number of scales; ` +
        `expected one of ${plan.tokenOffsets.slice(1).join(', ')} for scales [${plan.scales.join(',')}]`,
    );
  }
  return n;
}
