/**
 * How images get in, and what is refused: a dropped and a pasted photo decode to Node's bytes
 * with the official crop outlined; a photo with an EXIF orientation is tokenized as stored (as the
 * official code) with a note and a one-click turn that the exported tokens and metrics record;
 * transparency is flattened onto white; non-images, checkpoints, truncated files and absurd sizes
 * are refused with a message naming the file. Also: the page on a phone, labelled controls, and the WebGPU backend choice.
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { expect, test, type Page } from '@playwright/test';
import { reconstructImage } from '../src/core/pipeline/tokenflow-pipeline.ts';
import { decodeImageFile } from '../src/node/image-io.ts';
import { loadModelFromDir } from '../src/node/package-dir-reader.ts';
import { fnv1a32 } from '../src/ui/logic/rgb-checksum.ts';
import { jpegFixtureBytes, jpegFixtures } from '../src/test-support/jpeg-fixtures.ts';
import {
  clearMismatches,
  cropBoxOf,
  dropFile,
  EXAMPLE_FILE,
  gridIndices,
  nodeChecksum,
  packageDir,
  packageUrl,
  pasteFile,
} from './support/playground.ts';

const MODEL = 'clip-224';

async function openWithModel(page: Page, extra = ''): Promise<void> {
  await page.goto(`/?model=${packageUrl(MODEL)}&backend=wasm${extra}`);
  await expect(page.getByTestId('model-card')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
}

/** Picks a file through the file input, as the "choose a file" button does. */
async function pick(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  await page.locator('#image-file').setInputFiles({ name, mimeType, buffer });
}

test('a dropped photo: Node’s RGB bytes, the official crop box outlined, tokens as the reference', async ({
  page,
}, testInfo) => {
  await openWithModel(page);
  await dropFile(page, EXAMPLE_FILE('coffee'), 'coffee.png');
  await expect(page.getByTestId('token-grid')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('image-facts')).toHaveAttribute(
    'data-rgb-checksum',
    await nodeChecksum(EXAMPLE_FILE('coffee')),
  );

  const source = await decodeImageFile(EXAMPLE_FILE('coffee'));
  const model = await loadModelFromDir(packageDir(MODEL));
  try {
    const m = model.manifest;
    await expect(page.getByTestId('original')).toHaveAttribute('data-crop', cropBoxOf(source, m.inputSize));
    const q = (await reconstructImage(model, source, { topK: 8 })).quantization;
    const last = m.scales.length - 1;
    expect(clearMismatches(await gridIndices(page), q.indices, q.margin, q.tokenOffsets[last])).toEqual([]);
  } finally {
    await model.runner.release();
  }
  await page.locator('.image-input').screenshot({ path: testInfo.outputPath('dropped-coffee-with-crop.png') });
});

test('loading shows a progress bar per file with bytes, then what was downloaded', async ({ page }, testInfo) => {
  // Hold the graphs back a moment so the bars can be seen (the worker's fetches are routed too).
  await page.route('**/e2e-packages/**/*.onnx', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.goto(`/?model=${packageUrl(MODEL)}&backend=wasm`);
  const bar = page.locator('.file-progress[data-file$=".onnx"]').first();
  await expect(bar).toBeVisible({ timeout: 30_000 });
  await page.locator('.models').screenshot({ path: testInfo.outputPath('loading.png') });
  await expect(page.getByTestId('model-card')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  const manifest = JSON.parse(readFileSync(`${packageDir(MODEL)}/manifest.json`, 'utf8')) as {
    files: { bytes: number }[];
  };
  const total =
    manifest.files.reduce((a, f) => a + f.bytes, 0) + readFileSync(`${packageDir(MODEL)}/manifest.json`).length;
  await expect(page.getByTestId('download-summary')).toHaveAttribute('data-bytes', String(total));
  await expect(page.getByTestId('download-summary')).toContainText(`${manifest.files.length + 1} files`);
});

test('a token file dropped on the page is decoded with the model', async ({ page }) => {
  await openWithModel(page, '&example=coffee');
  await expect(page.locator('[data-testid=recon]')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  const indices = await gridIndices(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download tokens (JSON)' }).click(),
  ]);
  const path = await download.path();
  await dropFile(page, path, download.suggestedFilename(), 'application/json');
  await expect(page.getByTestId('token-note').first()).toContainText(
    'decoded from pasted tokens of coffee.png (8 of 8 scales)',
  );
  // A decode of the 224 px model takes seconds on a busy 2-core machine.
  await expect(page.locator('[data-testid=recon]')).toContainText('from pasted tokens', { timeout: 60_000 });
  await expect(page.locator('[data-testid=recon]')).toHaveAttribute('data-phase', 'done');
  expect(await gridIndices(page)).toEqual(indices);
});

test('while the model encodes and decodes, the page never blocks for long', async ({ page }, testInfo) => {
  // Long tasks (> 50 ms on the page's thread) from the moment the image is chosen until metrics are shown.
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  await openWithModel(page);
  // The waits run inside the page (one querySelector per 100 ms): a Playwright locator poll runs
  // its selector engine over the whole DOM on the page's thread, 12–60 ms of CPU per poll on this
  // page (Chromium traces: DevToolsSession tasks), and those long tasks would be the test's, not the page's.
  const waitInPage = (selector: string, attribute: string, value: RegExp) =>
    page.waitForFunction(
      ([sel, attr, re]) => {
        const v = document.querySelector(sel)?.getAttribute(attr);
        return v != null && new RegExp(re).test(v);
      },
      [selector, attribute, value.source] as const,
      { polling: 100, timeout: 60_000 },
    );
  await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks.length = 0));
  await page.getByRole('button', { name: 'Astronaut' }).click();
  await waitInPage('[data-testid=metrics]', 'data-psnr', /./);
  await page.locator('#recon-scales').fill('3');
  await waitInPage('[data-testid=recon]', 'data-scales-used', /^3$/);
  await page.locator('[data-testid=token-grid] [data-row="2"][data-col="3"]').click();
  await waitInPage('[data-testid=inspector]', 'data-token', /^\d+$/);
  const tasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  testInfo.annotations.push({ type: 'long tasks (ms)', description: tasks.map(Math.round).join(', ') || 'none' });
  // 20 of 20 runs under 200 ms on the idle 2-core test machine (both cores running the model); the
  // bound catches work moved back onto the page (SSIM or the colour PCA took 100–300 ms there). On
  // a machine loaded to 12–20 it fails about one run in two: the page's thread then waits for a
  // core through most of each task (10–40 ms of CPU in tasks of 150–900 ms), which no page can help.
  expect(Math.max(0, ...tasks)).toBeLessThan(200);
});

test('a pasted image opens too', async ({ page }) => {
  await openWithModel(page);
  await pasteFile(page, readFileSync(EXAMPLE_FILE('astronaut')), 'image.png', 'image/png');
  await expect(page.getByTestId('image-facts')).toHaveAttribute(
    'data-rgb-checksum',
    await nodeChecksum(EXAMPLE_FILE('astronaut')),
  );
  await expect(page.getByTestId('token-grid')).toBeVisible({ timeout: 60_000 });
});

test('EXIF orientation: stored pixels with a note, turned on request; transparency is flattened onto white', async ({
  page,
}) => {
  await page.goto('/');
  // A 40×20 JPEG made by the browser, with an EXIF block saying "rotate 90° clockwise" (orientation 6).
  const jpeg = Buffer.from(
    await page.evaluate(async () => {
      const c = new OffscreenCanvas(40, 20);
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = '#c33';
      ctx.fillRect(0, 0, 40, 20);
      return Array.from(new Uint8Array(await (await c.convertToBlob({ type: 'image/jpeg' })).arrayBuffer()));
    }),
  );
  const tiff = Buffer.from([
    0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0,
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([
    Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255]),
    payload,
  ]);
  const rotated = Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
  await pick(page, 'phone-photo.jpg', 'image/jpeg', rotated);
  await expect(page.getByTestId('image-facts')).toHaveAttribute('data-width', '40');
  await expect(page.getByTestId('image-facts')).toHaveAttribute('data-height', '20');
  const note = page.getByTestId('orientation-note');
  await expect(note).toContainText(
    'EXIF orientation 6 (rotated 90° clockwise when displayed). It is tokenized as stored, as the official code does',
  );
  await note.getByRole('button', { name: 'Rotate as displayed' }).click();
  await expect(page.getByTestId('image-facts')).toHaveAttribute('data-width', '20');
  await expect(page.getByTestId('image-facts')).toHaveAttribute('data-height', '40');
  await expect(note).toHaveAttribute('data-applied', 'true');
  await note.getByRole('button', { name: 'Use the stored pixels' }).click();
  await expect(page.getByTestId('image-facts')).toHaveAttribute('data-width', '40');

  // 3×1 RGBA: opaque red, fully transparent black, opaque blue → red, white, blue.
  const png = new PNG({ width: 3, height: 1 });
  png.data = Buffer.from([255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 255]);
  await pick(page, 'logo.png', 'image/png', PNG.sync.write(png));
  await expect(page.getByTestId('image-facts')).toHaveAttribute(
    'data-rgb-checksum',
    fnv1a32(Uint8Array.from([255, 0, 0, 255, 255, 255, 0, 0, 255])),
  );
  await expect(page.getByText('1 transparent pixel flattened onto white')).toBeVisible();
  // The reason is behind a focusable info button, readable without hover.
  await page.getByRole('button', { name: 'About transparent pixels' }).click();
  await expect(page.getByRole('note').filter({ hasText: /official code .* drops the alpha channel/ })).toBeVisible();
  await expect(page.getByTestId('orientation-note')).toHaveCount(0);
});

test('non-images, checkpoints, truncated files and absurd sizes are refused, naming the file', async ({ page }) => {
  await page.goto('/');
  const error = page.getByTestId('image-error');
  await pick(page, 'notes.txt', 'text/plain', Buffer.from('hello, not an image'));
  await expect(error).toContainText('notes.txt: not an image (it starts with bytes 68 65 6c 6c)');

  await pick(page, 'tokenflow_clipb_32k_enhanced.pt', 'application/octet-stream', Buffer.from([0x50, 0x4b, 3, 4]));
  // A checkpoint name goes to the in-browser conversion, which names the file when it is no checkpoint.
  await expect(page.getByTestId('conversion-error')).toContainText('tokenflow_clipb_32k_enhanced.pt', {
    timeout: 60_000,
  });

  await pick(page, 'cut.png', 'image/png', readFileSync(EXAMPLE_FILE('coffee')).subarray(0, 2000));
  await expect(error).toContainText('cut.png: the browser could not decode this PNG file');

  // A PNG header claiming 20000×20000 pixels: refused before anything is decoded.
  const header = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(20000, 16);
  header.writeUInt32BE(20000, 20);
  await pick(page, 'huge.png', 'image/png', header);
  await expect(error).toContainText(
    "huge.png: the image is 20000x20000 = 400,000,000 pixels, over Pillow's decompression-bomb limit of 178,956,970 pixels",
  );
  header.writeUInt32BE(400, 20); // 20000×400: under Pillow's limit, over the page's side limit
  await pick(page, 'wide.png', 'image/png', header);
  await expect(error).toContainText('wide.png: it is 20000x400; sides over 16384 px are not supported');
});

test('a phone photo: tokens of the stored pixels (the official crop), and a turn that the exported tokens and metrics record', async ({
  page,
}, testInfo) => {
  const f = jpegFixtures().find((x) => x.name.includes('orientation'));
  test.skip(!f, 'the JPEG fixtures (fixtures/jpeg-decode) are needed');
  await openWithModel(page);
  await page.locator('#image-file').setInputFiles(f!.jpegPath);
  await expect(page.locator('[data-testid=recon]')).toHaveAttribute('data-phase', 'done', { timeout: 90_000 });
  // The stored 600×400 pixels, as Pillow decodes them.
  await expect(page.getByTestId('image-facts')).toHaveAttribute(
    'data-rgb-checksum',
    fnv1a32(jpegFixtureBytes(f!.decoded)),
  );
  const exported = async (button: string): Promise<Record<string, unknown>> => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: button }).click(),
    ]);
    return JSON.parse(readFileSync(await download.path(), 'utf8')) as Record<string, unknown>;
  };
  expect((await exported('Download tokens (JSON)')).imageOrientation).toEqual({ exif: 6, applied: false });
  const stored = await gridIndices(page);
  await page.locator('.image-input').screenshot({ path: testInfo.outputPath('phone-photo-stored.png') });

  await page.getByRole('button', { name: 'Rotate as displayed' }).click();
  await expect(page.getByTestId('image-facts')).toHaveAttribute('data-width', '400');
  await expect(page.locator('[data-testid=recon]')).toHaveAttribute('data-phase', 'done', { timeout: 90_000 });
  await expect
    .poll(async () => JSON.stringify(await gridIndices(page)), { timeout: 60_000 })
    .not.toBe(JSON.stringify(stored));
  expect((await exported('Download tokens (JSON)')).imageOrientation).toEqual({ exif: 6, applied: true });
  expect((await exported('Download metrics (JSON)')).imageOrientation).toMatchObject({ exif: 6, applied: true });
  await page.locator('.image-input').screenshot({ path: testInfo.outputPath('phone-photo-turned.png') });
});

test('a model URL that is not a package, or not http, is refused saying why', async ({ page }) => {
  await page.goto('/');
  await page.locator('#model-url').fill('file:///tmp/package');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByRole('alert')).toContainText(
    '"file:///tmp/package" is a file: URL; model packages are loaded over http or https',
  );
  await page.locator('#model-url').fill('/no-such-package');
  await page.getByRole('button', { name: 'Load model' }).click();
  const card = page.getByTestId('model-card').last(); // after the embedded default model's card, when one ships
  await expect(card).toHaveAttribute('data-phase', 'error', { timeout: 30_000 });
  // The preview server answers its HTML page for a missing file, so the reason is "not valid JSON" rather than a 404.
  await expect(card).toContainText(
    /Could not load this model: .*\/no-such-package\/manifest\.json(: HTTP 404| is not valid JSON)/,
  );
});

test('on a phone the page is one readable column, and every control has a label', async ({ browser }, testInfo) => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  try {
    await openWithModel(page, '&example=coffee');
    await expect(page.getByTestId('token-grid')).toBeVisible({ timeout: 60_000 });
    await expect(page.locator('[data-testid=recon]')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: testInfo.outputPath('phone.png'), fullPage: true });
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('input, select, textarea, button')]
        .filter((el) => {
          const named =
            el.getAttribute('aria-label') ||
            (el as HTMLInputElement).labels?.length ||
            el.textContent?.trim() ||
            el.getAttribute('title');
          return !named && (el as HTMLInputElement).type !== 'hidden';
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
  } finally {
    await page.close();
  }
});

test.describe('WebGPU (SwiftShader, a software adapter)', () => {
  test("'auto' says why it runs on WebAssembly instead, and WebGPU can be chosen", async ({ page }, testInfo) => {
    await page.goto(`/?model=${packageUrl(MODEL)}`);
    const card = page.getByTestId('model-card');
    await expect(card).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
    await expect(card).toHaveAttribute('data-backend', 'wasm');
    await expect(page.getByTestId('backend')).toContainText(
      /software one .*swiftshader.*Choose WebGPU to use it anyway/i,
    );

    // Forced WebGPU: the model loads as WebGPU sessions (running SwiftShader's pixel graphs takes minutes, so no image here).
    await page.locator('#backend').selectOption('webgpu');
    await expect(card).toHaveAttribute('data-backend', 'webgpu', { timeout: 90_000 });
    await expect(card).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
    await expect(page.getByTestId('backend')).toContainText('Running on WebGPU');
    await expect(page.getByTestId('backend')).toContainText('quantizer on the GPU');
    await expect(page.getByTestId('placement')).toContainText('semantic encoder on webgpu');
    expect(new URL(page.url()).searchParams.get('backend')).toBe('webgpu');
    await page.locator('.models').screenshot({ path: testInfo.outputPath('webgpu-model-card.png') });
  });
});
