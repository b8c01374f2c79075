/**
 * Which codes an image uses most, for the codebook view. Distinct-code counts and the
 * session's tally come from the core metrics (codebookUsage, CodebookTally); this only ranks.
 */

export interface CodeCount {
  readonly code: number;
  readonly count: number;
}

/** The `limit` most frequent codes, most frequent first, ties by lower code. */
export function topCodes(indices: ArrayLike<number>, limit: number): CodeCount[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < indices.length; i++) counts.set(indices[i], (counts.get(indices[i]) ?? 0) + 1);
  return [...counts.entries()]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code - b.code)
    .slice(0, limit);
}
