/**
 * Health checks that explain a bad reconstruction (docs/spec.md §10: black, grey, flat, noisy images) by
 * naming the pipeline stage where the problem first appeared. Pure: it reads the small per-stage
 * summaries of tensor-stats.ts, so the CLI's dataset report and the browser share one verdict.
 */
import type { DecoderOutputHealth } from '../image/postprocess.ts';
import type { CodebookUsage } from './codebook-usage.ts';
import type { FeatureMapStats, ImageU8Stats } from './tensor-stats.ts';

export const PIPELINE_STAGES = [
  'preprocess',
  'semantic encoder',
  'pixel encoder',
  'quantizer',
  'decoder',
  'postprocess',
] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

export type Severity = 'error' | 'warning' | 'info';

export type HealthCheck =
  | 'stage-failed'
  | 'input-format'
  | 'upscaled-input'
  | 'flat-input'
  | 'non-finite'
  | 'zero-norm-features'
  | 'position-independent-features'
  | 'codebook-collapse'
  | 'flat-output'
  | 'out-of-range-output'
  | 'black-reconstruction'
  | 'flat-reconstruction';

export interface HealthFinding {
  readonly check: HealthCheck;
  /** Where the problem first appeared (not necessarily where it became visible). */
  readonly stage: PipelineStage;
  readonly severity: Severity;
  readonly message: string;
}

export interface HealthThresholds {
  /** Codebook collapse: fewer distinct codes than this fraction of the tokens. */
  readonly collapseFraction: number;
  /** Out-of-range decoder output: more than this fraction of values clipped by the uint8 conversion… */
  readonly clippedFraction: number;
  /** …or any |y| above this (a trained decoder stays near [-1, 1]). */
  readonly absLimit: number;
  /** A uint8 image whose every channel has a standard deviation below this is flat. */
  readonly flatStd: number;
  /** An upscale of the source by at least this factor is a warning (below it a note). */
  readonly upscaleWarning: number;
}

/**
 * Random-weight test models clip ~8% of their output at |y| ≤ 9 and use 70–85% distinct codes;
 * trained ones clip far less. The limits sit well outside both so only broken models trip them.
 */
export const DEFAULT_THRESHOLDS: HealthThresholds = {
  collapseFraction: 0.05,
  clippedFraction: 0.25,
  absLimit: 32,
  flatStd: 1,
  upscaleWarning: 2,
};

/** What each stage produced, as far as the pipeline got. */
export interface StageObservations {
  readonly preprocess?: {
    readonly sourceWidth: number;
    readonly sourceHeight: number;
    readonly inputSize: number;
    readonly crop: ImageU8Stats;
  };
  readonly semanticEncoder?: FeatureMapStats;
  readonly pixelEncoder?: FeatureMapStats;
  readonly quantizer?: { readonly usage: CodebookUsage; readonly fHat: FeatureMapStats };
  readonly decoder?: { readonly output: DecoderOutputHealth; readonly stats: FeatureMapStats };
  readonly postprocess?: ImageU8Stats;
  /** The exception that stopped the pipeline, and the stage that threw it. */
  readonly failure?: { readonly stage: PipelineStage; readonly message: string };
}

export function assessHealth(
  obs: StageObservations,
  thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
): HealthFinding[] {
  const findings: HealthFinding[] = [];
  const add = (check: HealthCheck, stage: PipelineStage, severity: Severity, message: string) =>
    findings.push({ check, stage, severity, message });
  /** The earliest stage with an error so far: a later symptom is attributed to it. */
  const origin = (fallback: PipelineStage): PipelineStage => firstProblemStage(findings, 'error') ?? fallback;

  const pre = obs.preprocess;
  const inputFlat = pre !== undefined && isFlat(pre.crop, thresholds);
  if (pre) {
    const upscale = pre.inputSize / Math.min(pre.sourceWidth, pre.sourceHeight);
    if (upscale > 1) {
      add(
        'upscaled-input',
        'preprocess',
        upscale >= thresholds.upscaleWarning ? 'warning' : 'info',
        `the ${pre.sourceWidth}x${pre.sourceHeight} image is smaller than the ${pre.inputSize}px model input: ` +
          `upscaled ×${fmt(upscale, 3)} (PIL bicubic), so the metrics compare the reconstruction with a blurred upscale`,
      );
    }
    if (inputFlat) {
      add(
        'flat-input',
        'preprocess',
        'info',
        `the ${pre.inputSize}x${pre.inputSize} crop is one flat colour (mean RGB ${rgb(pre.crop.mean)}); ` +
          'flat reconstructions and few distinct codes are expected',
      );
    }
  }

  encoderFindings('semantic encoder', obs.semanticEncoder, add);
  encoderFindings('pixel encoder', obs.pixelEncoder, add);

  const q = obs.quantizer;
  if (q) {
    if (q.fHat.nan + q.fHat.inf > 0) add('non-finite', origin('quantizer'), 'error', `f̂ has ${nonFiniteText(q.fHat)}`);
    const { distinct, tokens, codebookSize } = q.usage;
    if (distinct < Math.max(2, thresholds.collapseFraction * tokens)) {
      add(
        'codebook-collapse',
        origin('quantizer'),
        inputFlat ? 'info' : 'error',
        `codebook collapse: only ${distinct} distinct code${distinct === 1 ? '' : 's'} for ${tokens} tokens (K=${codebookSize})` +
          (inputFlat
            ? ' on a flat input'
            : '; expect a blocky or uniform image (identical or zero codebook rows, or features that ignore the image)'),
      );
    }
  }

  // f̂ is a sum of unit-norm code rows whatever happened upstream, so an anomaly in the decoder's
  // output starts at the decoder.
  const dec = obs.decoder;
  if (dec) {
    const o = dec.output;
    const nonFinite = o.nan + o.posInf + o.negInf;
    if (nonFinite > 0) {
      add(
        'non-finite',
        'decoder',
        'error',
        `decoder output has ${o.nan} NaN, ${o.posInf} +Inf and ${o.negInf} −Inf of ${o.total} values (NaN renders black); ` +
          'causes: NaN/Inf weights, fp16 overflow, fp16 weights read as fp32',
      );
    }
    const finite = o.total - nonFinite;
    if (finite > 0 && dec.stats.spatialRange <= 1e-6 * dec.stats.absMax) {
      add(
        'flat-output',
        'decoder',
        'error',
        `decoder output is constant (y = ${fmt(o.min, 4)}): a uniform ${o.min === 0 ? 'grey (128)' : 'colour'} image; ` +
          'the decoder ignores its input (zeroed or missing decoder weights, or f̂ never fed in)',
      );
    }
    const clipped = o.clampedLow + o.clampedHigh;
    const absMax = Math.max(Math.abs(o.min), Math.abs(o.max));
    if (finite > 0 && (clipped > thresholds.clippedFraction * finite || absMax > thresholds.absLimit)) {
      add(
        'out-of-range-output',
        'decoder',
        clipped >= finite ? 'error' : 'warning',
        `decoder output spans [${fmt(o.min, 3)}, ${fmt(o.max, 3)}] (nominally [-1, 1]); ` +
          `${pct(clipped / finite)} of the values clip to 0 or 255 (a decoder that does not match its weights, or overflow)`,
      );
    }
  }

  // A black or flat image comes from the decoder when it misbehaved, else from the earliest upstream
  // error (e.g. a collapse gives a uniform image); only otherwise from the uint8 conversion itself.
  const decoderError = findings.some((f) => f.stage === 'decoder' && f.severity === 'error');
  const imageOrigin = decoderError ? 'decoder' : origin('postprocess');
  const post = obs.postprocess;
  if (post && pre) {
    const black = Math.max(...post.mean) < 1;
    const inputBlack = Math.max(...pre.crop.mean) < 1;
    if (black) {
      add(
        'black-reconstruction',
        imageOrigin,
        inputBlack ? 'info' : 'error',
        inputBlack
          ? 'the reconstruction is black, like its input'
          : `the reconstruction is all black${upstreamHint(findings)}`,
      );
    } else if (isFlat(post, thresholds)) {
      add(
        'flat-reconstruction',
        imageOrigin,
        inputFlat ? 'info' : 'error',
        inputFlat
          ? `the reconstruction is flat (RGB ${rgb(post.mean)}), like its input`
          : `the reconstruction is one flat colour (mean RGB ${rgb(post.mean)}) but its input is not${upstreamHint(findings)}`,
      );
    }
  }

  if (obs.failure)
    add('stage-failed', obs.failure.stage, 'error', `${obs.failure.stage} failed: ${obs.failure.message}`);
  return sortFindings(findings);
}

/** Pipeline order, stable within a stage. */
export function sortFindings(findings: readonly HealthFinding[]): HealthFinding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => PIPELINE_STAGES.indexOf(a.f.stage) - PIPELINE_STAGES.indexOf(b.f.stage) || a.i - b.i)
    .map(({ f }) => f);
}

/** The earliest stage with a finding of at least `severity` (errors before warnings). */
export function firstProblemStage(
  findings: readonly HealthFinding[],
  severity: 'error' | 'warning' = 'warning',
): PipelineStage | undefined {
  const ranked = findings.filter((f) => f.severity === 'error' || (severity === 'warning' && f.severity === 'warning'));
  const errors = ranked.filter((f) => f.severity === 'error');
  const pool = errors.length > 0 ? errors : ranked;
  let best: PipelineStage | undefined;
  for (const f of pool)
    if (best === undefined || PIPELINE_STAGES.indexOf(f.stage) < PIPELINE_STAGES.indexOf(best)) best = f.stage;
  return best;
}

export type HealthStatus = 'ok' | 'warning' | 'error';

export function healthStatus(findings: readonly HealthFinding[]): HealthStatus {
  if (findings.some((f) => f.severity === 'error')) return 'error';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

function encoderFindings(
  stage: 'semantic encoder' | 'pixel encoder',
  s: FeatureMapStats | undefined,
  add: (check: HealthCheck, stage: PipelineStage, severity: Severity, message: string) => void,
): void {
  if (!s) return;
  const positions = s.height * s.width;
  if (s.nan + s.inf > 0) {
    add(
      'non-finite',
      stage,
      'error',
      `${stage} output has ${nonFiniteText(s)}; the quantizer cannot use it (NaN/Inf weights or fp16 overflow)`,
    );
    return;
  }
  if (s.zeroNormPositions > 0) {
    add(
      'zero-norm-features',
      stage,
      s.zeroNormPositions === positions ? 'error' : 'warning',
      `${s.zeroNormPositions} of ${positions} positions have zero-norm ${stage === 'semantic encoder' ? 'semantic' : 'pixel'} features: ` +
        'F.normalize leaves them 0, every code ties and code 0 wins (zeroed or missing weights)',
    );
  }
  if (positions > 1 && s.zeroNormPositions < positions && s.spatialRange <= 1e-6 * s.absMax) {
    add(
      'position-independent-features',
      stage,
      'error',
      `${stage} output is the same vector at all ${positions} positions: it ignores the image (zeroed weights before a bias)`,
    );
  }
}

function upstreamHint(findings: readonly HealthFinding[]): string {
  const first = findings.find((f) => f.severity === 'error');
  return first ? `; it starts at the ${first.stage}: ${first.check}` : '';
}

function nonFiniteText(s: FeatureMapStats): string {
  const total = s.channels * s.height * s.width;
  const at = s.firstNonFinite
    ? ` (first: [0,${s.firstNonFinite.c},${s.firstNonFinite.y},${s.firstNonFinite.x}] = ${s.firstNonFinite.value})`
    : '';
  return `${s.nan} NaN and ${s.inf} ±Inf of ${total} values${at}`;
}

function isFlat(s: ImageU8Stats, t: HealthThresholds): boolean {
  return Math.max(...s.std) < t.flatStd;
}

function rgb(v: readonly number[]): string {
  return v.map((x) => x.toFixed(0)).join(',');
}

function fmt(v: number, digits: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : String(v);
}

function pct(f: number): string {
  return `${(100 * f).toFixed(1)}%`;
}
