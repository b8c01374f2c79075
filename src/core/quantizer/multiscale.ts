/**
 * TokenFlow's multi-scale dual-codebook quantization (`TokenFlow.encode`, docs/spec.md §4.1) on the CPU:
 * the residual loop of residual-scheme.ts with the nearest-code search of nearest-codes.ts.
 */
import { checkCodebooks, codebookSquaredNorms, codePlanesInto, type Codebooks } from './codebook.ts';
import { nearestCodes, type DistanceWeights, type TokenChoices } from './nearest-codes.ts';
import { ResidualScheme } from './residual-scheme.ts';
import { createScalePlan } from './scale-plan.ts';

export interface MultiscaleOptions {
  /** Default 1:1, the official weighting. */
  readonly weights?: DistanceWeights;
  /** Joint candidates kept per token for an inspector; default 0. */
  readonly topK?: number;
}

/** TokenChoices over Σs² tokens, scale-major and row-major within a scale. */
export interface MultiscaleQuantization extends TokenChoices {
  readonly S: number;
  readonly scales: readonly number[];
  /** Where scale i's tokens start in the index/margin arrays (length scales.length + 1). */
  readonly tokenOffsets: readonly number[];
  /** Where scale i's (1,C,s,s) block starts in quantInput/quantOutput (C·tokenOffsets). */
  readonly featureOffsets: readonly number[];
  /** Per scale the area-downsampled residual r_s, (1,C,s,s) blocks concatenated. */
  readonly quantInput: Float32Array;
  /** Per scale the chosen normalised code rows q_s, (1,C,s,s) blocks concatenated. */
  readonly quantOutput: Float32Array;
  /** (1,C,S,S) sum of the upsampled q_s: the decoder input. */
  readonly fHat: Float32Array;
  /**
   * Wall time of each scale (search, gather, resampling, residual update), where the quantizer
   * can measure it: the CPU one does; the GPU one submits all scales at once and leaves it out.
   */
  readonly scaleMs?: readonly number[];
}

/**
 * @param h (1, Ds+Dp, S, S) encoder features, semantic channels first, un-normalised.
 * @param scales the scale list (`scale_rq_layers`), e.g. [1,2,4,…,16]; each in [1, S].
 */
export function quantizeMultiscale(
  h: Float32Array,
  S: number,
  scales: readonly number[],
  codebooks: Codebooks,
  options: MultiscaleOptions = {},
): MultiscaleQuantization {
  checkCodebooks(codebooks);
  const plan = createScalePlan(S, scales);
  const C = codebooks.semanticDim + codebooks.pixelDim;
  checkFeatures(h, C, S);
  const topK = options.topK ?? 0;
  const norms = codebookSquaredNorms(codebooks);
  const n = plan.numTokens;
  const result = {
    indices: new Int32Array(n),
    indicesSemanticOnly: new Int32Array(n),
    indicesPixelOnly: new Int32Array(n),
    margin: new Float32Array(n),
    marginSemantic: new Float32Array(n),
    marginPixel: new Float32Array(n),
    candidates: {
      k: topK,
      indices: new Int32Array(n * topK),
      distance: new Float32Array(n * topK),
      semanticDistance: new Float32Array(n * topK),
      pixelDistance: new Float32Array(n * topK),
    },
  };

  const scheme = new ResidualScheme(h, C, plan);
  const scaleMs: number[] = [];
  while (!scheme.done) {
    const started = performance.now();
    const i = scheme.scaleIndex;
    const t0 = plan.tokenOffsets[i];
    const found = nearestCodes(planesToRows(scheme.currentInput(), C), codebooks, { weights: options.weights, topK, norms });
    result.indices.set(found.indices, t0);
    result.indicesSemanticOnly.set(found.indicesSemanticOnly, t0);
    result.indicesPixelOnly.set(found.indicesPixelOnly, t0);
    result.margin.set(found.margin, t0);
    result.marginSemantic.set(found.marginSemantic, t0);
    result.marginPixel.set(found.marginPixel, t0);
    result.candidates.indices.set(found.candidates.indices, t0 * topK);
    result.candidates.distance.set(found.candidates.distance, t0 * topK);
    result.candidates.semanticDistance.set(found.candidates.semanticDistance, t0 * topK);
    result.candidates.pixelDistance.set(found.candidates.pixelDistance, t0 * topK);
    // q_s is the exact normalised rows (what decode_code sums), not PyTorch's z + (z_q − z),
    // which differs by at most ~1 ulp of max(|z|, |z_q|).
    const q = new Float32Array(C * found.count);
    codePlanesInto(found.indices, codebooks, q);
    scheme.push(q);
    scaleMs.push(performance.now() - started);
  }

  return {
    S,
    scales: plan.scales,
    tokenOffsets: plan.tokenOffsets,
    featureOffsets: scheme.featureOffsets,
    ...result,
    quantInput: scheme.quantInput,
    quantOutput: scheme.quantOutput,
    fHat: scheme.fHat,
    scaleMs,
  };
}

/** (1,C,s,s) planes → s² rows of C (channels last, row-major positions), docs/spec.md §4 step 1. */
function planesToRows(planes: Float32Array, C: number): Float32Array {
  const n = planes.length / C;
  const rows = new Float32Array(planes.length);
  for (let c = 0; c < C; c++) {
    for (let p = 0; p < n; p++) rows[p * C + c] = planes[c * n + p];
  }
  return rows;
}

function checkFeatures(h: Float32Array, C: number, S: number): void {
  if (h.length !== C * S * S) throw new Error(`h has ${h.length} values, expected (1,${C},${S},${S}) = ${C * S * S}`);
  for (let i = 0; i < h.length; i++) {
    if (!Number.isFinite(h[i])) {
      const c = Math.floor(i / (S * S));
      const y = Math.floor((i % (S * S)) / S);
      throw new Error(`h[0,${c},${y},${i % S}] is ${h[i]}; the quantizer needs finite features`);
    }
  }
}
