/** Comparisons against golden tensors, returning figures that tests assert on and print. */

/** Largest |a[i] − b[i]| and where it is, so a failing test says which element broke; NaN counts as Infinity. */
export function maxAbsDiffAt(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; at: number } {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let max = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    // a[i] === b[i] first: ±Infinity in both places is no difference.
    const d = a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]);
    // NaN must fail a tolerance check, not vanish in a '>' comparison.
    if (!(d <= max)) {
      max = Number.isNaN(d) ? Infinity : d;
      at = i;
    }
  }
  return { max, at };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return maxAbsDiffAt(a, b).max;
}

export interface U8Diff {
  readonly differing: number;
  readonly maxDiff: number;
  readonly fraction: number;
}

export function u8Diff(a: Uint8Array, b: Uint8Array): U8Diff {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let differing = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d) {
      differing++;
      if (d > maxDiff) maxDiff = d;
    }
  }
  return { differing, maxDiff, fraction: differing / a.length };
}

export interface IndexAgreement {
  /** Tokens whose golden margin exceeds the tie tolerance. */
  readonly decided: number;
  /** Of those, how many differ (must be 0). */
  readonly mismatchesDecided: number;
  /** Differences at near-ties (allowed). */
  readonly mismatchesAtTies: number;
}

/** Indices must agree wherever the golden margin (second best − best distance) exceeds `tieTolerance`. */
export function indexAgreement(
  ours: Int32Array,
  golden: Int32Array,
  goldenMargin: Float32Array,
  tieTolerance = 1e-5,
): IndexAgreement {
  if (ours.length !== golden.length || golden.length !== goldenMargin.length) {
    throw new Error(
      `length mismatch: ${ours.length} indices vs ${golden.length} golden vs ${goldenMargin.length} margins`,
    );
  }
  let decided = 0;
  let mismatchesDecided = 0;
  let mismatchesAtTies = 0;
  for (let i = 0; i < ours.length; i++) {
    const differs = ours[i] !== golden[i];
    if (goldenMargin[i] > tieTolerance) {
      decided++;
      if (differs) mismatchesDecided++;
    } else if (differs) {
      mismatchesAtTies++;
    }
  }
  return { decided, mismatchesDecided, mismatchesAtTies };
}
