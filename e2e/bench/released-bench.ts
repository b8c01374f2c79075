/**
 * Released-size models, end to end (run on purpose, not a test): writes a random checkpoint of
 * each released architecture with our own writer, exports it, then prints for Node and for
 * Chromium (the production build: wasm, and WebGPU where the browser has a hardware adapter) the
 * time to tokens and to the reconstruction, on a
 * first visit (empty browser storage) and a second one (same profile), the model files
 * downloaded on the second visit, and peak memory (sum of the RSS of every Chromium process,
 * sampled every 200 ms; shared pages are counted in each process, so this over-states).
 *
 *   npm run bench:released -- [--variant clip-enhanced|siglip|all] [--dir DIR] [--image PNG]
 *                              [--no-node] [--no-browser] [--convert | --convert-only]
 *
 * --convert also drops the checkpoint on the page (the embedded default model loaded) and times
 * the in-browser conversion into OPFS and the converted model's tokens, with peak memory per phase
 * (default model loaded, converting, loading the converted model until its tokens are on screen,
 * its reconstruction) and, at each phase's peak, the RSS per Chromium process type.
 * --convert-only skips the two visits of the Node-exported package (the conversion alone).
 *
 * DIR (default /tmp/tokenflow-released) keeps the packages between runs; delete it to rebuild.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { build, preview, type Plugin } from 'vite';
import playwrightConfig, { launchWithHardwareWebGpu } from '../../playwright.config.ts';
import { RELEASED_CLIP_ENHANCED, RELEASED_SIGLIP } from '../../export/bench/released-configs.ts';
import { parameterCount, writeRandomCheckpoint } from '../../export/bench/random-checkpoint.ts';
import { exportCheckpointToDir } from '../../src/node/export-to-dir.ts';
import { nodeFileSink } from '../../src/node/file-byte-sink.ts';
import type { ModelConfig } from '../../export/model-config.ts';
import { E2E_PACKAGES_DIR, E2E_PACKAGES_URL } from '../runtime/package-set.ts';
import { isSoftwareAdapter } from '../../src/runtime/gpu/capabilities.ts';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'all' },
    dir: { type: 'string', default: '/tmp/tokenflow-released' },
    image: { type: 'string', default: 'public/examples/astronaut.png' },
    example: { type: 'string', default: 'astronaut' },
    /** The example opened mid-decode in the "moving on" visit. */
    'move-on-to': { type: 'string', default: 'coffee' },
    /** How far into the decode it is opened. */
    'move-on-after-s': { type: 'string', default: '3' },
    'no-node': { type: 'boolean', default: false },
    'no-browser': { type: 'boolean', default: false },
    convert: { type: 'boolean', default: false },
    'convert-only': { type: 'boolean', default: false },
    /** Give up on a visit after this many seconds. */
    'timeout-s': { type: 'string', default: '400' },
  },
});
const VARIANTS: Record<string, ModelConfig> = { 'clip-enhanced': RELEASED_CLIP_ENHANCED, siglip: RELEASED_SIGLIP };
const chosen = values.variant === 'all' ? Object.keys(VARIANTS) : [values.variant!];
for (const v of chosen) if (!VARIANTS[v]) throw new Error(`--variant must be clip-enhanced, siglip or all, got ${v}`);
const root = resolve(import.meta.dirname, '../..');
const timeoutMs = Number(values['timeout-s']) * 1000;
const converting = values.convert || values['convert-only'];

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** The exported package of a variant, made once (checkpoint written by our writer, then exported). */
async function ensurePackage(variant: string): Promise<{ dir: string; bytes: number; checkpoint: string }> {
  const dir = join(values.dir!, variant, 'package');
  const ckpt = join(values.dir!, variant, `${variant}.pt`);
  if (!existsSync(join(dir, 'manifest.json')) || (converting && !existsSync(ckpt))) {
    const config = VARIANTS[variant];
    mkdirSync(join(values.dir!, variant), { recursive: true });
    console.log(`writing a random ${variant} checkpoint (${(parameterCount(config) / 1e6).toFixed(1)} M parameters) …`);
    await writeRandomCheckpoint(await nodeFileSink(ckpt), config, { seed: 7 });
    console.log('exporting it (exporter defaults: the weights of big graphs go to .onnx.data files) …');
    await exportCheckpointToDir(ckpt, dir);
  }
  // Kept only for --convert: it is as big as the package.
  if (!converting && existsSync(ckpt)) rmSync(ckpt);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: { bytes: number }[] };
  return { dir, bytes: manifest.files.reduce((a, f) => a + f.bytes, 0), checkpoint: ckpt };
}

interface NodeFigures {
  readonly loadMs: number;
  readonly tokensMs: number;
  readonly reconMs: number;
  readonly psnr: number;
  readonly peakRssBytes: number;
}

function runNode(dir: string): Promise<NodeFigures> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'e2e/bench/released-node-run.ts', dir, values.image!], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the Node run exited with ${code}`));
      resolvePromise(JSON.parse(out.trim().split('\n').pop()!) as NodeFigures);
    });
  });
}

/** VmRSS of the processes whose command line names `marker` (the profile folder), summed per Chromium process type. */
function rssOf(marker: string): { total: number; byType: Map<string, number> } {
  const byType = new Map<string, number>();
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(marker)) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!m) continue;
      const bytes = Number(m[1]) * 1024;
      // "--type=renderer", "--type=gpu-process", "--type=utility …"; the browser process has none.
      const type = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
      byType.set(type, (byType.get(type) ?? 0) + bytes);
      total += bytes;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return { total, byType };
}

/** Follows the highest total of rssOf, keeping its per-type split (where the peak memory sits). */
function peakTracker(marker: string) {
  const t0 = performance.now();
  let peak = { total: 0, byType: new Map<string, number>(), atMs: 0 };
  return {
    sample() {
      const now = rssOf(marker);
      if (now.total > peak.total) peak = { ...now, atMs: performance.now() - t0 };
    },
    get bytes() {
      return peak.total;
    },
    describe(): string {
      const split = [...peak.byType].map(([type, bytes]) => `${type} ${gb(bytes)}`).join(', ');
      return `at ${s(peak.atMs)}: ${split}`;
    },
  };
}

interface Visit {
  readonly tokensMs?: number;
  readonly reconMs?: number;
  readonly psnr?: number;
  readonly peakBytes: number;
  /** The peak's split over Chromium's processes. */
  readonly peakSplit: string;
  /** Package files (not the manifest) requested during the visit. */
  readonly filesDownloaded: number;
  readonly error?: string;
  /** The page's own timings table, per stage. */
  readonly stages?: string;
  /** The "moving on" visit: from opening the next example mid-decode to its tokens and its reconstruction. */
  readonly movedOn?: { readonly openedAtMs: number; readonly tokensMs?: number; readonly reconMs?: number };
}

/**
 * After the tokens, a user who opens another photo while the decoder runs: the running decode is
 * cancelled (worker/cancel-board.ts), so the new photo waits for its own encode only.
 */
async function moveOn(page: Page): Promise<NonNullable<Visit['movedOn']>> {
  const grid = page.getByTestId('token-grid').first();
  const before = (await grid.getAttribute('data-indices')) ?? '';
  await page.waitForTimeout(Number(values['move-on-after-s']) * 1000);
  if (await page.getByTestId('metrics').count()) throw new Error('the decode ended before the next photo was opened');
  const t = performance.now();
  const openedAtMs = await page.evaluate(() => performance.now());
  await page.locator(`button.example[data-example="${values['move-on-to']}"]`).click();
  await page.waitForFunction(
    (prev) => {
      const now = document.querySelector('[data-testid=token-grid]')?.getAttribute('data-indices');
      return now !== undefined && now !== null && now !== prev;
    },
    before,
    { timeout: timeoutMs },
  );
  const tokensMs = performance.now() - t;
  await page.getByTestId('metrics').first().waitFor({ timeout: timeoutMs });
  return { openedAtMs, tokensMs, reconMs: performance.now() - t };
}

async function visit(
  context: BrowserContext,
  origin: string,
  modelUrl: string,
  profile: string,
  requests: string[],
  backend: BenchBackend,
  movingOn = false,
): Promise<Visit> {
  const page: Page = await context.newPage();
  requests.length = 0;
  const peak = peakTracker(profile);
  const sampler = setInterval(() => peak.sample(), 200);
  const t0 = performance.now();
  let tokensMs: number | undefined;
  let reconMs: number | undefined;
  let psnr: number | undefined;
  let error: string | undefined;
  let stages: string | undefined;
  let movedOn: Visit['movedOn'];
  try {
    await page.goto(`${origin}/?model=${encodeURIComponent(modelUrl)}&example=${values.example}&backend=${backend}`);
    const failed = page.locator('p.error[role=alert], [data-testid=token-grid-empty] .error').first();
    const grid = page.getByTestId('token-grid').first();
    await Promise.race([
      grid.waitFor({ timeout: timeoutMs }),
      failed.waitFor({ timeout: timeoutMs }).then(async () => Promise.reject(new Error(await failed.innerText()))),
    ]);
    tokensMs = performance.now() - t0;
    if (movingOn) movedOn = await moveOn(page);
    const metrics = page.getByTestId('metrics').first();
    await metrics.waitFor({ timeout: timeoutMs });
    reconMs = performance.now() - t0;
    psnr = Number(await metrics.getAttribute('data-psnr'));
    const rows = await page.getByTestId('timings').first().locator('tr').allTextContents();
    const memory = await page
      .getByTestId('model-memory')
      .first()
      .textContent()
      .catch(() => null);
    stages = [...rows, ...(memory ? [memory] : []), await workerTimeline(page)].map((r) => `\n      ${r}`).join('');
  } catch (e) {
    error = (e as Error).message.split('\n')[0];
  } finally {
    clearInterval(sampler);
    peak.sample();
    await page.close();
  }
  const filesDownloaded = requests.filter((u) => !u.endsWith('/manifest.json')).length;
  return {
    tokensMs,
    reconMs,
    psnr,
    peakBytes: peak.bytes,
    peakSplit: peak.describe(),
    filesDownloaded,
    error,
    stages,
    movedOn,
  };
}

async function main(): Promise<void> {
  const packages = new Map<string, { dir: string; bytes: number; checkpoint: string }>();
  for (const v of chosen) packages.set(v, await ensurePackage(v));

  if (!values['no-node']) {
    for (const v of chosen) {
      const p = packages.get(v)!;
      console.log(`\nNode (onnxruntime-node, 2 threads), ${v}, package ${gb(p.bytes)}:`);
      const f = await runNode(p.dir);
      console.log(
        `  load ${s(f.loadMs)}, tokens at ${s(f.tokensMs)}, reconstruction at ${s(f.reconMs)} (PSNR ${f.psnr.toFixed(2)} dB), ` +
          `peak RSS ${gb(f.peakRssBytes)} = ${(f.peakRssBytes / p.bytes).toFixed(2)} × the package`,
      );
    }
  }
  if (values['no-browser']) return;

  const outDir = '.cache/released-bench-dist';
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  // Package files requested, counted by the server: a second visit must ask for none.
  const requests: string[] = [];
  const counter: Plugin = {
    name: 'count-package-requests',
    // Before the folder-serving plugin, which answers without passing the request on.
    enforce: 'pre',
    configurePreviewServer(server) {
      server.middlewares.use((req, _res, next) => {
        if (req.url?.startsWith(E2E_PACKAGES_URL)) requests.push(req.url.split('?')[0]);
        next();
      });
    },
  };
  const server = await preview({
    root,
    logLevel: 'warn',
    plugins: [counter],
    build: { outDir },
    preview: { port: 4195, strictPort: false, host: '127.0.0.1' },
  });
  const origin = server.resolvedUrls?.local[0]?.replace(/\/$/, '');
  if (!origin) throw new Error('vite preview did not report a local URL');
  try {
    const gpu = await webgpuAdapter(origin);
    const backends: BenchBackend[] = gpu.hardware ? ['wasm', 'webgpu'] : ['wasm'];
    console.log(
      `\nWebGPU: ${gpu.hardware ? `a hardware adapter (${gpu.name}): timed beside wasm` : `skipped: ${gpu.name}`}`,
    );
    for (const v of chosen) {
      const p = packages.get(v)!;
      // Served from the scratch folder through the e2e packages route (vite-plugins/serve-folder.ts).
      const id = `released-${v}`;
      const link = join(root, E2E_PACKAGES_DIR, id);
      mkdirSync(join(root, E2E_PACKAGES_DIR), { recursive: true });
      if (existsSync(link) || lstatExists(link)) unlinkSync(link);
      symlinkSync(resolve(p.dir), link);
      try {
        const url = `${E2E_PACKAGES_URL}${id}/`;
        for (const backend of backends) await browserPass(v, p, id, url, backend, origin, requests);
      } finally {
        unlinkSync(link);
      }
    }
  } finally {
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
}

type BenchBackend = 'wasm' | 'webgpu';

/** The browser's WebGPU adapter as the page would see it; WebGPU is timed only on a hardware one. */
async function webgpuAdapter(origin: string): Promise<{ hardware: boolean; name: string }> {
  const browser = await chromium.launch({ ...launchWithHardwareWebGpu, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const info = await page.evaluate(async () => {
      const adapter = await navigator.gpu?.requestAdapter();
      if (!adapter) return undefined;
      const { vendor, architecture, description, isFallbackAdapter } = adapter.info;
      return { vendor, architecture, description, isFallbackAdapter };
    });
    if (!info) return { hardware: false, name: 'this Chromium offers no WebGPU adapter' };
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
    return isSoftwareAdapter(info)
      ? { hardware: false, name: `the only adapter is a software one (${name}), slower than wasm` }
      : { hardware: true, name };
  } finally {
    await browser.close();
  }
}

/** One backend's visits (and the conversion, on wasm) in a fresh browser profile, so the first visit downloads. */
async function browserPass(
  v: string,
  p: { dir: string; bytes: number; checkpoint: string },
  id: string,
  url: string,
  backend: BenchBackend,
  origin: string,
  requests: string[],
): Promise<void> {
  const profile = join(values.dir!, `chromium-profile-${id}-${backend}`);
  rmSync(profile, { recursive: true, force: true });
  // WebGPU on the machine's own driver; wasm with the test suite's flags (WebGPU there is SwiftShader, unused).
  const launch = backend === 'webgpu' ? launchWithHardwareWebGpu : playwrightConfig.use?.launchOptions;
  const context = await chromium.launchPersistentContext(profile, { ...launch, headless: true });
  try {
    console.log(
      `\nChromium ${context.browser()?.version() ?? ''} (production build, ${backend}), ${v}, package ${gb(p.bytes)}:`,
    );
    for (const which of values['convert-only'] ? [] : ['first visit', 'second visit', 'moving on']) {
      const r = await visit(context, origin, url, profile, requests, backend, which === 'moving on');
      if (r.movedOn) {
        console.log(
          `  moving on     ${values['move-on-to']} opened ${values['move-on-after-s']} s into the decode ` +
            `(at ${s(r.movedOn.openedAtMs)} from page load): ` +
            `its tokens ${s(r.movedOn.tokensMs)} later, its reconstruction + PSNR ${s(r.movedOn.reconMs)} later` +
            `${r.error ? `; FAILED: ${r.error}` : ''}`,
        );
        if (r.stages) console.log(`    stages (the second photo's):${r.stages}`);
        continue;
      }
      console.log(
        `  ${which.padEnd(13)} tokens on screen ${s(r.tokensMs)}, reconstruction + PSNR ${s(r.reconMs)}` +
          `${r.psnr !== undefined ? ` (${r.psnr.toFixed(2)} dB)` : ''}, files downloaded ${r.filesDownloaded}, ` +
          `peak browser RSS ${gb(r.peakBytes)} = ${(r.peakBytes / p.bytes).toFixed(2)} × the package (${r.peakSplit})` +
          `${r.error ? `; FAILED: ${r.error}` : ''}`,
      );
      if (r.stages) console.log(`    stages:${r.stages}`);
    }
    if (converting && backend === 'wasm')
      printConversion(await convertInPage(context, origin, p.checkpoint, profile), p.checkpoint, p.bytes, p.dir);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const CONVERT_PHASES = ['default model', 'converting', 'loading to tokens', 'reconstruction'] as const;
type ConvertPhase = (typeof CONVERT_PHASES)[number];

interface PhasePeak {
  bytes: number;
  byType: Map<string, number>;
}

/**
 * Drops the checkpoint on the page (the embedded default model loaded), as a user converting it
 * would, and keeps the peak RSS of each phase with its split by process type, plus a coarse
 * timeline, so a peak can be pinned on the conversion or on the load that follows it.
 */
async function convertInPage(context: BrowserContext, origin: string, checkpoint: string, profile: string) {
  const page = await context.newPage();
  const peaks = new Map<ConvertPhase, PhasePeak>();
  let phase: ConvertPhase = 'default model';
  const timeline: string[] = [];
  const tStart = performance.now();
  let lastTimeline = -Infinity;
  const sample = () => {
    const { total: bytes, byType } = rssOf(profile);
    if (bytes > (peaks.get(phase)?.bytes ?? -1)) peaks.set(phase, { bytes, byType });
    const t = performance.now() - tStart;
    if (t - lastTimeline >= 2000) {
      lastTimeline = t;
      timeline.push(`${(t / 1000).toFixed(0)}s ${(bytes / 1e9).toFixed(2)}`);
    }
  };
  const sampler = setInterval(sample, 200);
  let convertMs: number | undefined;
  let tokensMs: number | undefined;
  let reconMs: number | undefined;
  let error: string | undefined;
  let convertedFiles: PackageFileEntry[] | undefined;
  try {
    await page.goto(`${origin}/?example=${values.example}&backend=wasm`);
    await page.getByTestId('metrics').first().waitFor({ timeout: timeoutMs });
    const t0 = performance.now();
    phase = 'converting';
    timeline.push('| drop');
    await page.getByTestId('checkpoint-file').setInputFiles(checkpoint);
    await page.locator('[data-testid=conversion][data-phase=done]').waitFor({ timeout: timeoutMs });
    convertMs = performance.now() - t0;
    sample();
    phase = 'loading to tokens';
    timeline.push('| converted');
    await page.locator('[data-testid=token-grid][data-model-url^="converted:"]').waitFor({ timeout: timeoutMs });
    tokensMs = performance.now() - t0;
    sample();
    phase = 'reconstruction';
    timeline.push('| tokens');
    await page
      .locator('[data-testid=recon][data-model-url^="converted:"] [data-testid=metrics]')
      .waitFor({ timeout: timeoutMs });
    reconMs = performance.now() - t0;
    clearInterval(sampler);
    convertedFiles = await convertedManifestFiles(page);
  } catch (e) {
    error = (e as Error).message.split('\n')[0];
  } finally {
    clearInterval(sampler);
    sample();
    await page.close();
  }
  const peakBytes = Math.max(0, ...[...peaks.values()].map((p) => p.bytes));
  return { convertMs, tokensMs, reconMs, peakBytes, peaks, timeline, convertedFiles, error };
}

interface PackageFileEntry {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The files list of the converted package's manifest, read from OPFS after the run (not while measuring). */
async function convertedManifestFiles(page: Page): Promise<PackageFileEntry[]> {
  const folder = await page.getByTestId('stored-model').first().getAttribute('data-folder');
  if (!folder) throw new Error('the page lists no converted package');
  const text = await page.evaluate(async (folder) => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('converted');
    const dir = await root.getDirectoryHandle(folder);
    return (await (await dir.getFileHandle('manifest.json')).getFile()).text();
  }, folder);
  return (JSON.parse(text) as { files: PackageFileEntry[] }).files;
}

/** "same bytes" when every file's size and sha256 equal the Node export's, else the files that differ. */
function compareWithNode(converted: readonly PackageFileEntry[] | undefined, nodePackageDir: string): string {
  if (!converted) return 'not compared (the run failed)';
  const node = (
    JSON.parse(readFileSync(join(nodePackageDir, 'manifest.json'), 'utf8')) as { files: PackageFileEntry[] }
  ).files;
  const key = (f: PackageFileEntry) => `${f.path} ${f.bytes} ${f.sha256}`;
  const nodeKeys = new Set(node.map(key));
  const differ = [
    ...converted.filter((f) => !nodeKeys.has(key(f))).map((f) => f.path),
    ...node.filter((f) => !converted.some((c) => c.path === f.path)).map((f) => `${f.path} (missing)`),
  ];
  return differ.length === 0
    ? `same bytes as the Node export (${converted.length} files, sizes and sha256)`
    : `DIFFERS from the Node export: ${differ.join(', ')}`;
}

function printConversion(
  r: Awaited<ReturnType<typeof convertInPage>>,
  checkpoint: string,
  packageBytes: number,
  nodePackageDir: string,
) {
  const x = (bytes: number) => `${gb(bytes)} = ${(bytes / packageBytes).toFixed(2)} ×`;
  console.log(
    `  in-browser conversion of the ${gb(statSync(checkpoint).size)} checkpoint into OPFS ${s(r.convertMs)}, ` +
      `its tokens on screen at ${s(r.tokensMs)}, its reconstruction at ${s(r.reconMs)} (beside the default model), ` +
      `peak browser RSS ${x(r.peakBytes)} the package${r.error ? `; FAILED: ${r.error}` : ''}`,
  );
  for (const phase of CONVERT_PHASES) {
    const p = r.peaks.get(phase);
    if (!p) continue;
    const split = [...p.byType].sort((a, b) => b[1] - a[1]).map(([type, bytes]) => `${type} ${gb(bytes)}`);
    console.log(`    peak while ${phase.padEnd(18)} ${x(p.bytes)} (${split.join(', ')})`);
  }
  console.log(`    converted package: ${compareWithNode(r.convertedFiles, nodePackageDir)}`);
  console.log(`    timeline (s since page open, GB): ${r.timeline.join(', ')}`);
}

/**
 * The model worker's User Timing entries (ort-web-runner.ts, engine.ts), in seconds from the
 * page's navigation: when the worker started, the load request arrived, and each graph's files
 * were read and its session created.
 */
async function workerTimeline(page: Page): Promise<string> {
  const worker = page.workers().find((w) => w.url().includes('tokenflow.worker'));
  if (!worker) return 'worker timeline: no model worker found';
  const pageOrigin = await page.evaluate(() => performance.timeOrigin);
  const { origin, entries } = await worker.evaluate(() => ({
    origin: performance.timeOrigin,
    entries: performance
      .getEntries()
      .filter((e) => e.name.startsWith('tokenflow'))
      .map((e) => ({ name: e.name, start: e.startTime, duration: e.duration })),
  }));
  const at = (ms: number) => ((origin - pageOrigin + ms) / 1000).toFixed(2);
  const parts = [`worker ${at(0)}`];
  for (const e of entries)
    parts.push(
      e.duration > 0
        ? `${e.name.slice(10)} ${at(e.start)}–${at(e.start + e.duration)}`
        : `${e.name.slice(10)} ${at(e.start)}`,
    );
  return `worker timeline (s from page load): ${parts.join(', ')}`;
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
