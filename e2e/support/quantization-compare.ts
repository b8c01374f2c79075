/**
 * Comparisons between two MultiscaleQuantization results (GPU vs the CPU reference, or vs the
 * official fixtures) with the tie rule of the fixtures: an index may differ only where the
 * reference margin says the choice is a near-tie.
 */
import type { Candidates } from '../../src/core/quantizer/index.ts';
import { maxAbsDiffAt } from '../../src/test-support/compare.ts';

export interface IndexMismatch {
  readonly token: number;
  readonly expected: number;
  readonly actual: number;
  readonly expectedMargin: number;
}

/** Mismatches at tokens whose reference margin exceeds `tieMargin`, and how many near-ties differ. */
export function indexMismatches(
  expected: Int32Array,
  actual: Int32Array,
  expectedMargin: Float32Array,
  tieMargin: number,
): { clear: IndexMismatch[]; nearTie: number } {
  if (expected.length !== actual.length)
    throw new Error(`index arrays differ in length: ${expected.length} vs ${actual.length}`);
  const clear: IndexMismatch[] = [];
  let nearTie = 0;
  for (let t = 0; t < expected.length; t++) {
    if (expected[t] === actual[t]) continue;
    if (expectedMargin[t] > tieMargin)
      clear.push({ token: t, expected: expected[t], actual: actual[t], expectedMargin: expectedMargin[t] });
    else nearTie++;
  }
  return { clear, nearTie };
}

/**
 * How far two candidate lists differ: distances slot by slot, and the slots holding different
 * codes although the reference distance there is not within `tieMargin` of a neighbouring
 * slot's. The last slot is exempt: its competitor, the (k+1)-th code, is not recorded.
 */
export function candidateMismatches(
  expected: Candidates,
  actual: Candidates,
  tieMargin: number,
): { clearIndexSlots: number[]; maxDistanceDiff: number; maxSemanticDiff: number; maxPixelDiff: number } {
  if (expected.k !== actual.k || expected.indices.length !== actual.indices.length) {
    throw new Error(
      `candidate lists differ in shape: k ${expected.k} vs ${actual.k}, ${expected.indices.length} vs ${actual.indices.length} entries`,
    );
  }
  const k = expected.k;
  const clearIndexSlots: number[] = [];
  // Per-branch distances are only comparable where the same code sits in the slot.
  let maxSemanticDiff = 0;
  let maxPixelDiff = 0;
  for (let i = 0; i < expected.indices.length; i++) {
    if (expected.indices[i] === actual.indices[i]) {
      maxSemanticDiff = Math.max(maxSemanticDiff, absDiff(expected.semanticDistance[i], actual.semanticDistance[i]));
      maxPixelDiff = Math.max(maxPixelDiff, absDiff(expected.pixelDistance[i], actual.pixelDistance[i]));
      continue;
    }
    const j = i % k;
    const d = expected.distance[i];
    const tiedBefore = j > 0 && Math.abs(d - expected.distance[i - 1]) <= tieMargin;
    const tiedAfter = j < k - 1 && Math.abs(d - expected.distance[i + 1]) <= tieMargin;
    if (!tiedBefore && !tiedAfter && j !== k - 1) clearIndexSlots.push(i);
  }
  return {
    clearIndexSlots,
    maxDistanceDiff: maxAbsDiffAt(expected.distance, actual.distance).max,
    maxSemanticDiff,
    maxPixelDiff,
  };
}

function absDiff(a: number, b: number): number {
  const d = a === b ? 0 : Math.abs(a - b);
  return Number.isNaN(d) ? Infinity : d;
}
