/**
 * The runtime's fallback when the browser offers no WebGPU adapter: the same Chromium without
 * --enable-unsafe-webgpu (it blocklists CPU adapters). The worker must choose wasm, say why,
 * and still produce the official results.
 */
import { expect, test } from '@playwright/test';
import { launchWithoutWebGpu } from '../playwright.config.ts';
import { decodeImageFile } from '../src/node/image-io.ts';
import { fixturePath } from '../src/test-support/fixtures.ts';
import { expectMatchesFixture } from './support/fixture-compare.ts';
import {
  decodeInPage,
  encodeInPage,
  eventsInPage,
  loadModelInPage,
  openRuntimeHarness,
  releaseInPage,
} from './support/runtime-client.ts';

// Top level because a different launch needs its own worker.
test.use({ launchOptions: launchWithoutWebGpu });
const title =
  "no WebGPU adapter: 'auto' and forced 'webgpu' both fall back to wasm reporting no-adapter, " +
  'and clip-224/astronaut matches the official code';
test(title, async ({ page }) => {
  await openRuntimeHarness(page);
  const forced = await loadModelInPage(page, 'clip-224', 'webgpu');
  expect(forced.choice).toMatchObject({ backend: 'wasm', requested: 'webgpu', reason: 'no-adapter' });
  expect(forced.choice.message).toMatch(
    /^WebGPU was requested but is unavailable, so the CPU \(WebAssembly\) runs the model: .*no GPU adapter is available/,
  );
  await releaseInPage(page);

  const auto = await loadModelInPage(page, 'clip-224', 'auto');
  expect(auto.choice).toMatchObject({ backend: 'wasm', requested: 'auto', reason: 'no-adapter' });
  expect(auto.choice.message).toMatch(/^WebGPU is unavailable, so the CPU \(WebAssembly\) runs the model/);
  expect(auto.quantizer).toBe('cpu');
  const chosen = (await eventsInPage(page))
    .filter((e) => e.type === 'backend-chosen')
    .map((e) => e.type === 'backend-chosen' && e.choice.reason);
  expect(chosen).toEqual(['no-adapter', 'no-adapter']);

  const source = await decodeImageFile(fixturePath('clip-224', 'astronaut', 'source.png'));
  const enc = await encodeInPage(page, source);
  const dec = await decodeInPage(page);
  expect(enc.backend).toBe('wasm');
  console.info(expectMatchesFixture('clip-224/astronaut, no WebGPU', 'clip-224', 'astronaut', enc, dec));
});
