/**
 * The dataset run: every image of a folder through the one pipeline, writing reconstructions
 * (PNG, mirroring the input tree), tokens (tokens.bin), one results.jsonl line per file, and at
 * the end summary.json and report.html. Resumable: a rerun into the same --out skips every
 * file results.jsonl already has. Memory stays flat: per image only small records are kept,
 * and the summary is rebuilt from the files.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, realpath, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createRgbImage } from '../../core/image/rgb-image.ts';
import type { ModelManifest } from '../../core/model-package/manifest.ts';
import type { LoadedModel } from '../../core/pipeline/loaded-model.ts';
import { encodePng } from '../image-io.ts';
import { loadModelFromDir } from '../package-dir-reader.ts';
import { joinBytes, pathFromDisplay } from '../path-bytes.ts';
import { renderHtmlReport } from './html-report.ts';
import { classifyFile } from './image-file.ts';
import { processImage } from './process-image.ts';
import { ProgressBar, type ProgressStream } from './progress.ts';
import type { FileRecord } from './records.ts';
import { appendRecord, readRecords, repairLog } from './results-log.ts';
import { sampleEntries, scanFolder } from './scan.ts';
import { createStageProbe } from './stage-probe.ts';
import { buildSummary, type DatasetSummary, type ModelInfo } from './summary.ts';
import { thumbnailPair, type ThumbnailPair } from './thumbnails.ts';
import { TokenFileWriter } from './token-file.ts';

export interface DatasetRunOptions {
  /** Model package folder. */
  readonly model: string;
  readonly input: string;
  readonly out: string;
  /** Only the first N files of the (sampled) sorted list. */
  readonly limit?: number;
  /** A seed-stable random sample of N files. */
  readonly sample?: number;
  readonly seed?: number;
  /** Must equal the package's input size: a package runs at the one size it was exported for. */
  readonly imageSize?: number;
  /** onnxruntime intra-op threads per graph. */
  readonly threads?: number;
  /** Aborting stops the run after the current file; the summary is still written. */
  readonly signal?: AbortSignal;
  /** Where the progress line goes (stderr in the CLI); none when null/absent. */
  readonly progress?: ProgressStream | null;
  /** Images in each of the worst/best lists. */
  readonly topN?: number;
  /** Called after each file's record is written. */
  readonly onFile?: (record: FileRecord) => void;
}

export interface DatasetRunResult {
  /** Files in the selection (after --sample and --limit). */
  readonly selected: number;
  /** Of those, done by an earlier run and skipped now. */
  readonly alreadyDone: number;
  /** Files handled by this run. */
  readonly processedNow: number;
  /** True when the signal stopped the run early. */
  readonly stopped: boolean;
  readonly seconds: number;
  readonly summary: DatasetSummary;
  readonly paths: DatasetPaths;
}

export interface DatasetPaths {
  readonly out: string;
  readonly run: string;
  readonly results: string;
  readonly tokens: string;
  readonly summary: string;
  readonly html: string;
  readonly reconDir: string;
}

export function datasetPaths(out: string): DatasetPaths {
  const dir = resolve(out);
  return {
    out: dir,
    run: join(dir, 'run.json'),
    results: join(dir, 'results.jsonl'),
    tokens: join(dir, 'tokens.bin'),
    summary: join(dir, 'summary.json'),
    html: join(dir, 'report.html'),
    reconDir: join(dir, 'recon'),
  };
}

/** Where the reconstruction of input `path` goes, relative to --out: recon/<path>[.png]. */
export function reconPath(path: string): string {
  return `recon/${path.endsWith('.png') ? path : `${path}.png`}`;
}

export async function runDataset(options: DatasetRunOptions): Promise<DatasetRunResult> {
  checkCount('--limit', options.limit);
  checkCount('--sample', options.sample);
  checkCount('--threads', options.threads);
  checkCount('--image-size', options.imageSize);
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed))
    throw new Error(`--seed must be an integer, got ${options.seed}`);
  const started = performance.now();
  const paths = datasetPaths(options.out);
  const input = resolve(options.input);
  await refuseOutputAsInput(input, paths.out);

  const model = await loadModelFromDir(options.model, options.threads ? { intraOpNumThreads: options.threads } : {});
  let tokens: TokenFileWriter | undefined;
  let progress: ProgressBar | undefined;
  let info: ModelInfo;
  const counts = { selected: 0, alreadyDone: 0, processedNow: 0, stopped: false };
  try {
    const m = model.manifest;
    if (options.imageSize !== undefined && options.imageSize !== m.inputSize) {
      throw new Error(
        `--image-size ${options.imageSize}: the package ${options.model} was exported for ${m.inputSize}px and runs only at that size; ` +
          `export another package with: npm run export -- <checkpoint> --out <dir> --image-size ${options.imageSize}`,
      );
    }
    info = modelInfo(m, resolve(options.model));
    await mkdir(paths.reconDir, { recursive: true });
    await claimOutputFolder(paths, info, input);

    await repairLog(paths.results);
    const done = new Set<string>();
    let tokenRecords = 0;
    for await (const r of readRecords(paths.results)) {
      done.add(r.path);
      if ('tokens' in r && r.tokens !== undefined) tokenRecords = Math.max(tokenRecords, r.tokens + 1);
    }
    tokens = TokenFileWriter.open(
      paths.tokens,
      {
        codebookSize: m.codebookSize,
        scales: m.scales,
        meta: { model: m.name, fingerprint: info.fingerprint, inputSize: m.inputSize },
      },
      tokenRecords,
    );

    let selection = await scanFolder(input, paths.out);
    if (options.sample !== undefined) selection = sampleEntries(selection, options.sample, options.seed ?? 0);
    if (options.limit !== undefined) selection = selection.slice(0, options.limit);
    const todo = selection.filter((e) => !done.has(e.path));
    counts.selected = selection.length;
    counts.alreadyDone = selection.length - todo.length;

    progress = options.progress ? new ProgressBar(options.progress, selection.length, counts.alreadyDone) : undefined;
    progress?.update(counts.alreadyDone);
    const probe = createStageProbe(model.runner);
    const probed: LoadedModel = { ...model, runner: probe.runner };

    for (const entry of todo) {
      if (options.signal?.aborted) {
        counts.stopped = true;
        break;
      }
      let record: FileRecord;
      if (entry.odd) {
        record = { path: entry.path, status: 'skipped', reason: entry.odd };
      } else {
        record = await handleFile(probed, probe, input, paths, entry.path, tokens);
      }
      await appendRecord(paths.results, record);
      counts.processedNow++;
      options.onFile?.(record);
      progress?.update(counts.alreadyDone + counts.processedNow, entry.path);
    }
  } finally {
    tokens?.close();
    progress?.finish();
    await model.runner.release();
  }

  const summary = await buildSummary({
    resultsPath: paths.results,
    tokensPath: paths.tokens,
    model: info,
    input,
    topN: options.topN,
  });
  await writeFile(paths.summary, JSON.stringify(summary, null, 2) + '\n');
  const thumbs = new Map<string, ThumbnailPair>();
  for (const b of [...summary.worst, ...summary.best]) {
    if (!thumbs.has(b.path)) thumbs.set(b.path, await thumbnailPair(input, paths.out, b.path, b.recon, info.inputSize));
  }
  await writeFile(paths.html, renderHtmlReport(summary, thumbs));
  return { ...counts, seconds: (performance.now() - started) / 1000, summary, paths };
}

/** One file → its record, with its reconstruction and tokens written first (the record commits them). */
async function handleFile(
  model: LoadedModel,
  probe: ReturnType<typeof createStageProbe>,
  input: string,
  paths: DatasetPaths,
  path: string,
  tokens: TokenFileWriter,
): Promise<FileRecord> {
  let bytes: Uint8Array;
  try {
    // Look at the head first: a folder may hold videos or archives of gigabytes we need not read.
    const file = joinBytes(input, pathFromDisplay(path));
    const head = await readHead(file, 512);
    const kind = classifyFile(head);
    if (kind.kind === 'not-image') return { path, status: 'skipped', reason: kind.reason };
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    return { path, status: 'unreadable', reason: `cannot read the file: ${(e as Error).message}` };
  }
  let outcome;
  try {
    outcome = await processImage(model, probe, bytes, path);
  } catch (e) {
    // A bug or an exhausted resource, not the file's fault; record it and go on.
    return { path, status: 'unreadable', reason: `internal error while processing: ${(e as Error).message}` };
  }
  if (outcome.kind === 'skipped') return outcome.record;
  const m = model.manifest;
  let recon: string | undefined;
  if (outcome.reconU8) {
    recon = reconPath(path);
    const file = join(paths.out, recon);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, encodePng(createRgbImage(m.outputSize, m.outputSize, outcome.reconU8)));
  }
  const tokenRecord = outcome.indices ? tokens.append(outcome.indices) : undefined;
  return {
    ...outcome.record,
    ...(recon ? { recon } : {}),
    ...(tokenRecord !== undefined ? { tokens: tokenRecord } : {}),
  };
}

async function readHead(file: string | Buffer, length: number): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = new Uint8Array(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Identifies a model by the content of its files, so a resume with another model is refused. */
export function modelFingerprint(m: ModelManifest): string {
  const lines = m.files.map((f) => `${f.path}:${f.sha256}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

function modelInfo(m: ModelManifest, packageDir: string): ModelInfo {
  return {
    name: m.name,
    package: packageDir,
    variant: m.variant,
    inputSize: m.inputSize,
    outputSize: m.outputSize,
    codebookSize: m.codebookSize,
    scales: m.scales,
    numTokens: m.numTokens,
    fingerprint: modelFingerprint(m),
  };
}

interface RunFile {
  readonly format: 'tokenflow-dataset-run';
  readonly version: 1;
  readonly input: string;
  readonly model: ModelInfo;
  readonly createdAt: string;
}

/** Writes run.json on a fresh --out; on a rerun, checks that the model and input are the same. */
async function claimOutputFolder(paths: DatasetPaths, model: ModelInfo, input: string): Promise<void> {
  const existing = await readFile(paths.run, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new Error(`${paths.run}: ${e.message}`);
  });
  if (existing === undefined) {
    const run: RunFile = {
      format: 'tokenflow-dataset-run',
      version: 1,
      input,
      model,
      createdAt: new Date().toISOString(),
    };
    await writeFile(paths.run, JSON.stringify(run, null, 2) + '\n');
    return;
  }
  let run: RunFile;
  try {
    run = JSON.parse(existing) as RunFile;
  } catch (e) {
    throw new Error(
      `${paths.run}: not JSON (${(e as Error).message}); delete it only if the folder holds no results you want to keep`,
    );
  }
  if (run.format !== 'tokenflow-dataset-run')
    throw new Error(`${paths.run}: not a dataset run file (format ${JSON.stringify(run.format)})`);
  if (run.model?.fingerprint !== model.fingerprint) {
    throw new Error(
      `${paths.run}: this folder holds results of model "${run.model?.name}" (fingerprint ${run.model?.fingerprint}), ` +
        `not "${model.name}" (${model.fingerprint}); choose another --out`,
    );
  }
  if (run.input !== input)
    throw new Error(
      `${paths.run}: this folder holds results for input ${run.input}, not ${input}; choose another --out`,
    );
}

/**
 * --out equal to --in would list the run's own reconstructions as inputs on the next run. An
 * --out inside --in is fine: the scan leaves it out.
 */
async function refuseOutputAsInput(input: string, out: string): Promise<void> {
  const real = async (p: string) => realpath(p).catch(() => p);
  if ((await real(input)) === (await real(out))) {
    throw new Error(
      `--out ${out} is the --in folder: the reconstructions would be read back as inputs on the next run; ` +
        'choose another --out (a subfolder of --in is fine, it is left out)',
    );
  }
}

function checkCount(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 1))
    throw new Error(`${name} must be a positive integer, got ${v}`);
}
