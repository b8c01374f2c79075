/**
 * Node side of the playground's browser tests: the reference pipeline (onnxruntime-node, the
 * same exported package and the same RGB bytes) whose numbers the page must show, and small
 * helpers to drive the page as a person would and read it back.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { centerCropArr } from '../../src/core/image/center-crop.ts';
import { toImageU8 } from '../../src/core/image/postprocess.ts';
import type { RgbImage } from '../../src/core/image/rgb-image.ts';
import { officialPsnr, officialSsim, psnrU8, ssimU8 } from '../../src/core/metrics/index.ts';
import type { LoadedModel } from '../../src/core/pipeline/loaded-model.ts';
import { decodeFHat, reconstructImage, type ReconstructResult } from '../../src/core/pipeline/tokenflow-pipeline.ts';
import { decodeIndices, type DistanceWeights } from '../../src/core/quantizer/index.ts';
import { decodeImageFile } from '../../src/node/image-io.ts';
import { loadModelFromDir } from '../../src/node/package-dir-reader.ts';
import { fnv1a32 } from '../../src/ui/logic/rgb-checksum.ts';
import { E2E_PACKAGES_DIR, E2E_PACKAGES_URL } from '../runtime/package-set.ts';

const root = resolve(import.meta.dirname, '../..');

/** The example photos the page bundles are the fixtures' source photos. */
export const EXAMPLE_FILE = (name: 'astronaut' | 'coffee') => join(root, 'public/examples', `${name}.png`);
export const packageUrl = (id: string) => `${E2E_PACKAGES_URL}${id}/`;
export const packageDir = (id: string) => join(root, E2E_PACKAGES_DIR, id);
export const TOP_K = 8;
/** Margins at or below this are near-ties whose winner depends on float32 summation order. */
export const TIE_MARGIN = 1e-5;

export interface Metrics {
  readonly psnr: number;
  readonly ssim: number;
  readonly officialPsnr: number;
  readonly officialSsim: number;
}

export function metricsOf(crop: Uint8Array, recon: Uint8Array, size: number): Metrics {
  return {
    psnr: psnrU8(crop, recon),
    ssim: ssimU8(crop, recon, size, size),
    officialPsnr: officialPsnr(crop, recon),
    officialSsim: officialSsim(crop, recon, size, size),
  };
}

export interface Reference {
  readonly model: LoadedModel;
  readonly source: RgbImage;
  readonly run: ReconstructResult;
  readonly metrics: Metrics;
  /** Decoder output as uint8 from the first k scales of `indices` (default the run's). */
  progressive(k: number, indices?: Int32Array): Promise<{ imageU8: Uint8Array; metrics: Metrics }>;
  release(): Promise<void>;
}

export async function reference(
  packageId: string,
  image: 'astronaut' | 'coffee',
  weights?: DistanceWeights,
): Promise<Reference> {
  const model = await loadModelFromDir(packageDir(packageId));
  const source = await decodeImageFile(EXAMPLE_FILE(image));
  const run = await reconstructImage(model, source, { topK: TOP_K, ...(weights ? { weights } : {}) });
  const size = model.manifest.outputSize;
  return {
    model,
    source,
    run,
    metrics: metricsOf(run.inputU8, run.imageU8, size),
    async progressive(k, indices = run.quantization.indices) {
      const m = model.manifest;
      const fHat = decodeIndices(indices, m.scales, m.gridSize, model.codebooks, { scalesUsed: k });
      const imageU8 = toImageU8(await decodeFHat(model, fHat), size);
      return { imageU8, metrics: metricsOf(run.inputU8, imageU8, size) };
    },
    release: () => model.runner.release(),
  };
}

/** fnv1a32 of what Node's PNG decoder (pngjs, Pillow's conversions) gives for a file. */
export async function nodeChecksum(path: string): Promise<string> {
  return fnv1a32((await decodeImageFile(path)).data);
}

export function cropBoxOf(source: RgbImage, size: number): string {
  const b = centerCropArr(source, size).sourceBox;
  return `${b.x},${b.y},${b.width},${b.height}`;
}

/** Token positions where the page and the reference differ although the reference margin is clear. */
export function clearMismatches(
  page: readonly number[],
  ref: Int32Array,
  refMargin: Float32Array,
  offset = 0,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < page.length; i++)
    if (page[i] !== ref[offset + i] && refMargin[offset + i] > TIE_MARGIN) out.push(offset + i);
  return out;
}

/** Opens the playground with a link and waits until the main model has tokens on screen. */
export async function openPlayground(page: Page, query: string): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByTestId('token-grid')).toBeVisible({ timeout: 90_000 });
}

export async function gridIndices(page: Page): Promise<number[]> {
  const attr = await page.getByTestId('token-grid').getAttribute('data-indices');
  return (attr ?? '').split(',').map(Number);
}

/** Shows scale `side` and returns its indices. */
export async function indicesAtScale(page: Page, side: number): Promise<number[]> {
  await page.locator(`.scale-thumb[data-scale="${side}"]`).click();
  await expect(page.getByTestId('token-grid')).toHaveAttribute('data-scale', String(side));
  return gridIndices(page);
}

/** Waits for the reconstruction of model `url` at k scales and returns its metrics. */
export async function pageMetrics(page: Page, url: string, k: number): Promise<Metrics> {
  const recon = page.locator(`[data-testid=recon][data-model-url$="${url}"]`);
  await expect(recon).toHaveAttribute('data-scales-used', String(k), { timeout: 60_000 });
  await expect(recon).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  const m = recon.getByTestId('metrics');
  const read = async (name: string) => Number(await m.getAttribute(`data-${name}`));
  return {
    psnr: await read('psnr'),
    ssim: await read('ssim'),
    officialPsnr: await read('official-psnr'),
    officialSsim: await read('official-ssim'),
  };
}

/**
 * The page's decoder (onnxruntime-web) and the reference's (onnxruntime-node) may round a few
 * uint8 values differently, so metrics agree closely, not bit for bit.
 */
export function expectMetricsClose(got: Metrics, want: Metrics, what: string): void {
  expect(Math.abs(got.psnr - want.psnr), `${what}: PSNR ${got.psnr} vs ${want.psnr}`).toBeLessThan(0.02);
  expect(Math.abs(got.officialPsnr - want.officialPsnr), `${what}: official PSNR`).toBeLessThan(0.02);
  expect(Math.abs(got.ssim - want.ssim), `${what}: SSIM ${got.ssim} vs ${want.ssim}`).toBeLessThan(1e-3);
  expect(Math.abs(got.officialSsim - want.officialSsim), `${what}: official SSIM`).toBeLessThan(1e-3);
}

/** Drops a file on the drop zone with a real DataTransfer, as a person dragging it in. */
export async function dropFile(page: Page, path: string, name: string, type = 'image/png'): Promise<void> {
  const b64 = readFileSync(path).toString('base64');
  await page.evaluate(
    ({ b64, name, type }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      const zone = document.querySelector('[data-testid=drop-zone]')!;
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { b64, name, type },
  );
}

/** Pastes bytes as a file (Ctrl+V of a copied image). */
export async function pasteFile(page: Page, bytes: Buffer, name: string, type: string): Promise<void> {
  await page.evaluate(
    ({ b64, name, type }) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], name, { type }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    { b64: bytes.toString('base64'), name, type },
  );
}
