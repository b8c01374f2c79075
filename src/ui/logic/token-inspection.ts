/**
 * What the inspector says about one token: the residual r_s the quantizer saw at that cell,
 * how close the chosen joint code and the semantic-only / pixel-only winners are to it in each
 * codebook, the top-k joint candidates, and where else the same index occurs.
 *
 * Similarities are cosines between the L2-normalised halves of r_s and the (unit) code rows;
 * distances are the quantizer's squared distances d = ‖ẑ‖² + ‖ê‖² − 2ẑ·ê per branch, weighted
 * as the encode was. This evaluates a handful of given codes for display; the search itself
 * is the core quantizer's.
 */
import { normalizeRowsInto, type Codebooks } from '../../core/quantizer/codebook.ts';
import type { DistanceWeights } from '../../core/quantizer/nearest-codes.ts';
import type { MultiscaleQuantization } from '../../core/quantizer/multiscale.ts';
import { flatIndex, occurrencesOf, type TokenLayout, type TokenPosition } from './token-layout.ts';

export interface CodeMatch {
  readonly code: number;
  /** cos(ẑ_sem, ê_sem) and cos(ẑ_pix, ê_pix). */
  readonly semanticSimilarity: number;
  readonly pixelSimilarity: number;
  readonly semanticDistance: number;
  readonly pixelDistance: number;
  /** w_sem·d_sem + w_pix·d_pix, the quantity the joint index minimises. */
  readonly distance: number;
}

export interface TokenInspection {
  readonly position: TokenPosition;
  /** Flat position in the token sequence. */
  readonly token: number;
  readonly code: number;
  /** Present when the tokens came from an encode (pasted tokens have no r_s). */
  readonly joint?: CodeMatch;
  readonly semanticOnly?: CodeMatch;
  readonly pixelOnly?: CodeMatch;
  /** Second-best minus best distance for the joint, semantic and pixel searches. */
  readonly margins?: { readonly joint: number; readonly semantic: number; readonly pixel: number };
  /** Best first. */
  readonly candidates: readonly CodeMatch[];
  /** Every position, this one included, that holds the same index. */
  readonly occurrences: readonly TokenPosition[];
}

/** ẑ_sem, ẑ_pix of the residual at one token, normalised as the quantizer normalises them. */
export interface TokenQuery {
  readonly semantic: Float32Array;
  readonly pixel: Float32Array;
}

/** Reads r_s at `p` out of quantInput's (1,C,s,s) block and normalises each half. */
export function tokenQuery(
  layout: TokenLayout,
  q: MultiscaleQuantization,
  codebooks: Codebooks,
  p: TokenPosition,
): TokenQuery {
  const s = layout.scales[p.scaleIndex];
  const ds = codebooks.semanticDim;
  const dp = codebooks.pixelDim;
  const C = ds + dp;
  const base = q.featureOffsets[p.scaleIndex];
  const cell = p.row * s + p.col;
  const raw = new Float32Array(C);
  for (let c = 0; c < C; c++) raw[c] = q.quantInput[base + c * s * s + cell];
  const semantic = new Float32Array(ds);
  const pixel = new Float32Array(dp);
  normalizeRowsInto(raw, 0, semantic, 0, 1, ds);
  normalizeRowsInto(raw, ds, pixel, 0, 1, dp);
  return { semantic, pixel };
}

export function matchCode(query: TokenQuery, codebooks: Codebooks, code: number, weights: DistanceWeights): CodeMatch {
  const branch = (z: Float32Array, rows: Float32Array, dim: number) => {
    let dot = 0;
    let zz = 0;
    let ee = 0;
    for (let j = 0; j < dim; j++) {
      const e = rows[code * dim + j];
      dot += z[j] * e;
      zz += z[j] * z[j];
      ee += e * e;
    }
    return { dot, d: zz + ee - 2 * dot };
  };
  const sem = branch(query.semantic, codebooks.semantic, codebooks.semanticDim);
  const pix = branch(query.pixel, codebooks.pixel, codebooks.pixelDim);
  return {
    code,
    semanticSimilarity: sem.dot,
    pixelSimilarity: pix.dot,
    semanticDistance: sem.d,
    pixelDistance: pix.d,
    distance: weights.semantic * sem.d + weights.pixel * pix.d,
  };
}

export interface InspectInput {
  readonly layout: TokenLayout;
  /** The indices shown (possibly edited or pasted). */
  readonly indices: Int32Array;
  readonly position: TokenPosition;
  readonly codebooks?: Codebooks;
  /** The encode's quantization, when the tokens came from one; gives r_s, margins and candidates. */
  readonly quantization?: MultiscaleQuantization;
  readonly weights: DistanceWeights;
}

export function inspectToken(input: InspectInput): TokenInspection {
  const { layout, indices, position, codebooks, quantization: q, weights } = input;
  const token = flatIndex(layout, position);
  const code = indices[token];
  const occurrences = occurrencesOf(layout, indices, code);
  if (!q || !codebooks) return { position, token, code, candidates: [], occurrences };
  const query = tokenQuery(layout, q, codebooks, position);
  const k = q.candidates.k;
  const candidates: CodeMatch[] = [];
  for (let j = 0; j < k; j++) {
    const c = q.candidates.indices[token * k + j];
    if (c >= 0) candidates.push(matchCode(query, codebooks, c, weights));
  }
  return {
    position,
    token,
    code,
    joint: matchCode(query, codebooks, code, weights),
    semanticOnly: matchCode(query, codebooks, q.indicesSemanticOnly[token], weights),
    pixelOnly: matchCode(query, codebooks, q.indicesPixelOnly[token], weights),
    margins: { joint: q.margin[token], semantic: q.marginSemantic[token], pixel: q.marginPixel[token] },
    candidates,
    occurrences,
  };
}
