/**
 * Downloaded model files in the real Origin Private File System of headless Chromium (the
 * production build): a second load downloads no package file, counted at the network, not by
 * the app's own report; a stored file damaged on disk is found and downloaded again.
 */
import { expect, test, type Page } from '@playwright/test';
import { FIXTURE_NAMES } from '../src/test-support/fixtures.ts';
import { DOWNLOADS_FOLDER } from '../src/runtime/package-cache.ts';
import { E2E_PACKAGES_URL } from './runtime/package-set.ts';
import {
  clearCacheInPage,
  loadModelInPage,
  openRuntimeHarness,
  prepareInPage,
  restartWorkerInPage,
} from './support/runtime-client.ts';

const id = FIXTURE_NAMES[0];

/** Package files (not the manifest) the page and its workers fetch. */
function countPackageRequests(page: Page): string[] {
  const urls: string[] = [];
  page.context().on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith(`${E2E_PACKAGES_URL}${id}/`) && !path.endsWith('/manifest.json'))
      urls.push(path.slice(E2E_PACKAGES_URL.length));
  });
  return urls;
}

async function loadAll(page: Page) {
  const loaded = await loadModelInPage(page, id, 'wasm');
  await prepareInPage(page);
  return loaded;
}

test(`${id}: the first load stores every file in OPFS; a fresh worker and a new page download none`, async ({
  page,
}) => {
  const requests = countPackageRequests(page);
  await openRuntimeHarness(page);
  await clearCacheInPage(page);
  const first = await loadAll(page);
  expect(first.cache).toEqual({ store: 'opfs' });
  const files = first.manifest.files.map((f) => `${id}/${f.path}`);
  expect([...requests].sort()).toEqual([...files].sort());

  requests.length = 0;
  await restartWorkerInPage(page);
  await loadAll(page);
  expect(requests).toEqual([]);

  const again = await page.context().newPage();
  const more = countPackageRequests(again);
  await openRuntimeHarness(again);
  const second = await loadAll(again);
  expect(second.cache).toEqual({ store: 'opfs' });
  expect(more).toEqual([]);
  // What OPFS holds: one folder per file, named by its sha256.
  const folders = await again.evaluate(async (root) => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(root);
    const names: string[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names.sort();
  }, DOWNLOADS_FOLDER);
  expect(folders).toEqual(first.manifest.files.map((f) => f.sha256).sort());
  await again.close();
});

test(`${id}: a stored file cut short on disk is detected and downloaded again, with a note`, async ({ page }) => {
  const requests = countPackageRequests(page);
  await openRuntimeHarness(page);
  await clearCacheInPage(page);
  const first = await loadAll(page);
  const victim = first.manifest.files.find((f) => f.path === first.manifest.graphs.pixelEncoder.file)!;
  await page.evaluate(
    async ({ root, folder }) => {
      const dir = await (
        await (await navigator.storage.getDirectory()).getDirectoryHandle(root)
      ).getDirectoryHandle(folder);
      const writable = await (await dir.getFileHandle('data')).createWritable({ keepExistingData: true });
      await writable.truncate(10);
      await writable.close();
    },
    { root: DOWNLOADS_FOLDER, folder: victim.sha256 },
  );
  requests.length = 0;
  await restartWorkerInPage(page);
  const second = await loadAll(page);
  expect(requests).toEqual([`${id}/${victim.path}`]);
  expect(second.cache).toEqual({
    store: 'opfs',
    repaired: [
      `${victim.path}: the stored copy was damaged (it has 10 bytes, the manifest says ${victim.bytes}); downloaded again`,
    ],
  });
});
