/**
 * The fallback path: the same Chromium without --enable-unsafe-webgpu. Chromium blocklists CPU
 * adapters, so navigator.gpu exists but offers no adapter, and probeWebGpu must say so in words.
 */
import { expect, test } from '@playwright/test';
import { harnessPort, launchWithoutWebGpu } from '../playwright.config.ts';
import { HARNESS_PATH, probeInPage } from './support/gpu-quantizer-client.ts';

// Top level because a different launch needs its own worker.
test.use({ launchOptions: launchWithoutWebGpu });

test('without WebGPU flags, probeWebGpu reports no-adapter with a message saying what is missing', async ({ page }) => {
  await page.goto(`http://127.0.0.1:${harnessPort}${HARNESS_PATH}`);
  const probe = await probeInPage(page);
  expect(probe.ok).toBe(false);
  expect(probe.reason).toBe('no-adapter');
  expect(probe.message).toMatch(/no GPU adapter is available/);
});
