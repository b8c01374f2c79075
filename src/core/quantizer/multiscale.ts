/**
 * TokenFlow's multi-scale dual-codebook quantization (`TokenFlow.encode`, docs/spec.md §4.1) on the CPU:
 * the residual loop of residual-scheme.ts with the nearest-code search of nearest-codes.ts.
 */
import { checkFeatures } from './check-features.ts';
import { checkCodebooks, codebookSquaredNorms, codePlanesInto, type Codebooks } from './codebook.ts';
import {
  emptyTokenChoices,
  nearestCodes,
  type DistanceWeights,
  type NearestCodes,
  type NearestCodesOptions,
  type TokenChoices,
} from './nearest-codes.ts';
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

/** Finds the nearest codes of one scale's query rows (the CPU reference or a graph search). */
export type ScaleSearch = (rows: Float32Array, options: NearestCodesOptions) => NearestCodes | Promise<NearestCodes>;

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
  const run = new MultiscaleRun(h, S, scales, codebooks, options);
  while (!run.done) run.accept(nearestCodes(run.rows(), codebooks, run.searchOptions));
  return run.result();
}

/**
 * The same quantization with another nearest-code search per scale, e.g. graph-nearest-codes.ts
 * on onnxruntime; the residual loop and the results are this module's.
 */
export async function quantizeMultiscaleWith(
  search: ScaleSearch,
  h: Float32Array,
  S: number,
  scales: readonly number[],
  codebooks: Codebooks,
  options: MultiscaleOptions = {},
): Promise<MultiscaleQuantization> {
  const run = new MultiscaleRun(h, S, scales, codebooks, options);
  while (!run.done) run.accept(await search(run.rows(), run.searchOptions));
  return run.result();
}

/** One quantization in progress: the residual scheme plus the per-token results gathered so far. */
class MultiscaleRun {
  readonly searchOptions: NearestCodesOptions;
  private readonly scheme: ResidualScheme;
  private readonly codebooks: Codebooks;
  private readonly C: number;
  private readonly topK: number;
  private readonly choices: TokenChoices;
  private readonly scaleMs: number[] = [];
  private started = 0;

  constructor(h: Float32Array, S: number, scales: readonly number[], codebooks: Codebooks, options: MultiscaleOptions) {
    checkCodebooks(codebooks);
    const plan = createScalePlan(S, scales);
    this.C = codebooks.semanticDim + codebooks.pixelDim;
    checkFeatures(h, this.C, S);
    this.codebooks = codebooks;
    this.topK = options.topK ?? 0;
    this.searchOptions = { weights: options.weights, topK: this.topK, norms: codebookSquaredNorms(codebooks) };
    this.choices = emptyTokenChoices(plan.numTokens, this.topK);
    this.scheme = new ResidualScheme(h, this.C, plan);
  }

  get done(): boolean {
    return this.scheme.done;
  }

  /** The current scale's r_s as s² query rows; starts the scale's clock. */
  rows(): Float32Array {
    this.started = performance.now();
    return planesToRows(this.scheme.currentInput(), this.C);
  }

  accept(found: NearestCodes): void {
    const { plan } = this.scheme;
    const t0 = plan.tokenOffsets[this.scheme.scaleIndex];
    const expected = plan.tokenOffsets[this.scheme.scaleIndex + 1] - t0;
    if (found.count !== expected)
      throw new Error(`nearest-code search returned ${found.count} tokens for a scale of ${expected}`);
    const r = this.choices;
    const topK = this.topK;
    r.indices.set(found.indices, t0);
    r.indicesSemanticOnly.set(found.indicesSemanticOnly, t0);
    r.indicesPixelOnly.set(found.indicesPixelOnly, t0);
    r.margin.set(found.margin, t0);
    r.marginSemantic.set(found.marginSemantic, t0);
    r.marginPixel.set(found.marginPixel, t0);
    r.candidates.indices.set(found.candidates.indices, t0 * topK);
    r.candidates.distance.set(found.candidates.distance, t0 * topK);
    r.candidates.semanticDistance.set(found.candidates.semanticDistance, t0 * topK);
    r.candidates.pixelDistance.set(found.candidates.pixelDistance, t0 * topK);
    // q_s is the exact normalised rows (what decode_code sums), not PyTorch's z + (z_q − z),
    // which differs by at most ~1 ulp of max(|z|, |z_q|).
    const q = new Float32Array(this.C * found.count);
    codePlanesInto(found.indices, this.codebooks, q);
    this.scheme.push(q);
    this.scaleMs.push(performance.now() - this.started);
  }

  result(): MultiscaleQuantization {
    const { plan } = this.scheme;
    return {
      S: plan.S,
      scales: plan.scales,
      tokenOffsets: plan.tokenOffsets,
      featureOffsets: this.scheme.featureOffsets,
      ...this.choices,
      quantInput: this.scheme.quantInput,
      quantOutput: this.scheme.quantOutput,
      fHat: this.scheme.fHat,
      scaleMs: this.scaleMs,
    };
  }
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
