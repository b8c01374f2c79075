/**
 * Where the joint choice agrees with each codebook alone. The shared index minimises
 * d_sem + d_pix; the semantic-only and pixel-only indices minimise one term each. A token
 * where the joint index equals the semantic-only one was decided by meaning, one where it
 * equals the pixel-only one by appearance, and "neither" is a compromise code that is the
 * best of neither codebook: the map shows how the two pull against each other per scale.
 */
import { scaleSlice, type TokenLayout } from './token-layout.ts';

/** Per token: 0 neither, 1 semantic-only agrees, 2 pixel-only agrees, 3 both agree. */
export type Agreement = 0 | 1 | 2 | 3;
export const AGREEMENT_NEITHER = 0;
export const AGREEMENT_SEMANTIC = 1;
export const AGREEMENT_PIXEL = 2;
export const AGREEMENT_BOTH = 3;

export const AGREEMENT_LABELS: Readonly<Record<Agreement, string>> = {
  0: 'neither codebook alone',
  1: 'semantic-only agrees',
  2: 'pixel-only agrees',
  3: 'both agree',
};

export interface AgreementCounts {
  readonly both: number;
  readonly semanticOnly: number;
  readonly pixelOnly: number;
  readonly neither: number;
  readonly total: number;
}

export function agreementMap(joint: Int32Array, semanticOnly: Int32Array, pixelOnly: Int32Array): Uint8Array {
  if (semanticOnly.length !== joint.length || pixelOnly.length !== joint.length) {
    throw new Error(
      `agreementMap: ${joint.length} joint, ${semanticOnly.length} semantic-only and ${pixelOnly.length} pixel-only indices ` +
        'must be the same count',
    );
  }
  const out = new Uint8Array(joint.length);
  for (let t = 0; t < joint.length; t++) {
    out[t] =
      (joint[t] === semanticOnly[t] ? AGREEMENT_SEMANTIC : 0) | (joint[t] === pixelOnly[t] ? AGREEMENT_PIXEL : 0);
  }
  return out;
}

export function countAgreement(map: Uint8Array): AgreementCounts {
  const c = [0, 0, 0, 0];
  for (const a of map) c[a]++;
  return { neither: c[0], semanticOnly: c[1], pixelOnly: c[2], both: c[3], total: map.length };
}

/** Counts for each scale of the layout, in scale order. */
export function agreementPerScale(layout: TokenLayout, map: Uint8Array): AgreementCounts[] {
  return layout.scales.map((_, i) => countAgreement(scaleSlice(layout, map, i)));
}
