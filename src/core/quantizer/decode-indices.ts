/**
 * f̂ from token indices alone (`decode_code`, docs/spec.md §4.2): per scale gather the normalised code
 * rows, bicubic-upsample to S×S and sum. With fewer scales it gives the progressive preview
 * the UI shows while tokens arrive.
 */
import { checkCodebooks, codePlanesInto, type Codebooks } from './codebook.ts';
import { resizePlanes } from '../resample.ts';
import { createScalePlan, scalesCoveredBy } from './scale-plan.ts';

export interface DecodeIndicesOptions {
  /** Sum only the first n scales (default: every scale the indices cover). */
  readonly scalesUsed?: number;
}

/**
 * @param indices a prefix of the scale-major token sequence: Σ_{i<n} scales[i]² values in [0, K).
 * @returns f̂ (1, Ds+Dp, S, S), float32.
 */
export function decodeIndices(
  indices: Int32Array | readonly number[],
  scales: readonly number[],
  S: number,
  codebooks: Codebooks,
  options: DecodeIndicesOptions = {},
): Float32Array {
  checkCodebooks(codebooks);
  const plan = createScalePlan(S, scales);
  const covered = scalesCoveredBy(plan, indices.length);
  const used = options.scalesUsed ?? covered;
  if (!Number.isInteger(used) || used < 0 || used > covered) {
    throw new Error(
      `scalesUsed must be an integer in [0, ${covered}] (scales covered by ${indices.length} indices), got ${used}`,
    );
  }
  // Every index is checked, used or not: a bad one means the sequence itself is corrupt.
  checkIndexRange(indices, codebooks.size, plan.tokenOffsets, plan.scales);
  const ids = Int32Array.from(indices.slice(0, plan.tokenOffsets[used]));

  const C = codebooks.semanticDim + codebooks.pixelDim;
  const fHat = new Float32Array(C * S * S);
  for (let i = 0; i < used; i++) {
    const q = new Float32Array(C * plan.scales[i] ** 2);
    codePlanesInto(ids.subarray(plan.tokenOffsets[i], plan.tokenOffsets[i + 1]), codebooks, q);
    const u = resizePlanes(q, C, plan.up[i]);
    for (let j = 0; j < u.length; j++) fHat[j] += u[j];
  }
  return fHat;
}

function checkIndexRange(
  ids: Int32Array | readonly number[],
  K: number,
  tokenOffsets: readonly number[],
  scales: readonly number[],
): void {
  for (let t = 0; t < ids.length; t++) {
    const k = ids[t];
    if (!Number.isInteger(k) || k < 0 || k >= K) {
      let i = 0;
      while (tokenOffsets[i + 1] <= t) i++;
      const s = scales[i];
      const p = t - tokenOffsets[i];
      throw new Error(
        `index ${k} at token ${t} (scale ${s}, row ${Math.floor(p / s)}, column ${p % s}) is outside [0, K=${K})`,
      );
    }
  }
}
