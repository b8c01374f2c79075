/**
 * Reconstruction metrics and pipeline health checks, DOM-free: the dataset CLI, the browser and
 * the tests compute every number here with this one implementation.
 *
 * - psnrU8 / ssimU8: standard PSNR and Gaussian-window SSIM on the uint8 crop vs the uint8
 *   reconstruction, data range 255.
 * - officialPsnr / officialSsim: the official evaluation's variants, quirks included (SSIM with
 *   data_range 2.0 on [0,1] images, 7×7 uniform window); label them as such wherever shown.
 */
export { meanSquaredErrorU8, psnrU8, psnrFromMse } from './psnr.ts';
export { type SsimOptions, type ImageLayout, ssim, ssimU8, gaussianTaps, uniformTaps } from './ssim.ts';
export { officialPsnr, officialSsim, officialGroundTruth, officialRestored } from './official-eval.ts';
export { type CodebookUsage, codebookUsage, CodebookTally } from './codebook-usage.ts';
export {
  type FeatureMapStats,
  type ImageU8Stats,
  featureMapStats,
  imageU8Stats,
  NORMALIZE_EPS,
} from './tensor-stats.ts';
export {
  PIPELINE_STAGES,
  type PipelineStage,
  type Severity,
  type HealthCheck,
  type HealthFinding,
  type HealthThresholds,
  type HealthStatus,
  type StageObservations,
  DEFAULT_THRESHOLDS,
  assessHealth,
  sortFindings,
  firstProblemStage,
  healthStatus,
} from './health.ts';
export { type Distribution, type Histogram, distribution, histogram, quantileSorted } from './distribution.ts';
