import { expect, test } from '@playwright/test';

test('the page loads and says which model it has', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'TokenFlow Playground' })).toBeVisible();
  const status = page.getByTestId('model-status');
  await expect(status).not.toContainText('Looking for the embedded model');
  // Either the embedded default model loads by itself, or the page says how to get one.
  await expect(status.getByTestId('model-card').or(status.getByText('No model is loaded yet'))).toBeVisible();
  expect(errors).toEqual([]);
});

test('the page is cross-origin isolated, so threaded wasm can run', async ({ page }) => {
  await page.goto('/');
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
});
