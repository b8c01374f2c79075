/**
 * A released-style checkpoint dropped on the page is converted in the browser by the project's
 * exporter (in a worker, into OPFS), loaded, and tokenizes like the Node reference on the package
 * the same exporter wrote in Node; it is listed again after a reload and loads without a second
 * conversion. A package folder can also be added from disk.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { memorySink } from '../src/core/bytes/byte-sink.ts';
import { memorySource } from '../src/core/bytes/byte-source.ts';
import { exportPackage } from '../export/export-package.ts';
import { fixturePath } from '../src/test-support/fixtures.ts';
import {
  clearMismatches,
  dropFile,
  gridIndices,
  packageDir,
  packageUrl,
  reference,
  type Reference,
} from './support/playground.ts';

const MODEL = 'clip-224';
const CHECKPOINT = () => fixturePath(MODEL, 'checkpoint.pt');

let ref: Reference;
test.beforeAll(async () => {
  ref = await reference(MODEL, 'astronaut');
});
test.afterAll(async () => {
  await ref?.release();
});

/** The finest scale's indices shown for the model whose slot URL starts with `prefix`, checked against the reference. */
async function expectReferenceTokens(page: Page, prefix: string): Promise<void> {
  const grid = page.locator(`[data-testid=token-grid][data-model-url^="${prefix}"]`);
  await expect(grid).toBeVisible({ timeout: 120_000 });
  const scales = ref.model.manifest.scales;
  // The finest scale is shown first.
  await expect(grid).toHaveAttribute('data-scale', String(scales[scales.length - 1]));
  const q = ref.run.quantization;
  const last = scales.length - 1;
  expect(clearMismatches(await gridIndices(page), q.indices, q.margin, q.tokenOffsets[last])).toEqual([]);
}

async function openWithImage(page: Page): Promise<void> {
  await page.goto(`/?model=${packageUrl(MODEL)}&backend=wasm&example=astronaut`);
  await expect(page.getByTestId('model-card').first()).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
}

test('a dropped checkpoint is converted in the browser, tokenizes like Node, and is kept for the next visit', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openWithImage(page);

  await dropFile(page, CHECKPOINT(), 'checkpoint.pt', 'application/octet-stream');
  const conversion = page.getByTestId('conversion');
  await expect(conversion).toBeVisible();
  await expect(conversion).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
  const card = page.locator('[data-testid=model-card][data-model-url^="converted:"]');
  await expect(card).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expectReferenceTokens(page, 'converted:');

  // Byte for byte the package the exporter writes in Node from the same file under the same
  // name (the name is in the graphs' doc strings): the manifest lists every file's sha256.
  const folder = await page.getByTestId('stored-model').first().getAttribute('data-folder');
  expect(folder).toBeTruthy();
  const inBrowser = await page.evaluate(async (folder) => {
    const dir = await (
      await (await navigator.storage.getDirectory()).getDirectoryHandle('converted')
    ).getDirectoryHandle(folder!);
    return (await (await dir.getFileHandle('manifest.json')).getFile()).text();
  }, folder);
  const inNode = await exportPackage(memorySource(readFileSync(CHECKPOINT()), 'checkpoint.pt'), {
    open: async () => memorySink(),
  });
  expect(JSON.parse(inBrowser).files).toEqual(inNode.manifest.files);

  // Next visit: listed from OPFS, and loading it converts nothing.
  await page.reload();
  const stored = page.locator(`[data-testid=stored-model][data-folder="${folder}"]`);
  await expect(stored).toBeVisible({ timeout: 30_000 });
  await stored.getByRole('button', { name: 'Load' }).click();
  await expect(card).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('conversion')).toHaveCount(0);
  await expectReferenceTokens(page, 'converted:');

  // Deleting it unloads it and removes it from the list (and from OPFS).
  await stored.getByRole('button', { name: /Delete/ }).click();
  await expect(stored).toHaveCount(0);
  await expect(card).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a file that is not a checkpoint is refused with the exporter’s message, naming it, and nothing is stored', async ({
  page,
}) => {
  await page.goto(`/?model=${packageUrl(MODEL)}&backend=wasm`);
  await page.getByTestId('checkpoint-file').setInputFiles({
    name: 'holiday.pt',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from('these are not the weights you are looking for'),
  });
  const error = page.getByTestId('conversion-error');
  await expect(error).toContainText('holiday.pt', { timeout: 60_000 });
  const folders = await page.evaluate(async () => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('converted', { create: true });
    const names: string[] = [];
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names;
  });
  expect(folders).toEqual([]);
});

test('a model package folder picked on disk loads and tokenizes like Node', async ({ page }) => {
  await openWithImage(page);
  await page.getByTestId('model-folder').setInputFiles(packageDir(MODEL));
  const card = page.locator(`[data-testid=model-card][data-model-url="folder:${MODEL}"]`);
  await expect(card).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await expectReferenceTokens(page, 'folder:');
});
