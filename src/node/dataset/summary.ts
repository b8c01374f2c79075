/**
 * summary.json: the dataset's aggregate, rebuilt from results.jsonl and tokens.bin alone, in one
 * streaming pass (per-image numbers are kept as plain numbers for the medians; tensors never).
 * A resumed run's summary therefore covers every run into the same folder.
 */
import { CodebookTally } from '../../core/metrics/codebook-usage.ts';
import { type Distribution, type Histogram, distribution, histogram } from '../../core/metrics/distribution.ts';
import { PIPELINE_STAGES, type HealthCheck, type PipelineStage, type Severity } from '../../core/metrics/health.ts';
import { type FileStatus, type ProcessedRecord, isProcessed } from './records.ts';
import { readRecords } from './results-log.ts';
import { TokenFileReader } from './token-file.ts';

export interface ModelInfo {
  readonly name: string;
  readonly package: string;
  readonly variant: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly codebookSize: number;
  readonly scales: readonly number[];
  readonly numTokens: number;
  readonly fingerprint: string;
}

/** One image in the worst/best lists. */
export interface ImageBrief {
  readonly path: string;
  readonly recon?: string;
  readonly status: FileStatus;
  readonly psnr: number | null;
  readonly ssim: number | null;
  readonly officialPsnr: number | null;
  readonly officialSsim: number | null;
  readonly distinctCodes: number | null;
  readonly firstProblemStage: PipelineStage | null;
}

export interface ProblemImage {
  readonly path: string;
  readonly status: FileStatus;
  readonly firstProblemStage: PipelineStage | null;
  readonly findings: readonly {
    readonly stage: PipelineStage;
    readonly severity: Severity;
    readonly check: HealthCheck;
    readonly message: string;
  }[];
}

export interface DatasetSummary {
  readonly generator: string;
  readonly createdAt: string;
  readonly model: ModelInfo;
  readonly input: string;
  readonly files: Readonly<Record<FileStatus, number>> & { readonly total: number };
  /** Over processed images with metrics. PSNR = ∞ (exact) counts in `nonFinite`. */
  readonly metrics: {
    readonly psnr: Distribution;
    readonly ssim: Distribution;
    /** The official evaluation's variants (SSIM: data_range 2.0 on [0,1] images, 7×7 uniform window). */
    readonly official: { readonly psnr: Distribution; readonly ssim: Distribution };
  };
  readonly codebook: {
    readonly K: number;
    readonly tokensPerImage: number;
    /** Distinct codes per image, and their histogram over [0, tokens per image]. */
    readonly distinctPerImage: Distribution;
    readonly distinctHistogram: Histogram;
    /** Distinct codes per image / K. */
    readonly usagePerImage: Distribution;
    /** All images together, from tokens.bin. */
    readonly dataset: {
      readonly images: number;
      readonly tokens: number;
      readonly distinct: number;
      readonly usage: number;
      readonly perplexity: number;
    };
  };
  readonly health: {
    readonly byCheck: Partial<Record<HealthCheck, Partial<Record<Severity, number>>>>;
    /** Images whose first error (else warning) appeared at each stage. */
    readonly byFirstStage: Partial<Record<PipelineStage, number>>;
    /** Images with errors or warnings (first `listLimit`). */
    readonly images: readonly ProblemImage[];
    readonly imagesOmitted: number;
  };
  /** Lowest standard PSNR first. */
  readonly worst: readonly ImageBrief[];
  /** Highest standard PSNR first. */
  readonly best: readonly ImageBrief[];
  /** Files not processed, with the reason (first `listLimit`). */
  readonly notProcessed: readonly {
    readonly path: string;
    readonly status: 'unreadable' | 'skipped';
    readonly reason: string;
  }[];
  readonly notProcessedOmitted: number;
  readonly timing: { readonly meanMsPerImage: number | null; readonly medianMsPerImage: number | null };
  readonly notes: readonly string[];
}

export interface SummaryOptions {
  readonly resultsPath: string;
  readonly tokensPath: string;
  readonly model: ModelInfo;
  readonly input: string;
  /** Images in each of the worst and best lists. */
  readonly topN?: number;
  /** Cap on listed problem images and unprocessed files. */
  readonly listLimit?: number;
}

export async function buildSummary(options: SummaryOptions): Promise<DatasetSummary> {
  const topN = options.topN ?? 8;
  const listLimit = options.listLimit ?? 1000;
  const files = { total: 0, ok: 0, warning: 0, error: 0, unreadable: 0, skipped: 0 };
  const psnr: number[] = [],
    ssim: number[] = [],
    oPsnr: number[] = [],
    oSsim: number[] = [];
  const distinct: number[] = [],
    usage: number[] = [],
    totalMs: number[] = [];
  const byCheck: Partial<Record<HealthCheck, Partial<Record<Severity, number>>>> = {};
  const byFirstStage: Partial<Record<PipelineStage, number>> = {};
  const problems: ProblemImage[] = [];
  let problemsOmitted = 0;
  const notProcessed: DatasetSummary['notProcessed'][number][] = [];
  let notProcessedOmitted = 0;
  const worst = new TopList<ImageBrief>(topN, (a, b) => psnrKey(a) - psnrKey(b));
  const best = new TopList<ImageBrief>(topN, (a, b) => psnrKey(b) - psnrKey(a));
  let turned = 0;

  for await (const r of readRecords(options.resultsPath)) {
    files.total++;
    files[r.status]++;
    if (!isProcessed(r)) {
      if (notProcessed.length < listLimit) notProcessed.push({ path: r.path, status: r.status, reason: r.reason });
      else notProcessedOmitted++;
      continue;
    }
    if (r.exifOrientation !== undefined && r.exifOrientation !== 1) turned++;
    if (r.metrics) {
      psnr.push(r.metrics.psnr ?? Infinity);
      ssim.push(r.metrics.ssim);
      oPsnr.push(r.metrics.official.psnr ?? Infinity);
      oSsim.push(r.metrics.official.ssim);
      const brief = toBrief(r);
      worst.offer(brief);
      best.offer(brief);
    }
    if (r.codebook) {
      distinct.push(r.codebook.distinct);
      usage.push(r.codebook.usage);
    }
    totalMs.push(r.timingsMs.totalMs);
    for (const f of r.health) {
      const entry = (byCheck[f.check] ??= {});
      entry[f.severity] = (entry[f.severity] ?? 0) + 1;
    }
    if (r.firstProblemStage) byFirstStage[r.firstProblemStage] = (byFirstStage[r.firstProblemStage] ?? 0) + 1;
    if (r.status !== 'ok') {
      if (problems.length < listLimit) {
        problems.push({
          path: r.path,
          status: r.status,
          firstProblemStage: r.firstProblemStage,
          findings: r.health
            .filter((f) => f.severity !== 'info')
            .map(({ stage, severity, check, message }) => ({ stage, severity, check, message })),
        });
      } else problemsOmitted++;
    }
  }

  const m = options.model;
  const tally = tallyTokens(options.tokensPath, m.codebookSize);
  const timing = distribution(totalMs);
  const notes: string[] = [];
  if (turned > 0) {
    notes.push(
      `${turned} file(s) carry an EXIF orientation tag: tokenized as stored, as the official code (Pillow) does, ` +
        'not turned as photo viewers show them (results.jsonl: exifOrientation).',
    );
  }
  if (m.outputSize !== m.inputSize)
    notes.push(`The model outputs ${m.outputSize}px for a ${m.inputSize}px input: PSNR/SSIM were not computed.`);
  return {
    generator: 'tokenflow-playground dataset (npm run dataset)',
    createdAt: new Date().toISOString(),
    model: m,
    input: options.input,
    files,
    metrics: {
      psnr: distribution(psnr),
      ssim: distribution(ssim),
      official: { psnr: distribution(oPsnr), ssim: distribution(oSsim) },
    },
    codebook: {
      K: m.codebookSize,
      tokensPerImage: m.numTokens,
      distinctPerImage: distribution(distinct),
      distinctHistogram: histogram(distinct, 0, m.numTokens, 10),
      usagePerImage: distribution(usage),
      dataset: {
        images: tally.images,
        tokens: tally.tally.tokens,
        distinct: tally.tally.distinct,
        usage: tally.tally.distinct / m.codebookSize,
        perplexity: tally.tally.perplexity,
      },
    },
    health: { byCheck, byFirstStage: orderedStages(byFirstStage), images: problems, imagesOmitted: problemsOmitted },
    worst: worst.items(),
    best: best.items(),
    notProcessed,
    notProcessedOmitted,
    timing: { meanMsPerImage: timing.mean, medianMsPerImage: timing.median },
    notes,
  };
}

function tallyTokens(path: string, K: number): { tally: CodebookTally; images: number } {
  const tally = new CodebookTally(K);
  let reader: TokenFileReader;
  try {
    reader = TokenFileReader.open(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { tally, images: 0 };
    throw e;
  }
  try {
    for (let i = 0; i < reader.records; i++) tally.add(reader.read(i));
    return { tally, images: reader.records };
  } finally {
    reader.close();
  }
}

function toBrief(r: ProcessedRecord): ImageBrief {
  return {
    path: r.path,
    ...(r.recon ? { recon: r.recon } : {}),
    status: r.status,
    psnr: r.metrics?.psnr ?? null,
    ssim: r.metrics?.ssim ?? null,
    officialPsnr: r.metrics?.official.psnr ?? null,
    officialSsim: r.metrics?.official.ssim ?? null,
    distinctCodes: r.codebook?.distinct ?? null,
    firstProblemStage: r.firstProblemStage,
  };
}

/** PSNR null means identical (∞). */
function psnrKey(b: ImageBrief): number {
  return b.psnr ?? Infinity;
}

function orderedStages(counts: Partial<Record<PipelineStage, number>>): Partial<Record<PipelineStage, number>> {
  const out: Partial<Record<PipelineStage, number>> = {};
  for (const s of PIPELINE_STAGES) if (counts[s]) out[s] = counts[s];
  return out;
}

/** The n smallest items under `compare`, in O(n) memory (ties keep the earlier item). */
class TopList<T> {
  private readonly list: T[] = [];
  constructor(
    private readonly n: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    if (this.n <= 0) return;
    if (this.list.length === this.n && !(this.compare(item, this.list[this.n - 1]) < 0)) return;
    let at = this.list.length;
    while (at > 0 && this.compare(item, this.list[at - 1]) < 0) at--;
    this.list.splice(at, 0, item);
    if (this.list.length > this.n) this.list.pop();
  }

  items(): T[] {
    return [...this.list];
  }
}
