/**
 * npm run bench:dataset [-- --images N --threads T]
 *
 * Throughput and memory of the dataset run over N generated images (default 100: crops of the
 * fixture photos at varied sizes, as PNG): images per second and peak RSS, plus RSS and heap
 * after 10%, 50% and 100% of the images, which stay flat when nothing accumulates per image.
 * Runs on the clip-224 fixture package (exported here) and, when present, on the embedded model
 * in public/models/default. Not a test: it prints numbers.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runDataset } from './run-dataset.ts';
import { crop, FIXTURE, fixtureSource, pngRgb, exportFixturePackage } from '../../test-support/dataset-inputs.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

async function makeImages(dir: string, n: number): Promise<void> {
  const sources = [await fixtureSource('astronaut'), await fixtureSource('coffee')];
  for (let i = 0; i < n; i++) {
    const src = sources[i % 2];
    // Sizes from 230 px to the full photo, so the crop's resize work varies as in a real folder.
    const w = 230 + ((i * 37) % (src.width - 230));
    const h = 230 + ((i * 53) % (src.height - 230));
    const box = { x: (i * 13) % (src.width - w + 1), y: (i * 7) % (src.height - h + 1), width: w, height: h };
    const file = join(dir, `set${i % 4}`, `img${String(i).padStart(4, '0')}.png`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, pngRgb(crop(src, box)));
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function bench(
  label: string,
  model: string,
  input: string,
  out: string,
  n: number,
  threads?: number,
): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const marks = new Map<number, { rss: number; heap: number }>();
  const stamps: number[] = [];
  const checkpoints = new Set([Math.ceil(n / 10), Math.ceil(n / 2), n]);
  const run = await runDataset({
    model,
    input,
    out,
    threads,
    onFile: () => {
      stamps.push(performance.now());
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      if (checkpoints.has(stamps.length)) marks.set(stamps.length, { rss: m.rss, heap: m.heapUsed });
    },
  });
  clearInterval(sampler);
  const loopRate = stamps.length > 1 ? (stamps.length - 1) / ((stamps[stamps.length - 1] - stamps[0]) / 1000) : NaN;
  const s = run.summary;
  console.log(
    `${label}: ${run.processedNow} images in ${run.seconds.toFixed(1)} s (model load and report included): ` +
      `${(run.processedNow / run.seconds).toFixed(2)} img/s; steady state ${loopRate.toFixed(2)} img/s`,
  );
  console.log(
    `  peak RSS ${mb(peakRss)}; ` +
      [...marks].map(([k, m]) => `after ${k}: RSS ${mb(m.rss)}, heap ${mb(m.heap)}`).join('; '),
  );
  const t = s.timing;
  console.log(
    `  per image: mean ${t.meanMsPerImage?.toFixed(0)} ms, median ${t.medianMsPerImage?.toFixed(0)} ms; ` +
      `${s.files.ok} ok, ${s.files.warning} warnings, ${s.files.error} errors`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { images: { type: 'string' }, threads: { type: 'string' } } });
  const n = values.images ? Number(values.images) : 100;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--images must be a positive integer, got ${values.images}`);
  const threads = values.threads ? Number(values.threads) : undefined;
  const tmp = await mkdtemp(join(tmpdir(), 'tf-bench-dataset-'));
  try {
    const input = join(tmp, 'in');
    await makeImages(input, n);
    const pkg = await exportFixturePackage(tmp);
    console.log(`${n} images, ${threads ?? 'default'} onnxruntime threads, Node ${process.version}`);
    await bench(`fixture ${FIXTURE}`, pkg, input, join(tmp, 'out-fixture'), n, threads);
    const embedded = join(repo, 'public/models/default');
    if (existsSync(join(embedded, 'manifest.json')))
      await bench('embedded public/models/default', embedded, input, join(tmp, 'out-default'), n, threads);
    else console.log(`embedded model: ${embedded} has no package, skipped`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench:dataset: ${(e as Error).message}`);
  process.exit(1);
});
