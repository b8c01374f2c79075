/** CPU reference of TokenFlow's multi-scale dual-codebook quantizer (docs/spec.md §4). DOM-free. */
export {
  type Codebooks,
  type CodebookNorms,
  normalizeRows,
  normalizeRowsInto,
  rowSquaredNorms,
  codebookSquaredNorms,
  createCodebooks,
  checkCodebooks,
  codePlanesInto,
} from './codebook.ts';
export {
  type DistanceWeights,
  type NearestCodesOptions,
  type NearestCodes,
  type TokenChoices,
  type Candidates,
  OFFICIAL_WEIGHTS,
  nearestCodes,
} from './nearest-codes.ts';
export { type ScalePlan, createScalePlan, scalesCoveredBy } from './scale-plan.ts';
export { ResidualScheme, runResidualScheme } from './residual-scheme.ts';
export { type MultiscaleOptions, type MultiscaleQuantization, quantizeMultiscale } from './multiscale.ts';
export { checkFeatures } from './check-features.ts';
export { type DecodeIndicesOptions, decodeIndices } from './decode-indices.ts';
