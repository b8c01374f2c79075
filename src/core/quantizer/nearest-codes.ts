/**
 * Nearest-code search of the shared-mapping quantizer (docs/spec.md §4 steps 2–5) for a batch of
 * query rows, plus the diagnostics the UI shows: per-branch nearest codes, margins and the
 * top-k joint candidates.
 *
 * Distances use PyTorch's expanded form d = ‖ẑ‖² + ‖ê_k‖² − 2 ẑ·ê_k per branch rather than the
 * dot-product shortcut, because the two differ for an all-zero codebook row (d = ‖ẑ‖² vs score 0)
 * and the reference must agree with the official code there. Accumulation is float64, so it
 * agrees with PyTorch's float32 result wherever the fp32 margin is above rounding.
 */
import {
  checkCodebooks,
  codebookSquaredNorms,
  normalizeRowsInto,
  type CodebookNorms,
  type Codebooks,
} from './codebook.ts';

/** d = semantic·d_sem + pixel·d_pix. The official code is 1:1 and has no parameter for it. */
export interface DistanceWeights {
  readonly semantic: number;
  readonly pixel: number;
}

export const OFFICIAL_WEIGHTS: DistanceWeights = Object.freeze({ semantic: 1, pixel: 1 });

export interface NearestCodesOptions {
  /** Default {semantic: 1, pixel: 1}, the official weighting. */
  readonly weights?: DistanceWeights;
  /** Joint candidates to keep per query, best first; default 0 (off). */
  readonly topK?: number;
  /** Precomputed ‖ê_k‖² (codebookSquaredNorms), so repeated calls do not redo them. */
  readonly norms?: CodebookNorms;
}

/** The k best codes by joint distance, per query, best first (ties: lower index first). */
export interface Candidates {
  readonly k: number;
  /** count×k */
  readonly indices: Int32Array;
  /** count×k weighted joint distance */
  readonly distance: Float32Array;
  /** count×k unweighted d_sem and d_pix of the same candidates */
  readonly semanticDistance: Float32Array;
  readonly pixelDistance: Float32Array;
}

/** Per token: the joint choice, each codebook's own choice, their margins and the top-k. */
export interface TokenChoices {
  /** argmin_k of the weighted joint distance, first minimum on exact ties. */
  readonly indices: Int32Array;
  readonly indicesSemanticOnly: Int32Array;
  readonly indicesPixelOnly: Int32Array;
  /** Second-best minus best distance (0 = exact tie; Infinity when K = 1). */
  readonly margin: Float32Array;
  readonly marginSemantic: Float32Array;
  readonly marginPixel: Float32Array;
  readonly candidates: Candidates;
}

export interface NearestCodes extends TokenChoices {
  readonly count: number;
}

/** Zero-filled choices for `count` tokens with `topK` candidates each, to be filled by a search. */
export function emptyTokenChoices(count: number, topK: number): TokenChoices {
  return {
    indices: new Int32Array(count),
    indicesSemanticOnly: new Int32Array(count),
    indicesPixelOnly: new Int32Array(count),
    margin: new Float32Array(count),
    marginSemantic: new Float32Array(count),
    marginPixel: new Float32Array(count),
    candidates: {
      k: topK,
      indices: new Int32Array(count * topK),
      distance: new Float32Array(count * topK),
      semanticDistance: new Float32Array(count * topK),
      pixelDistance: new Float32Array(count * topK),
    },
  };
}

/** Validated options and the queries' normalised halves, as every nearest-code search needs them. */
export interface PreparedQueries {
  readonly count: number;
  readonly topK: number;
  readonly weights: DistanceWeights;
  readonly norms: CodebookNorms;
  /** ẑ_sem and ẑ_pix rows (float32, as F.normalize rounds them), zero-padded to a multiple of `padTo` rows. */
  readonly zs: Float32Array;
  readonly zp: Float32Array;
  /** ‖ẑ_sem‖², ‖ẑ_pix‖² per query, float64. */
  readonly zsNorm: Float64Array;
  readonly zpNorm: Float64Array;
}

/**
 * Checks `queries` (count rows of Ds+Dp raw values, semantic first) and the options, and
 * L2-normalises each half as `F.normalize` does.
 */
export function prepareQueries(
  queries: Float32Array,
  codebooks: Codebooks,
  options: NearestCodesOptions,
  padTo = 1,
): PreparedQueries {
  checkCodebooks(codebooks);
  const { size: K, semanticDim: ds, pixelDim: dp } = codebooks;
  const dim = ds + dp;
  if (queries.length % dim !== 0) {
    throw new Error(`nearestCodes: ${queries.length} query values is not a whole number of rows of Ds+Dp = ${dim}`);
  }
  const count = queries.length / dim;
  const weights = options.weights ?? OFFICIAL_WEIGHTS;
  checkWeights(weights);
  const topK = options.topK ?? 0;
  if (!Number.isInteger(topK) || topK < 0 || topK > K) {
    throw new Error(`topK must be an integer in [0, K=${K}], got ${topK}`);
  }
  const norms = options.norms ?? codebookSquaredNorms(codebooks);
  if (norms.semantic.length !== K || norms.pixel.length !== K) {
    throw new Error(`codebook norms are for ${norms.semantic.length}/${norms.pixel.length} codes, expected K=${K}`);
  }

  // ẑ per half, padded with zero rows to whole query blocks (padding rows are never scanned).
  const padded = Math.ceil(count / padTo) * padTo;
  const zs = new Float32Array(padded * ds);
  const zp = new Float32Array(padded * dp);
  const zsNorm = new Float64Array(count);
  const zpNorm = new Float64Array(count);
  for (let q = 0; q < count; q++) {
    const row = q * dim;
    for (let j = 0; j < dim; j++) {
      if (!Number.isFinite(queries[row + j])) {
        throw new Error(`nearestCodes: query row ${q} channel ${j} is ${queries[row + j]}`);
      }
    }
    normalizeRowsInto(queries, row, zs, q * ds, 1, ds);
    normalizeRowsInto(queries, row + ds, zp, q * dp, 1, dp);
    zsNorm[q] = sumSquares(zs, q * ds, ds);
    zpNorm[q] = sumSquares(zp, q * dp, dp);
  }

  return { count, topK, weights, norms, zs, zp, zsNorm, zpNorm };
}

/**
 * Codes per tile: a tile of K_tile×(Ds+Dp) float32 codebook values stays in cache while every
 * query block passes over it, instead of streaming the whole 5 MB codebook once per query.
 */
const CODE_TILE = 1024;
/**
 * Queries sharing each codebook load. Four running sums per code also hide float add latency,
 * which otherwise bounds the search (measured ~1.7× over one query at a time in Node 20).
 * blockDots is written out for exactly this many.
 */
const QUERY_BLOCK = 4;

/** Running best/second-best per query for the joint (0), semantic (1) and pixel (2) distances. */
interface SearchState {
  readonly best: Float64Array; // count×3
  readonly second: Float64Array; // count×3
  readonly bestIndex: Int32Array; // count×3
  readonly topK: number;
  readonly candidates: Candidates;
  /** count×topK, float64 so candidate ordering is decided on the unrounded distances. */
  readonly candidateDist: Float64Array;
}

/**
 * @param queries count rows of Ds+Dp raw (un-normalised) values, semantic first; each half is
 *   L2-normalised here as `F.normalize` does.
 */
export function nearestCodes(
  queries: Float32Array,
  codebooks: Codebooks,
  options: NearestCodesOptions = {},
): NearestCodes {
  const { count, topK, weights, norms, zs, zp, zsNorm, zpNorm } = prepareQueries(
    queries,
    codebooks,
    options,
    QUERY_BLOCK,
  );
  const { size: K, semanticDim: ds, pixelDim: dp } = codebooks;

  const state: SearchState = {
    best: new Float64Array(count * 3).fill(Infinity),
    second: new Float64Array(count * 3).fill(Infinity),
    bestIndex: new Int32Array(count * 3),
    topK,
    candidates: {
      k: topK,
      indices: new Int32Array(count * topK).fill(-1),
      distance: new Float32Array(count * topK),
      semanticDistance: new Float32Array(count * topK),
      pixelDistance: new Float32Array(count * topK),
    },
    candidateDist: new Float64Array(count * topK).fill(Infinity),
  };
  const dotS = new Float64Array(QUERY_BLOCK * CODE_TILE);
  const dotP = new Float64Array(QUERY_BLOCK * CODE_TILE);

  // Tiles go in increasing code order and each scan is in increasing k, so "first minimum wins"
  // holds across tiles.
  for (let k0 = 0; k0 < K; k0 += CODE_TILE) {
    const k1 = Math.min(K, k0 + CODE_TILE);
    for (let q0 = 0; q0 < count; q0 += QUERY_BLOCK) {
      blockDots(zs, q0 * ds, ds, codebooks.semantic, k0, k1, dotS);
      blockDots(zp, q0 * dp, dp, codebooks.pixel, k0, k1, dotP);
      for (let r = 0; r < QUERY_BLOCK && q0 + r < count; r++) {
        const q = q0 + r;
        scanTile(state, q, zsNorm[q], zpNorm[q], norms, weights, dotS, dotP, r * CODE_TILE, k0, k1);
      }
    }
  }

  const { best, second, bestIndex } = state;
  const out: NearestCodes = { ...emptyTokenChoices(count, 0), candidates: state.candidates, count };
  for (let q = 0; q < count; q++) {
    const st = q * 3;
    out.indices[q] = bestIndex[st];
    out.indicesSemanticOnly[q] = bestIndex[st + 1];
    out.indicesPixelOnly[q] = bestIndex[st + 2];
    out.margin[q] = second[st] - best[st];
    out.marginSemantic[q] = second[st + 1] - best[st + 1];
    out.marginPixel[q] = second[st + 2] - best[st + 2];
  }
  return out;
}

/**
 * out[r·CODE_TILE + (k−k0)] = z_{q0+r} · e_k for the QUERY_BLOCK query rows starting at
 * element `z0` of `z` and the codes k0…k1−1 of `e` (rows of `dim`). Float32 products are
 * exact in float64, so only the float64 sums round.
 */
function blockDots(
  z: Float32Array,
  z0: number,
  dim: number,
  e: Float32Array,
  k0: number,
  k1: number,
  out: Float64Array,
): void {
  const z1 = z0 + dim;
  const z2 = z1 + dim;
  const z3 = z2 + dim;
  for (let k = k0; k < k1; k++) {
    const eo = k * dim;
    // Two partial sums per query, over even and odd components.
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0,
      b0 = 0,
      b1 = 0,
      b2 = 0,
      b3 = 0;
    let j = 0;
    for (; j + 1 < dim; j += 2) {
      const e0 = e[eo + j];
      const e1 = e[eo + j + 1];
      a0 += z[z0 + j] * e0;
      b0 += z[z0 + j + 1] * e1;
      a1 += z[z1 + j] * e0;
      b1 += z[z1 + j + 1] * e1;
      a2 += z[z2 + j] * e0;
      b2 += z[z2 + j + 1] * e1;
      a3 += z[z3 + j] * e0;
      b3 += z[z3 + j + 1] * e1;
    }
    if (j < dim) {
      const e0 = e[eo + j];
      a0 += z[z0 + j] * e0;
      a1 += z[z1 + j] * e0;
      a2 += z[z2 + j] * e0;
      a3 += z[z3 + j] * e0;
    }
    const o = k - k0;
    out[o] = a0 + b0;
    out[CODE_TILE + o] = a1 + b1;
    out[2 * CODE_TILE + o] = a2 + b2;
    out[3 * CODE_TILE + o] = a3 + b3;
  }
}

/**
 * One z·e in blockDots' summation order (even and odd components summed apart), so a search
 * that re-ranks a few candidates gets bit-identical distances to this scan's.
 */
export function dot64(z: Float32Array, zo: number, e: Float32Array, eo: number, dim: number): number {
  let a = 0,
    b = 0;
  let j = 0;
  for (; j + 1 < dim; j += 2) {
    a += z[zo + j] * e[eo + j];
    b += z[zo + j + 1] * e[eo + j + 1];
  }
  if (j < dim) a += z[zo + j] * e[eo + j];
  return a + b;
}

/** Turns one query's dot products with codes k0…k1−1 into distances and updates its state. */
function scanTile(
  state: SearchState,
  q: number,
  zsNorm: number,
  zpNorm: number,
  norms: CodebookNorms,
  weights: DistanceWeights,
  dotS: Float64Array,
  dotP: Float64Array,
  at: number,
  k0: number,
  k1: number,
): void {
  const { best, second, bestIndex, topK, candidateDist } = state;
  const wS = weights.semantic;
  const wP = weights.pixel;
  const st = q * 3;
  let bJ = best[st],
    sJ = second[st],
    iJ = bestIndex[st];
  let bS = best[st + 1],
    sS = second[st + 1],
    iS = bestIndex[st + 1];
  let bP = best[st + 2],
    sP = second[st + 2],
    iP = bestIndex[st + 2];
  let kth = topK > 0 ? candidateDist[q * topK + topK - 1] : -Infinity;
  for (let k = k0; k < k1; k++) {
    const o = at + k - k0;
    // PyTorch's order: (‖ẑ‖² + ‖ê‖²) − 2 ẑ·ê, then d_sem + w·d_pix.
    const dS = zsNorm + norms.semantic[k] - 2 * dotS[o];
    const dP = zpNorm + norms.pixel[k] - 2 * dotP[o];
    const d = wS * dS + wP * dP;
    // Strict '<' for the best keeps the first minimum; an equal value becomes the runner-up.
    if (d < sJ) {
      if (d < bJ) {
        sJ = bJ;
        bJ = d;
        iJ = k;
      } else sJ = d;
    }
    if (dS < sS) {
      if (dS < bS) {
        sS = bS;
        bS = dS;
        iS = k;
      } else sS = dS;
    }
    if (dP < sP) {
      if (dP < bP) {
        sP = bP;
        bP = dP;
        iP = k;
      } else sP = dP;
    }
    if (d < kth) {
      insertCandidate(state.candidates, candidateDist, q, topK, k, d, dS, dP);
      kth = candidateDist[q * topK + topK - 1];
    }
  }
  best[st] = bJ;
  second[st] = sJ;
  bestIndex[st] = iJ;
  best[st + 1] = bS;
  second[st + 1] = sS;
  bestIndex[st + 1] = iS;
  best[st + 2] = bP;
  second[st + 2] = sP;
  bestIndex[st + 2] = iP;
}

/** Inserts code k into query q's sorted candidate list (known to beat its last entry). */
function insertCandidate(
  cand: Candidates,
  candDist: Float64Array,
  q: number,
  topK: number,
  k: number,
  d: number,
  dS: number,
  dP: number,
): void {
  const base = q * topK;
  let j = topK - 1;
  // Equal distances stay behind existing entries, which have lower indices.
  while (j > 0 && d < candDist[base + j - 1]) {
    candDist[base + j] = candDist[base + j - 1];
    cand.indices[base + j] = cand.indices[base + j - 1];
    cand.distance[base + j] = cand.distance[base + j - 1];
    cand.semanticDistance[base + j] = cand.semanticDistance[base + j - 1];
    cand.pixelDistance[base + j] = cand.pixelDistance[base + j - 1];
    j--;
  }
  candDist[base + j] = d;
  cand.indices[base + j] = k;
  cand.distance[base + j] = d;
  cand.semanticDistance[base + j] = dS;
  cand.pixelDistance[base + j] = dP;
}

function sumSquares(v: Float32Array, offset: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += v[offset + j] * v[offset + j];
  return s;
}

function checkWeights(w: DistanceWeights): void {
  for (const branch of ['semantic', 'pixel'] as const) {
    const v = w[branch];
    if (!Number.isFinite(v) || v < 0)
      throw new Error(`distance weight ${branch} must be a finite number ≥ 0, got ${v}`);
  }
}
