/**
 * Node side of the runtime specs and benchmark: drives the harness page's TokenFlowClient with
 * page.evaluate. Typed arrays cross as typed arrays (Playwright serialises them), so results
 * come back as the worker produced them and are compared in Node.
 */
import type { Page } from '@playwright/test';
import type { RgbImage } from '../../src/core/image/rgb-image.ts';
import type { GraphName } from '../../src/core/model-package/manifest.ts';
import type { BackendRequest } from '../../src/runtime/backend-choice.ts';
import type { EncodeRequest, EngineEvent, ResultOf } from '../../src/runtime/worker/messages.ts';
import type { RuntimeHarness } from '../runtime/harness.ts';
import { E2E_PACKAGES_URL, RUNTIME_HARNESS_PATH } from '../runtime/package-set.ts';

type WithHarness = { tokenflowHarness: RuntimeHarness };

/** Opens the harness page; without an origin, on the config's baseURL (the production build). */
export async function openRuntimeHarness(page: Page, origin = ''): Promise<void> {
  await page.goto(`${origin}${RUNTIME_HARNESS_PATH}`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
}

export function packageUrl(packageId: string): string {
  return `${E2E_PACKAGES_URL}${packageId}`;
}

export interface LoadOptions {
  readonly wasmGraphs?: readonly GraphName[];
}

/** Loads one of the exported test packages (package-set.ts). */
export function loadModelInPage(
  page: Page,
  packageId: string,
  backend: BackendRequest,
  options: LoadOptions = {},
): Promise<ResultOf['load-model']> {
  return loadModelUrlInPage(page, packageUrl(packageId), backend, options);
}

/** Loads the package at `url` (relative to the page), e.g. the embedded default model. */
export function loadModelUrlInPage(
  page: Page,
  url: string,
  backend: BackendRequest,
  options: LoadOptions = {},
): Promise<ResultOf['load-model']> {
  return page.evaluate(
    ({ url, backend, wasmGraphs }) =>
      (globalThis as unknown as WithHarness).tokenflowHarness.client.loadModel(url, { backend, wasmGraphs }),
    { url, backend, wasmGraphs: options.wasmGraphs ? [...options.wasmGraphs] : undefined },
  );
}

/** Creates the sessions load left for the first decode (the decoder's), reading its files. */
export function prepareInPage(page: Page): Promise<ResultOf['prepare']> {
  return page.evaluate(() => (globalThis as unknown as WithHarness).tokenflowHarness.client.prepare());
}

export function clearCacheInPage(page: Page): Promise<ResultOf['clear-cache']> {
  return page.evaluate(() => (globalThis as unknown as WithHarness).tokenflowHarness.client.clearCache());
}

/** Terminates the page's worker and starts a fresh one (as a reload would), clearing the event log. */
export function restartWorkerInPage(page: Page): Promise<void> {
  return page.evaluate(() => (globalThis as unknown as WithHarness).tokenflowHarness.restart());
}

export function encodeInPage(
  page: Page,
  image: RgbImage,
  options: Omit<EncodeRequest, 'type' | 'image'> = {},
): Promise<ResultOf['encode']> {
  return page.evaluate(
    ({ image, options }) => (globalThis as unknown as WithHarness).tokenflowHarness.client.encode(image, options),
    { image: { width: image.width, height: image.height, data: image.data }, options },
  );
}

export function decodeInPage(page: Page, scalesUsed?: number): Promise<ResultOf['decode']> {
  return page.evaluate(
    (k) => (globalThis as unknown as WithHarness).tokenflowHarness.client.decode(k ?? undefined),
    scalesUsed ?? null,
  );
}

export function decodeIndicesInPage(page: Page, indices: Int32Array): Promise<ResultOf['decode-indices']> {
  return page.evaluate(
    (ids) => (globalThis as unknown as WithHarness).tokenflowHarness.client.decodeIndices(ids),
    indices,
  );
}

export function loseDeviceInPage(page: Page): Promise<ResultOf['debug-lose-device']> {
  return page.evaluate(() => (globalThis as unknown as WithHarness).tokenflowHarness.client.debugLoseDevice());
}

export function releaseInPage(page: Page): Promise<ResultOf['release']> {
  return page.evaluate(() => (globalThis as unknown as WithHarness).tokenflowHarness.client.release());
}

export function eventsInPage(page: Page): Promise<EngineEvent[]> {
  return page.evaluate(() => (globalThis as unknown as WithHarness).tokenflowHarness.events);
}

/** Waits until the worker has sent an event of `type`; returns it. */
export async function waitForEventInPage<T extends EngineEvent['type']>(
  page: Page,
  type: T,
  timeoutMs = 60_000,
): Promise<Extract<EngineEvent, { type: T }>> {
  const handle = await page.waitForFunction(
    (t) => (globalThis as unknown as WithHarness).tokenflowHarness.events.find((e) => e.type === t) ?? false,
    type,
    { timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as Extract<EngineEvent, { type: T }>;
}
