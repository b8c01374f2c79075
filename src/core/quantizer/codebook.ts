/**
 * The two codebooks of TokenFlow's shared-mapping quantizer, as the quantizer uses them:
 * row-L2-normalised on load, because the official code normalises the stored weights on every
 * use (they are not unit-norm in the checkpoint, docs/spec.md §4 step 3).
 */

export interface Codebooks {
  /** K: number of codes; both branches share it and the index. */
  readonly size: number;
  /** Ds (32 in the released models). */
  readonly semanticDim: number;
  /** Dp (8 in the released models). */
  readonly pixelDim: number;
  /** K×Ds, row-major, rows L2-normalised (an all-zero stored row stays zero). */
  readonly semantic: Float32Array;
  /** K×Dp, row-major, rows L2-normalised. */
  readonly pixel: Float32Array;
}

/** ‖ê_k‖² per codebook row, one array per branch, in float64. */
export interface CodebookNorms {
  readonly semantic: Float64Array;
  readonly pixel: Float64Array;
}

/** F.normalize's eps, as the float32 value PyTorch clamps a float32 norm to. */
const NORM_EPS = Math.fround(1e-12);

/**
 * Row-wise `F.normalize(raw, dim=-1)`: v / max(‖v‖, 1e-12). PyTorch forms the float32 norm first
 * and then divides, so both are rounded to float32 here too; dividing two float32 values in
 * float64 and rounding once gives the correctly rounded float32 quotient.
 */
export function normalizeRows(raw: Float32Array, dim: number): Float32Array {
  checkRowLayout(raw.length, dim, 'normalizeRows');
  const out = new Float32Array(raw.length);
  normalizeRowsInto(raw, 0, out, 0, raw.length / dim, dim);
  return out;
}

/**
 * The same normalisation over `rows` rows of `dim` values from `src[srcOffset…]` into
 * `dst[dstOffset…]`, for callers that normalise slices of a larger buffer without copying.
 */
export function normalizeRowsInto(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  rows: number,
  dim: number,
): void {
  for (let r = 0; r < rows; r++) {
    const s = srcOffset + r * dim;
    const d = dstOffset + r * dim;
    let sumSq = 0;
    for (let j = 0; j < dim; j++) sumSq += src[s + j] * src[s + j];
    const norm = Math.max(Math.fround(Math.sqrt(sumSq)), NORM_EPS);
    for (let j = 0; j < dim; j++) dst[d + j] = Math.fround(src[s + j] / norm);
  }
}

/** Σ_j rows[k·dim + j]² for every row k, in float64. */
export function rowSquaredNorms(rows: Float32Array, dim: number): Float64Array {
  checkRowLayout(rows.length, dim, 'rowSquaredNorms');
  const count = rows.length / dim;
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    let sumSq = 0;
    for (let j = 0; j < dim; j++) {
      const v = rows[k * dim + j];
      sumSq += v * v;
    }
    out[k] = sumSq;
  }
  return out;
}

export function codebookSquaredNorms(codebooks: Codebooks): CodebookNorms {
  return {
    semantic: rowSquaredNorms(codebooks.semantic, codebooks.semanticDim),
    pixel: rowSquaredNorms(codebooks.pixel, codebooks.pixelDim),
  };
}

/**
 * Builds Codebooks from the raw checkpoint weights `quantize.embedding_vqkd.weight` (K×Ds) and
 * `quantize.embedding_vqgan.weight` (K×Dp). A non-finite stored weight is rejected: it would turn
 * every distance to that code into NaN and silently corrupt argmin.
 */
export function createCodebooks(
  rawSemantic: Float32Array,
  semanticDim: number,
  rawPixel: Float32Array,
  pixelDim: number,
): Codebooks {
  checkRowLayout(rawSemantic.length, semanticDim, 'semantic codebook');
  checkRowLayout(rawPixel.length, pixelDim, 'pixel codebook');
  const size = rawSemantic.length / semanticDim;
  if (rawPixel.length / pixelDim !== size) {
    throw new Error(
      `codebooks disagree on K: semantic has ${size} rows of ${semanticDim}, pixel has ${rawPixel.length / pixelDim} rows of ${pixelDim}`,
    );
  }
  checkFinite(rawSemantic, semanticDim, 'semantic codebook');
  checkFinite(rawPixel, pixelDim, 'pixel codebook');
  return {
    size,
    semanticDim,
    pixelDim,
    semantic: normalizeRows(rawSemantic, semanticDim),
    pixel: normalizeRows(rawPixel, pixelDim),
  };
}

/** Throws unless `codebooks` is internally consistent (array lengths match K and the dims). */
export function checkCodebooks(codebooks: Codebooks): void {
  const { size, semanticDim, pixelDim } = codebooks;
  if (!Number.isInteger(size) || size < 1) throw new Error(`codebook size K must be a positive integer, got ${size}`);
  checkRowLayout(codebooks.semantic.length, semanticDim, 'semantic codebook');
  checkRowLayout(codebooks.pixel.length, pixelDim, 'pixel codebook');
  if (codebooks.semantic.length !== size * semanticDim) {
    throw new Error(
      `semantic codebook has ${codebooks.semantic.length} values, expected K×Ds = ${size}×${semanticDim}`,
    );
  }
  if (codebooks.pixel.length !== size * pixelDim) {
    throw new Error(`pixel codebook has ${codebooks.pixel.length} values, expected K×Dp = ${size}×${pixelDim}`);
  }
}

/**
 * Writes the normalised code vectors of `indices` as a (1, Ds+Dp, s, s) map, semantic channels
 * first: the quantizer output q_s (docs/spec.md §4 step 6) and `get_codebook_entry` of the decode path.
 * Indices must already be validated to lie in [0, K).
 */
export function codePlanesInto(indices: Int32Array, codebooks: Codebooks, out: Float32Array): void {
  const { semanticDim: ds, pixelDim: dp } = codebooks;
  const n = indices.length;
  if (out.length !== (ds + dp) * n) {
    throw new Error(`codePlanesInto: output has ${out.length} values, expected ${ds + dp}×${n}`);
  }
  for (let p = 0; p < n; p++) {
    const k = indices[p];
    for (let c = 0; c < ds; c++) out[c * n + p] = codebooks.semantic[k * ds + c];
    for (let c = 0; c < dp; c++) out[(ds + c) * n + p] = codebooks.pixel[k * dp + c];
  }
}

function checkRowLayout(length: number, dim: number, what: string): void {
  if (!Number.isInteger(dim) || dim < 1)
    throw new Error(`${what}: row dimension must be a positive integer, got ${dim}`);
  if (length % dim !== 0) throw new Error(`${what}: ${length} values is not a whole number of rows of ${dim}`);
}

function checkFinite(values: Float32Array, dim: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(`${what}: row ${Math.floor(i / dim)} column ${i % dim} is ${values[i]}`);
    }
  }
}
