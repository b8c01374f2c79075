/**
 * The playground driven as a person would, on the wasm backend: open a photo, read the tokens
 * per scale, inspect a token, move the reconstruction slider, export, edit and paste tokens,
 * add a second model. Every number read back is checked against the reference pipeline run in
 * Node (onnxruntime-node) on the same exported package and the same RGB bytes.
 */
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { expect, test, type Page } from '@playwright/test';
import { codebookUsage } from '../src/core/metrics/codebook-usage.ts';
import { agreementMap } from '../src/ui/logic/agreement.ts';
import {
  clearMismatches,
  EXAMPLE_FILE,
  expectMetricsClose,
  gridIndices,
  indicesAtScale,
  nodeChecksum,
  openPlayground,
  packageUrl,
  pageMetrics,
  reference,
  type Reference,
} from './support/playground.ts';

test.describe.configure({ mode: 'serial' });

const MAIN = 'clip-256-enhanced';
const SECOND = 'clip-224';

let page: Page;
let ref: Reference;
const errors: string[] = [];

test.beforeAll(async ({ browser }) => {
  ref = await reference(MAIN, 'astronaut');
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
});

test.afterAll(async () => {
  await page?.close();
  await ref?.release();
});

test('a picked photo is decoded to the same RGB bytes as Node and tokenized like the reference, scale by scale', async ({}, testInfo) => {
  await page.goto(`/?model=${packageUrl(MAIN)}&backend=wasm`);
  await expect(page.getByTestId('model-card')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  await expect(page.getByTestId('backend')).toContainText('WebAssembly');
  await page.locator('#image-file').setInputFiles(EXAMPLE_FILE('astronaut'));
  await expect(page.getByTestId('token-grid')).toBeVisible({ timeout: 90_000 });

  // Canvas read-back (colour profile ignored, as Pillow does) gives pngjs' bytes exactly, though this PNG carries an ICC profile.
  await expect(page.getByTestId('image-facts')).toHaveAttribute(
    'data-rgb-checksum',
    await nodeChecksum(EXAMPLE_FILE('astronaut')),
  );
  // The finest scale is shown first.
  await expect(page.getByTestId('token-grid')).toHaveAttribute('data-scale', '16');

  const q = ref.run.quantization;
  const m = ref.model.manifest;
  const report: string[] = [];
  for (let i = 0; i < m.scales.length; i++) {
    const s = m.scales[i];
    const got = await indicesAtScale(page, s);
    expect(got).toHaveLength(s * s);
    expect(
      clearMismatches(got, q.indices, q.margin, q.tokenOffsets[i]),
      `scale ${s}: tokens differing from the reference`,
    ).toEqual([]);
    report.push(`${s}×${s}: ${got.filter((k, p) => k === q.indices[q.tokenOffsets[i] + p]).length}/${s * s} equal`);
  }
  testInfo.annotations.push({ type: 'indices vs reference', description: report.join(', ') });
  await expect(page.getByTestId('token-summary')).toContainText(
    `${m.numTokens} tokens = ${(m.numTokens * Math.log2(m.codebookSize)).toLocaleString('en')} bits`,
  );

  // The agreement map of the finest scale is the reference's joint vs semantic-only / pixel-only.
  const agree = agreementMap(q.indices, q.indicesSemanticOnly, q.indicesPixelOnly);
  const last = m.scales.length - 1;
  await expect(page.getByTestId('agreement-grid')).toHaveAttribute(
    'data-agreement',
    Array.from(agree.subarray(q.tokenOffsets[last], q.tokenOffsets[last + 1])).join(''),
  );
  await page.screenshot({ path: testInfo.outputPath('tokens.png'), fullPage: true });
});

test('clicking a token shows its index, the per-codebook winners, the top-k and every occurrence', async ({}, testInfo) => {
  const q = ref.run.quantization;
  // A token of the 8×8 scale whose index occurs more than once, if any.
  const si = ref.model.manifest.scales.indexOf(8);
  const t0 = q.tokenOffsets[si];
  let t = t0;
  for (let p = t0; p < q.tokenOffsets[si + 1]; p++) {
    if (q.indices.filter((k) => k === q.indices[p]).length > 1 && q.margin[p] > 1e-4) {
      t = p;
      break;
    }
  }
  const row = Math.floor((t - t0) / 8);
  const col = (t - t0) % 8;
  await indicesAtScale(page, 8);
  await page.locator(`[data-testid=token-grid] [data-row="${row}"][data-col="${col}"]`).click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toHaveAttribute('data-token', String(t));
  await expect(page.getByTestId('inspector-index')).toHaveText(String(q.indices[t]));
  const matches = page.getByTestId('inspector-matches');
  await expect(matches.locator('tbody tr').nth(1)).toHaveAttribute('data-code', String(q.indicesSemanticOnly[t]));
  await expect(matches.locator('tbody tr').nth(2)).toHaveAttribute('data-code', String(q.indicesPixelOnly[t]));
  const candidates = await page
    .getByTestId('candidates')
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-code'))));
  expect(candidates).toEqual(Array.from(q.candidates.indices.subarray(t * 8, t * 8 + 8)));
  const occurrences = Array.from(q.indices).filter((k) => k === q.indices[t]).length;
  await expect(inspector).toHaveAttribute('data-occurrences', String(occurrences));
  await expect(page.getByTestId('occurrences').locator('li')).toHaveCount(occurrences);
  // The same index is marked in the grid too.
  const same = Array.from(q.indices.subarray(t0, t0 + 64)).filter((k, p) => k === q.indices[t] && t0 + p !== t).length;
  await expect(page.locator('[data-testid=token-grid] .token.same-code')).toHaveCount(same);

  // Arrow keys move the selection.
  await page.locator(`[data-testid=token-grid] [data-token="${t}"]`).focus();
  await page.keyboard.press(col < 7 ? 'ArrowRight' : 'ArrowLeft');
  await expect(inspector).toHaveAttribute('data-token', String(col < 7 ? t + 1 : t - 1));
  await page.keyboard.press(col < 7 ? 'ArrowLeft' : 'ArrowRight');
  await expect(inspector).toHaveAttribute('data-token', String(t));
  await page.getByTestId('inspector').screenshot({ path: testInfo.outputPath('inspector.png') });

  // The codebook view follows the selection: the token's code and a patch per occurrence.
  await expect(page.getByTestId('usage')).toHaveAttribute(
    'data-distinct',
    String(codebookUsage(q.indices, ref.model.manifest.codebookSize).distinct),
  );
  const patches = page.getByTestId('patches');
  await expect(patches).toHaveAttribute('data-code', String(q.indices[t]));
  await expect(patches.locator('li canvas')).toHaveCount(occurrences);
  await page.getByTestId('codebook').screenshot({ path: testInfo.outputPath('codebook.png') });
});

test('the scale slider decodes progressively and the metrics match the reference at every k shown', async ({}, testInfo) => {
  const url = packageUrl(MAIN);
  expectMetricsClose(await pageMetrics(page, url, 9), ref.metrics, 'all 9 scales');
  const slider = page.locator('#recon-scales');
  for (const k of [1, 4]) {
    await slider.fill(String(k));
    const want = await ref.progressive(k);
    expectMetricsClose(await pageMetrics(page, url, k), want.metrics, `${k} scales`);
  }
  await page
    .getByTestId('recon')
    .first()
    .screenshot({ path: testInfo.outputPath('reconstruction-4-scales.png') });
  await slider.fill('9');
  await pageMetrics(page, url, 9);
  await page.locator('#zoom').selectOption('4');
  // Zoomed views scroll together.
  const panes = page.locator('[data-zoom-pane]');
  await panes.nth(1).evaluate((el) => el.scrollTo(200, 300));
  await expect.poll(() => panes.nth(0).evaluate((el) => [el.scrollLeft, el.scrollTop])).toEqual([200, 300]);
  await expect.poll(() => panes.nth(2).evaluate((el) => [el.scrollLeft, el.scrollTop])).toEqual([200, 300]);
  await page.locator('#zoom').selectOption('1');
  await page.locator('.reconstruction').screenshot({ path: testInfo.outputPath('reconstruction.png') });
});

test('exports: tokens JSON, the reconstruction PNG and metrics JSON hold what the page shows', async ({}, testInfo) => {
  const q = ref.run.quantization;
  const m = ref.model.manifest;
  const [tokensDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download tokens (JSON)' }).click(),
  ]);
  expect(tokensDl.suggestedFilename()).toMatch(/^astronaut\..*\.tokens\.json$/);
  const tokens = JSON.parse(await readFile(await tokensDl.path(), 'utf8'));
  expect(tokens.format).toBe('tokenflow-tokens');
  expect(tokens.model.name).toBe(m.name);
  expect(tokens.scales).toEqual(m.scales);
  const flat: number[] = tokens.indices.flat();
  expect(clearMismatches(flat, q.indices, q.margin)).toEqual([]);

  const [pngDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download reconstruction (PNG)' }).click(),
  ]);
  const png = PNG.sync.read(await readFile(await pngDl.path()));
  expect([png.width, png.height]).toEqual([m.outputSize, m.outputSize]);
  let differing = 0;
  let maxDiff = 0;
  for (let i = 0, o = 0; i < png.width * png.height; i++, o += 3) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(png.data[i * 4 + c] - ref.run.imageU8[o + c]);
      if (d > 0) differing++;
      maxDiff = Math.max(maxDiff, d);
    }
  }
  testInfo.annotations.push({
    type: 'exported PNG vs reference image_u8',
    description: `${differing} values differ, max ${maxDiff}`,
  });
  expect(maxDiff).toBeLessThanOrEqual(2);
  expect(differing).toBeLessThan(0.005 * ref.run.imageU8.length);

  const [metricsDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download metrics (JSON)' }).click(),
  ]);
  const metrics = JSON.parse(await readFile(await metricsDl.path(), 'utf8'));
  expect(metrics.scalesUsed).toBe(9);
  expectMetricsClose(
    {
      psnr: metrics.metrics.psnr.value,
      ssim: metrics.metrics.ssim.value,
      officialPsnr: metrics.metrics.officialPsnr.value,
      officialSsim: metrics.metrics.officialSsim.value,
    },
    ref.metrics,
    'metrics JSON',
  );
  expect(metrics.metrics.officialSsim.about).toMatch(/data_range 2\.0/);
  await page.locator('.export').screenshot({ path: testInfo.outputPath('export.png') });
});

test('a top-k candidate can replace a token; the edited tokens decode like the reference decodes them', async ({}, testInfo) => {
  const q = ref.run.quantization;
  const inspector = page.getByTestId('inspector');
  const t = Number(await inspector.getAttribute('data-token'));
  const runnerUp = q.candidates.indices[t * 8 + 1];
  await page.getByRole('button', { name: `Use code ${runnerUp} for this token` }).click();
  await expect(page.getByTestId('inspector-index')).toHaveText(String(runnerUp));
  await expect(page.locator(`[data-testid=token-grid] [data-token="${t}"]`)).toHaveClass(/edited/);
  const edited = q.indices.slice();
  edited[t] = runnerUp;
  const url = packageUrl(MAIN);
  // Each of these waits for a decode of the 256 px model: seconds on a busy 2-core machine.
  await expect(page.locator('[data-testid=recon]').first()).toContainText('with edited tokens', { timeout: 60_000 });
  expectMetricsClose(await pageMetrics(page, url, 9), (await ref.progressive(9, edited)).metrics, 'edited tokens');
  await page.getByRole('button', { name: 'Undo 1 edit' }).click();
  await expect(page.getByTestId('inspector-index')).toHaveText(String(q.indices[t]));
  await expect(page.locator('[data-testid=recon]').first()).not.toContainText('with edited tokens', {
    timeout: 60_000,
  });
  expectMetricsClose(await pageMetrics(page, url, 9), ref.metrics, 'after undo');
  void testInfo;
});

test('pasted token JSON decodes without the image; bad JSON is refused naming the field', async ({}, testInfo) => {
  const q = ref.run.quantization;
  const m = ref.model.manifest;
  // The first four scales only: a progressive prefix.
  const prefix = m.scales.slice(0, 4);
  const indices = prefix.map((s, i) => Array.from(q.indices.subarray(q.tokenOffsets[i], q.tokenOffsets[i + 1])));
  await page
    .locator('#token-json')
    .fill(JSON.stringify({ scales: prefix, indices: [...indices.slice(0, 3), indices[3].slice(1)] }));
  await page.getByRole('button', { name: 'Decode these tokens' }).click();
  await expect(page.getByTestId('export-error')).toContainText('"indices"[3] (scale 6×6) must hold 36 indices, got 35');

  await page.locator('#token-json').fill(JSON.stringify({ scales: prefix, indices }));
  await page.getByRole('button', { name: 'Decode these tokens' }).click();
  await expect(page.getByTestId('token-note').first()).toContainText('decoded from pasted tokens (4 of 9 scales)');
  const recon = page.locator('[data-testid=recon]').first();
  await expect(recon).toHaveAttribute('data-scales-used', '4', { timeout: 60_000 });
  await expect(recon).toContainText('from pasted tokens', { timeout: 60_000 });
  await expect(page.getByTestId('token-grid')).toHaveAttribute('data-scale', '6');
  expect(await gridIndices(page)).toEqual(indices[3]);
  await page.getByRole('button', { name: "Back to the image's tokens" }).click();
  await expect(recon).toHaveAttribute('data-scales-used', '9', { timeout: 60_000 });
  void testInfo;
});

test('moving the weight slider re-quantizes with those weights, as the reference does', async ({}, testInfo) => {
  const weights = { semantic: 0.4, pixel: 1.6 };
  const weighted = await reference(MAIN, 'astronaut', weights);
  try {
    await page.locator('#weight-balance').fill('0.2');
    await expect(page.getByTestId('weight-semantic')).toHaveText('0.4');
    await expect(page.getByTestId('weight-pixel')).toHaveText('1.6');
    const q = weighted.run.quantization;
    await expect
      .poll(
        async () => clearMismatches(await indicesAtScale(page, 16), q.indices, q.margin, q.tokenOffsets[8]).length,
        { timeout: 60_000 },
      )
      .toBe(0);
    expectMetricsClose(await pageMetrics(page, packageUrl(MAIN), 9), weighted.metrics, 'weights 0.4:1.6');
    expect(page.url()).toContain('w=0.4:1.6');
    await page.getByRole('button', { name: 'Back to 1:1' }).click();
    const q1 = ref.run.quantization;
    await expect
      .poll(async () => clearMismatches(await gridIndices(page), q1.indices, q1.margin, q1.tokenOffsets[8]).length, {
        timeout: 60_000,
      })
      .toBe(0);
  } finally {
    await weighted.release();
  }
  void testInfo;
});

test('a second model loads beside the first, with its own reconstruction and metrics', async ({}, testInfo) => {
  const second = await reference(SECOND, 'astronaut');
  try {
    await page.locator('#model-url').fill(packageUrl(SECOND));
    await page.getByRole('button', { name: 'Load model' }).click();
    await expect(page.getByTestId('model-card')).toHaveCount(2);
    await expect(page.getByTestId('recon')).toHaveCount(2);
    expectMetricsClose(await pageMetrics(page, packageUrl(SECOND), 8), second.metrics, SECOND);
    await expect(page.getByTestId('model-card').nth(1)).toContainText(second.model.manifest.name);
    // Its tokens, through the model switch.
    await page.locator('#active-model').selectOption({ label: second.model.manifest.name });
    await expect(page.getByTestId('token-grid')).toHaveAttribute('data-scale', '14');
    const q = second.run.quantization;
    expect(clearMismatches(await gridIndices(page), q.indices, q.margin, q.tokenOffsets[7])).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath('two-models.png'), fullPage: true });
    await page.locator('#active-model').selectOption({ index: 0 });
  } finally {
    await second.release();
  }
});

test('the link restores models, scale, selected token and reconstruction depth', async ({ browser }, testInfo) => {
  // A shared link needs an image the other person can open: the bundled example.
  await page.getByRole('button', { name: 'Astronaut' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('example')).toBe('astronaut');
  await expect(page.locator('[data-testid=recon]').first()).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await indicesAtScale(page, 8);
  await page.locator('[data-testid=token-grid] [data-row="2"][data-col="5"]').click();
  await page.locator('#recon-scales').fill('6');
  await expect(page.getByTestId('recon-k')).toHaveText('6');
  const link = new URL(page.url());
  expect(link.searchParams.getAll('model')).toEqual([packageUrl(MAIN), packageUrl(SECOND)]);
  expect(link.searchParams.get('token')).toBe('8,2,5');
  expect(link.searchParams.get('upto')).toBe('6');

  const other = await browser.newPage();
  try {
    await openPlayground(other, new URL(page.url()).search);
    await expect(other.getByTestId('model-card')).toHaveCount(2);
    await expect(other.getByTestId('token-grid')).toHaveAttribute('data-scale', '8');
    const q = ref.run.quantization;
    const t = q.tokenOffsets[ref.model.manifest.scales.indexOf(8)] + 2 * 8 + 5;
    await expect(other.getByTestId('inspector')).toHaveAttribute('data-token', String(t));
    await expect(other.getByTestId('recon-k')).toHaveText('6');
    expectMetricsClose(
      await pageMetrics(other, packageUrl(MAIN), 6),
      (await ref.progressive(6)).metrics,
      'restored link, 6 scales',
    );
    await other.screenshot({ path: testInfo.outputPath('restored-link.png'), fullPage: true });
  } finally {
    await other.close();
  }
  expect(errors).toEqual([]);
});
