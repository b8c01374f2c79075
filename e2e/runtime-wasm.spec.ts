/**
 * The browser runtime on onnxruntime-web's wasm backend, in the production build (vite build +
 * preview): the worker loads each fixture's exported package and runs each fixture image
 * through the shared pipeline; results are compared in Node with the official outputs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { decodeImageFile } from '../src/node/image-io.ts';
import { decodeIndices, type Codebooks } from '../src/core/quantizer/index.ts';
import type { ModelManifest } from '../src/core/model-package/manifest.ts';
import { maxAbsDiff, u8Diff } from '../src/test-support/compare.ts';
import { FIXTURE_NAMES, fixtureImages, fixturePath, requireFixtureTensor } from '../src/test-support/fixtures.ts';
import type { LoadProgress } from '../src/runtime/model-loader.ts';
import type { ResultOf } from '../src/runtime/worker/messages.ts';
import { expectMatchesFixture, timingLine } from './support/fixture-compare.ts';
import { e2ePackageDir } from './runtime/package-set.ts';
import {
  clearCacheInPage,
  decodeIndicesInPage,
  decodeInPage,
  encodeInPage,
  eventsInPage,
  loadModelInPage,
  openRuntimeHarness,
  prepareInPage,
  restartWorkerInPage,
} from './support/runtime-client.ts';

/** The package's own codebooks, read in Node, for the CPU reference of progressive decoding. */
function packageCodebooks(manifest: ModelManifest, id: string): Codebooks {
  const f32 = (file: string) => {
    const b = readFileSync(join(e2ePackageDir(id), file));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  return {
    size: manifest.codebookSize,
    semanticDim: manifest.semanticCodeDim,
    pixelDim: manifest.pixelCodeDim,
    semantic: f32(manifest.codebooks.semantic.file),
    pixel: f32(manifest.codebooks.pixel.file),
  };
}

function doneSources(events: Awaited<ReturnType<typeof eventsInPage>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events)
    if (e.type === 'progress' && e.progress.status === 'done') out[e.progress.file] = e.progress.from;
  return out;
}

for (const name of FIXTURE_NAMES) {
  test.describe.serial(`wasm backend, production build: ${name}`, () => {
    let page: Page;
    let loaded: ResultOf['load-model'];

    test.beforeAll(async ({ browser }) => {
      page = await browser.newPage();
      await openRuntimeHarness(page);
      await clearCacheInPage(page);
      loaded = await loadModelInPage(page, name, 'wasm');
      // The decoder's files are read when its session is created: on prepare or the first decode.
      await prepareInPage(page);
    });
    test.afterAll(async () => {
      await page?.close();
    });

    const loadTitle =
      `${name}: the worker loads the package on wasm, ` +
      'with per-file initiate → progress → done events, then ready, and load timings';
    test(loadTitle, async () => {
      expect(loaded.choice).toMatchObject({ backend: 'wasm', reason: 'wasm-requested' });
      expect(loaded.placement).toEqual({ semanticEncoder: 'wasm', pixelEncoder: 'wasm', pixelDecoder: 'wasm' });
      expect(loaded.quantizer).toBe('cpu');
      expect(loaded.cache).toEqual({ store: 'opfs' });
      const progress = (await eventsInPage(page)).flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
      const files = ['manifest.json', ...loaded.manifest.files.map((f) => f.path)];
      for (const file of files) {
        const own = progress.filter(
          (p): p is Exclude<LoadProgress, { status: 'ready' }> => p.status !== 'ready' && p.file === file,
        );
        expect(own[0]?.status, file).toBe('initiate');
        expect(own[own.length - 1]).toMatchObject({ status: 'done', from: 'network' });
        const last = own.filter((p) => p.status === 'progress').pop() as Extract<LoadProgress, { status: 'progress' }>;
        const bytes = loaded.manifest.files.find((f) => f.path === file)?.bytes;
        expect(last.loaded, file).toBe(bytes ?? last.total);
        expect(last.total, file).toBe(bytes ?? last.total);
      }
      // Ready once the tokens can be computed; the decoder's files follow (prepare, or the first decode).
      expect(progress.find((p) => p.status === 'ready')).toEqual({
        status: 'ready',
        name: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/e2e-packages/${name}$`)),
      });
      expect(loaded.timings.modelMs).toBeGreaterThan(0);
      console.info(`${name}: ${loaded.runtime}, loaded in ${loaded.timings.totalMs.toFixed(0)} ms`);
    });

    for (const image of fixtureImages(name)) {
      const matchTitle =
        `${name}/${image} on wasm: indices (joint, semantic-only, pixel-only) where margin > 1e-5, ` +
        'features, f̂ ≤ 1e-4 and image_u8 ±1 on ≤ 0.1% vs the official code';
      test(matchTitle, async () => {
        const source = await decodeImageFile(fixturePath(name, image, 'source.png'));
        const enc = await encodeInPage(page, source);
        const dec = await decodeInPage(page);
        expect(enc.backend).toBe('wasm');
        expect(enc.quantizer).toBe('cpu');
        expect(dec.scalesUsed).toBe(loaded.manifest.scales.length);
        expect(dec.health).toMatchObject({ nan: 0, posInf: 0, negInf: 0 });
        console.info(
          `${expectMatchesFixture(`${name}/${image} wasm`, name, image, enc, dec)}\n  ${timingLine(enc, dec)}`,
        );
      });
    }

    if (name === 'clip-224') {
      const progressiveTitle =
        'clip-224/astronaut progressive decode: f̂ of the first k scales equals the CPU reference decodeIndices; ' +
        'decode-indices of the official tokens gives f_hat_from_indices and the official image';
      test(progressiveTitle, async () => {
        const source = await decodeImageFile(fixturePath(name, 'astronaut', 'source.png'));
        const enc = await encodeInPage(page, source);
        const m = loaded.manifest;
        const codebooks = packageCodebooks(m, name);
        const report: string[] = [];
        for (const k of [1, 4, m.scales.length - 1]) {
          const dec = await decodeInPage(page, k);
          expect(dec.scalesUsed).toBe(k);
          const ref = decodeIndices(enc.quantization.indices, m.scales, m.gridSize, codebooks, { scalesUsed: k });
          const d = maxAbsDiff(dec.fHat, ref);
          expect(d, `f̂ after ${k} scales`).toBeLessThan(1e-6);
          report.push(`k=${k}: f̂ ${d.toExponential(1)}, decoder ${dec.timings.decoderMs.toFixed(0)} ms`);
        }
        const official = requireFixtureTensor(name, 'astronaut', 'indices').data as Int32Array;
        const fromTokens = await decodeIndicesInPage(page, official);
        expect(fromTokens.scalesUsed).toBe(m.scales.length);
        const fHat = maxAbsDiff(fromTokens.fHat, requireFixtureTensor(name, 'astronaut', 'f_hat_from_indices').data);
        expect(fHat).toBeLessThan(1e-4);
        const u8 = u8Diff(fromTokens.imageU8, requireFixtureTensor(name, 'astronaut', 'image_u8').data as Uint8Array);
        expect(u8.maxDiff).toBeLessThanOrEqual(1);
        expect(u8.fraction).toBeLessThanOrEqual(0.001);
        await expect(decodeIndicesInPage(page, official.slice(0, 10))).rejects.toThrow(
          /10 indices is not a whole number of scales/,
        );
        console.info(
          `progressive: ${report.join('; ')}; decode-indices: f̂ ${fHat.toExponential(1)}, image_u8 ${u8.differing} values ±1`,
        );
      });

      test('clip-224 cache: a fresh worker reads every file from browser storage; after clear-cache it downloads them again', async () => {
        await restartWorkerInPage(page);
        await loadModelInPage(page, name, 'wasm');
        await prepareInPage(page);
        const fromCache = doneSources(await eventsInPage(page));
        const files = loaded.manifest.files.map((f) => f.path);
        expect(Object.fromEntries(files.map((f) => [f, fromCache[f]]))).toEqual(
          Object.fromEntries(files.map((f) => [f, 'cache'])),
        );
        expect(fromCache['manifest.json']).toBe('network');

        expect(await clearCacheInPage(page)).toEqual({ deleted: true });
        await restartWorkerInPage(page);
        await loadModelInPage(page, name, 'wasm');
        await prepareInPage(page);
        const afterClear = doneSources(await eventsInPage(page));
        expect(Object.fromEntries(files.map((f) => [f, afterClear[f]]))).toEqual(
          Object.fromEntries(files.map((f) => [f, 'network'])),
        );
      });
    }
  });
}
