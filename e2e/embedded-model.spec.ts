/**
 * The embedded default model (public/models/default, TokenFlow-Tiny) through the browser runtime
 * as the page uses it, in the production build: on wasm, and forced to WebGPU on SwiftShader with
 * every graph and the WGSL quantizer on the GPU (the model is small enough for that). Each run is
 * matched against onnxruntime-node on the same package, and the reconstruction of a held-out photo
 * must stay above the quality bar the model card reports.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { psnrU8 } from '../src/core/metrics/psnr.ts';
import { reconstructImage, type ReconstructResult } from '../src/core/pipeline/tokenflow-pipeline.ts';
import { decodeImageFile } from '../src/node/image-io.ts';
import { loadModelFromDir } from '../src/node/package-dir-reader.ts';
import type { RgbImage } from '../src/core/image/rgb-image.ts';
import { expectMatchesNode, timingLine } from './support/fixture-compare.ts';
import { decodeInPage, encodeInPage, loadModelUrlInPage, openRuntimeHarness } from './support/runtime-client.ts';

const PUBLIC = join(import.meta.dirname, '..', 'public');
const PACKAGE_DIR = join(PUBLIC, 'models', 'default');
const PACKAGE_URL = '/models/default/';
/** A scikit-image photo, never trained on (train/data-sources.ts); the page offers it as an example. */
const HELD_OUT_PHOTO = join(PUBLIC, 'examples', 'chelsea.png');
/** The model card's bar for held-out photos at the model's input size. */
const MIN_PSNR_DB = 21;

test.setTimeout(300_000);

let photo: RgbImage;
let reference: ReconstructResult;

test.beforeAll(async () => {
  photo = await decodeImageFile(HELD_OUT_PHOTO);
  reference = await reconstructImage(await loadModelFromDir(PACKAGE_DIR), photo);
});

test('the embedded model on wasm matches onnxruntime-node and reconstructs a held-out photo above the bar', async ({
  page,
}) => {
  await openRuntimeHarness(page);
  const loaded = await loadModelUrlInPage(page, PACKAGE_URL, 'wasm');
  expect(loaded.manifest.name).toContain('not the released model');
  expect(loaded.placement).toEqual({ semanticEncoder: 'wasm', pixelEncoder: 'wasm', pixelDecoder: 'wasm' });
  const enc = await encodeInPage(page, photo);
  const dec = await decodeInPage(page);
  const psnr = psnrU8(enc.crop.image.data, dec.imageU8);
  // Printed, not asserted (speed is a benchmark's job: npm run bench:browser): a second, warm reconstruction.
  const warmStart = Date.now();
  await encodeInPage(page, photo);
  await decodeInPage(page);
  const warmMs = Date.now() - warmStart;
  console.info(
    `${expectMatchesNode('embedded/chelsea wasm', reference, enc, dec)}\n` +
      `  PSNR ${psnr.toFixed(2)} dB; first run ${timingLine(enc, dec)}; warm encode + decode ${warmMs} ms`,
  );
  expect(psnr).toBeGreaterThanOrEqual(MIN_PSNR_DB);
});

test('the embedded model forced to WebGPU (all graphs and the WGSL quantizer on SwiftShader) matches onnxruntime-node', async ({
  page,
}) => {
  await openRuntimeHarness(page);
  const loaded = await loadModelUrlInPage(page, PACKAGE_URL, 'webgpu');
  expect(loaded.placement).toEqual({ semanticEncoder: 'webgpu', pixelEncoder: 'webgpu', pixelDecoder: 'webgpu' });
  expect(loaded.quantizer).toBe('gpu');
  const enc = await encodeInPage(page, photo);
  const dec = await decodeInPage(page);
  expect(enc).toMatchObject({ backend: 'webgpu', quantizer: 'gpu' });
  const psnr = psnrU8(enc.crop.image.data, dec.imageU8);
  console.info(
    `${expectMatchesNode('embedded/chelsea webgpu', reference, enc, dec)}\n  PSNR ${psnr.toFixed(2)} dB; ${timingLine(enc, dec)}`,
  );
  expect(psnr).toBeGreaterThanOrEqual(MIN_PSNR_DB);
});
