/**
 * Per-stage times of the browser runtime (the worker, as the app runs it) for each backend on
 * this machine, and the GPU quantizer against the CPU reference on the same input. Builds the
 * production bundle with the runtime harness, serves it with `vite preview`, exports the fixture
 * packages (and times the embedded default model in public/models/default when it ships), drives
 * headless Chromium (SwiftShader WebGPU) and prints medians. Not a test.
 *   npm run bench:browser -- [runs] [--no-full-webgpu]
 * --no-full-webgpu skips the all-WebGPU clip-224 run, which takes minutes on SwiftShader.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { build, preview } from 'vite';
import playwrightConfig from '../../playwright.config.ts';
import type { GraphName } from '../../src/core/model-package/manifest.ts';
import type { RgbImage } from '../../src/core/image/rgb-image.ts';
import { decodeImageFile } from '../../src/node/image-io.ts';
import { FIXTURE_NAMES, fixtureImages, fixturePath } from '../../src/test-support/fixtures.ts';
import type { BackendRequest } from '../../src/runtime/backend-choice.ts';
import type { EncodeTimings, QuantizerChoice, ResultOf } from '../../src/runtime/worker/messages.ts';
import { exportE2ePackage } from '../runtime/global-setup.ts';
import { e2ePackageDir, e2ePackages } from '../runtime/package-set.ts';
import {
  decodeInPage,
  encodeInPage,
  loadModelInPage,
  loadModelUrlInPage,
  openRuntimeHarness,
  packageUrl,
  releaseInPage,
} from '../support/runtime-client.ts';

const EMBEDDED_DIR = fileURLToPath(new URL('../../public/models/default/', import.meta.url));
const EMBEDDED_URL = '/models/default/';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 3);
const fullWebGpu = !args.includes('--no-full-webgpu');
const ALL_GRAPHS: readonly GraphName[] = ['semanticEncoder', 'pixelEncoder', 'pixelDecoder'];

type Stage = Exclude<keyof EncodeTimings, 'totalMs' | 'quantizerScaleMs'> | 'decoderMs';
const STAGES: readonly Stage[] = ['preprocessMs', 'semanticEncoderMs', 'pixelEncoderMs', 'quantizerMs', 'decoderMs'];

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Row {
  readonly label: string;
  readonly load: ResultOf['load-model'];
  readonly stages: Record<Stage, number[]>;
}

/** Encode + full decode `repeats` times after `warmUp` untimed runs; per-stage samples. */
async function timePipeline(
  page: Page,
  image: RgbImage,
  repeats: number,
  warmUp: number,
  quantizer: QuantizerChoice = 'auto',
): Promise<Record<Stage, number[]>> {
  const stages = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<Stage, number[]>;
  for (let i = 0; i < warmUp + repeats; i++) {
    const enc = await encodeInPage(page, image, { quantizer });
    const dec = await decodeInPage(page);
    if (i < warmUp) continue;
    for (const s of STAGES) stages[s].push(s === 'decoderMs' ? dec.timings.decoderMs : enc.timings[s]);
  }
  return stages;
}

async function bench(
  page: Page,
  label: string,
  url: string,
  backend: BackendRequest,
  image: RgbImage,
  options: { wasmGraphs?: readonly GraphName[]; repeats: number; warmUp: number },
): Promise<Row> {
  const load = await loadModelUrlInPage(page, url, backend, { wasmGraphs: options.wasmGraphs });
  const stages = await timePipeline(page, image, options.repeats, options.warmUp);
  await releaseInPage(page);
  return { label: `${label}: ${load.runtime}, ${load.quantizer.toUpperCase()} quantizer`, load, stages };
}

function printRows(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  console.log(
    `  ${'stage (median ms)'.padEnd(22)}${STAGES.map((s) => s.replace(/Ms$/, '').padStart(16)).join('')}${'total'.padStart(10)}`,
  );
  for (const r of rows) {
    const med = STAGES.map((s) => median(r.stages[s]));
    console.log(`  ${r.label}`);
    const n = r.stages.decoderMs.length;
    const timedRuns = `(${n} run${n === 1 ? '' : 's'}, load ${r.load.timings.totalMs.toFixed(0)} ms)`;
    const total = med.reduce((a, b) => a + b, 0);
    console.log(
      `  ${timedRuns.padEnd(22)}${med.map((m) => m.toFixed(0).padStart(16)).join('')}${total.toFixed(0).padStart(10)}`,
    );
  }
}

async function main(): Promise<void> {
  process.env.TOKENFLOW_E2E_HARNESS = '1';
  await build({ logLevel: 'warn', build: { outDir: '.cache/bench-dist', emptyOutDir: true } });
  const server = await preview({
    logLevel: 'warn',
    build: { outDir: '.cache/bench-dist' },
    preview: { port: 4190, strictPort: false, host: '127.0.0.1' },
  });
  const origin = server.resolvedUrls?.local[0]?.replace(/\/$/, '');
  if (!origin) throw new Error('vite preview did not report a local URL');
  for (const p of e2ePackages(FIXTURE_NAMES)) await exportE2ePackage(p, e2ePackageDir(p.id));

  const browser = await chromium.launch({ ...playwrightConfig.use?.launchOptions, headless: true });
  try {
    const page = await browser.newPage();
    await openRuntimeHarness(page, origin);
    const images = new Map<string, RgbImage>();
    for (const name of FIXTURE_NAMES)
      images.set(name, await decodeImageFile(fixturePath(name, fixtureImages(name)[0], 'source.png')));
    console.log(
      `Chromium ${browser.version()}, ${runs} timed runs after one warm-up unless noted; ` +
        `image: each fixture's ${fixtureImages(FIXTURE_NAMES[0])[0]}`,
    );

    const wasmRows: Row[] = [];
    for (const name of FIXTURE_NAMES)
      wasmRows.push(await bench(page, name, packageUrl(name), 'wasm', images.get(name)!, { repeats: runs, warmUp: 1 }));
    if (existsSync(join(EMBEDDED_DIR, 'manifest.json'))) {
      const photo = await decodeImageFile(join(EMBEDDED_DIR, '..', '..', 'examples', 'chelsea.png'));
      wasmRows.push(
        await bench(page, 'embedded default model (chelsea)', EMBEDDED_URL, 'wasm', photo, {
          repeats: runs,
          warmUp: 1,
        }),
      );
    }
    printRows('wasm backend (production build)', wasmRows);

    const gpuRows: Row[] = [];
    if (FIXTURE_NAMES.includes('clip-224')) {
      const image = images.get('clip-224')!;
      gpuRows.push(
        await bench(page, 'clip-224', packageUrl('clip-224'), 'webgpu', image, {
          wasmGraphs: ['pixelEncoder', 'pixelDecoder'],
          repeats: runs,
          warmUp: 1,
        }),
      );
      if (fullWebGpu)
        gpuRows.push(
          await bench(
            page,
            'clip-224 (first run: includes compiling shaders)',
            packageUrl('clip-224'),
            'webgpu',
            image,
            { repeats: 1, warmUp: 0 },
          ),
        );
    }
    printRows('WebGPU backend on SwiftShader (pixel graphs on wasm unless all-WebGPU)', gpuRows);

    // Same sessions (all graphs on wasm) and so the same features; only the quantizer differs.
    console.log(
      '\nQuantizer on the same input (median ms; the GPU one is WGSL on SwiftShader, the CPU one is the JS reference in the worker)',
    );
    for (const name of FIXTURE_NAMES) {
      const load = await loadModelInPage(page, name, 'webgpu', { wasmGraphs: ALL_GRAPHS });
      const image = images.get(name)!;
      const gpu = await timePipeline(page, image, runs, 1, 'gpu');
      const cpu = await timePipeline(page, image, runs, 1, 'cpu');
      const g = median(gpu.quantizerMs);
      const c = median(cpu.quantizerMs);
      const m = load.manifest;
      console.log(
        `  ${name.padEnd(18)} K=${m.codebookSize}, ${m.numTokens} tokens: ` +
          `GPU ${g.toFixed(0)} ms, CPU ${c.toFixed(0)} ms (GPU/CPU ${(g / c).toFixed(2)})`,
      );
      await releaseInPage(page);
    }
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
