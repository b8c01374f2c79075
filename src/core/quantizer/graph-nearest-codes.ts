/**
 * nearestCodes with the K-wide scan on an ONNX runtime (code-search-graph.ts) and the final
 * choice in float64 here: the graph proposes the k best codes per query and branch from float32
 * scores, and each proposal is re-scored with the CPU reference's own formulas and summation
 * order (dot64) and re-ranked by (distance, index). Indices, margins and top-k are then the
 * reference's wherever the float32 ranking kept the reference's best codes among the proposals,
 * i.e. everywhere but near-ties of ~1e-6 with more than EXTRA_CANDIDATES codes inside them.
 */
import type { HelperSession } from '../pipeline/graph-runner.ts';
import { codebookSquaredNorms, type Codebooks } from './codebook.ts';
import {
  buildCodeSearchGraph,
  CODE_SEARCH_INPUTS,
  CODE_SEARCH_OUTPUTS,
  codeSearchWidths,
} from './code-search-graph.ts';
import {
  dot64,
  emptyTokenChoices,
  prepareQueries,
  type NearestCodes,
  type NearestCodesOptions,
  type PreparedQueries,
} from './nearest-codes.ts';

/**
 * Proposals beyond what is reported (the best two, or the top-k): float32 scores can swap codes
 * whose distances differ by a few 1e-7, so the reference's best codes are among the proposals
 * unless that many others crowd within that band.
 */
const EXTRA_CANDIDATES = 6;

/**
 * Queries per graph run: bounds the three rows×K score matrices (≈ 100 MB at K = 32768; a
 * SigLIP 27×27 scale at once would need 290 MB, much of a wasm heap). Smaller blocks were not
 * faster here (16 and 64 rows measured against 256 on onnxruntime-node, 2 threads).
 */
const ROWS_PER_RUN = 256;

export interface GraphCodeSearch {
  nearest(queries: Float32Array, options?: NearestCodesOptions): Promise<NearestCodes>;
  release(): Promise<void>;
}

export async function createGraphCodeSearch(
  codebooks: Codebooks,
  openHelper: (model: Uint8Array) => Promise<HelperSession>,
): Promise<GraphCodeSearch> {
  const norms = codebookSquaredNorms(codebooks);
  const session = await openHelper(buildCodeSearchGraph(codebooks, norms));
  const widths = codeSearchWidths(codebooks);
  return {
    async nearest(queries, options = {}) {
      const p = prepareQueries(queries, codebooks, { ...options, norms: options.norms ?? norms });
      const k = Math.min(codebooks.size, Math.max(p.topK, 2) + EXTRA_CANDIDATES);
      const proposals = {
        joint: new Int32Array(p.count * k),
        semantic: new Int32Array(p.count * k),
        pixel: new Int32Array(p.count * k),
      };
      const matrices = {
        joint: queryMatrix(p, codebooks, 'joint', widths.joint),
        semantic: queryMatrix(p, codebooks, 'semantic', widths.semantic),
        pixel: queryMatrix(p, codebooks, 'pixel', widths.pixel),
      };
      for (let q0 = 0; q0 < p.count; q0 += ROWS_PER_RUN) {
        const rows = Math.min(ROWS_PER_RUN, p.count - q0);
        const feed = (branch: keyof typeof widths) => ({
          data: matrices[branch].subarray(q0 * widths[branch], (q0 + rows) * widths[branch]),
          shape: [rows, widths[branch]],
        });
        const out = await session.run({
          [CODE_SEARCH_INPUTS.joint]: feed('joint'),
          [CODE_SEARCH_INPUTS.semantic]: feed('semantic'),
          [CODE_SEARCH_INPUTS.pixel]: feed('pixel'),
          [CODE_SEARCH_INPUTS.k]: { data: new Float32Array([k]), shape: [1] },
        });
        for (const branch of ['joint', 'semantic', 'pixel'] as const) {
          const name = CODE_SEARCH_OUTPUTS[branch];
          const t = out[name];
          if (!t || !(t.data instanceof Int32Array) || t.data.length !== rows * k) {
            throw new Error(`code search graph: output ${name} is missing or not ${rows}×${k} int32 indices`);
          }
          proposals[branch].set(t.data, q0 * k);
        }
      }
      return rerank(p, codebooks, k, proposals.joint, proposals.semantic, proposals.pixel);
    },
    release: () => session.release(),
  };
}

/** The graph's left operands: [2w_s ẑ_s, 2w_p ẑ_p, −w_s, −w_p], [2ẑ_s, −1] and [2ẑ_p, −1]. */
function queryMatrix(
  p: PreparedQueries,
  codebooks: Codebooks,
  branch: 'joint' | 'semantic' | 'pixel',
  width: number,
): Float32Array {
  const { semanticDim: ds, pixelDim: dp } = codebooks;
  const ws = branch === 'pixel' ? 0 : branch === 'joint' ? p.weights.semantic : 1;
  const wp = branch === 'semantic' ? 0 : branch === 'joint' ? p.weights.pixel : 1;
  const m = new Float32Array(p.count * width);
  for (let q = 0; q < p.count; q++) {
    let o = q * width;
    if (branch !== 'pixel') for (let j = 0; j < ds; j++) m[o++] = 2 * ws * p.zs[q * ds + j];
    if (branch !== 'semantic') for (let j = 0; j < dp; j++) m[o++] = 2 * wp * p.zp[q * dp + j];
    if (branch !== 'pixel') m[o++] = -ws;
    if (branch !== 'semantic') m[o++] = -wp;
  }
  return m;
}

/** Re-scores every proposal in float64 as nearest-codes.ts does and keeps the reference's order. */
function rerank(
  p: PreparedQueries,
  codebooks: Codebooks,
  k: number,
  joint: Int32Array,
  semantic: Int32Array,
  pixel: Int32Array,
): NearestCodes {
  const { count, topK, weights, norms, zs, zp, zsNorm, zpNorm } = p;
  const { size: K, semanticDim: ds, pixelDim: dp } = codebooks;
  const out: NearestCodes = { ...emptyTokenChoices(count, topK), count };
  const code = new Int32Array(k);
  const d = new Float64Array(k);
  const dS = new Float64Array(k);
  const dP = new Float64Array(k);
  const order: number[] = Array.from({ length: k }, (_, i) => i);
  const byDistance = (a: number, b: number) => d[a] - d[b] || code[a] - code[b];
  const semDist = (q: number, c: number) =>
    zsNorm[q] + norms.semantic[c] - 2 * dot64(zs, q * ds, codebooks.semantic, c * ds, ds);
  const pixDist = (q: number, c: number) =>
    zpNorm[q] + norms.pixel[c] - 2 * dot64(zp, q * dp, codebooks.pixel, c * dp, dp);
  const checked = (c: number): number => {
    if (!(c >= 0 && c < K)) throw new Error(`code search graph proposed code ${c}, outside [0, ${K})`);
    return c;
  };
  // Ranks proposals row q of `list` by `distance`; leaves the order in `order`, returns margin.
  const rank = (list: Int32Array, q: number, distance: (q: number, c: number, i: number) => number): number => {
    for (let i = 0; i < k; i++) {
      code[i] = checked(list[q * k + i]);
      d[i] = distance(q, code[i], i);
      order[i] = i;
    }
    order.sort(byDistance);
    return k > 1 ? d[order[1]] - d[order[0]] : Infinity;
  };

  for (let q = 0; q < count; q++) {
    out.margin[q] = rank(joint, q, (q, c, i) => {
      dS[i] = semDist(q, c);
      dP[i] = pixDist(q, c);
      return weights.semantic * dS[i] + weights.pixel * dP[i];
    });
    out.indices[q] = code[order[0]];
    for (let j = 0; j < topK; j++) {
      const i = order[j];
      out.candidates.indices[q * topK + j] = code[i];
      out.candidates.distance[q * topK + j] = d[i];
      out.candidates.semanticDistance[q * topK + j] = dS[i];
      out.candidates.pixelDistance[q * topK + j] = dP[i];
    }
    out.marginSemantic[q] = rank(semantic, q, semDist);
    out.indicesSemanticOnly[q] = code[order[0]];
    out.marginPixel[q] = rank(pixel, q, pixDist);
    out.indicesPixelOnly[q] = code[order[0]];
  }
  return out;
}
