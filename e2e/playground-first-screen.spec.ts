/**
 * The page as a new visitor meets it, on the embedded model (wasm): the first example runs by
 * itself, the crop and its reconstruction sit in the first screen at 1440×900 and on a
 * 390×844 phone, a token is tied to its place on both images, the depths, the pin and the
 * before/after slider work, and the keyboard and small-screen bugs of issue 13 stay fixed.
 * Writes the README's screenshots (docs/page-*.png) when UPDATE_SCREENSHOTS=1.
 */
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';

const ROOT = join(import.meta.dirname, '..');
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1';
/** The embedded model's crop side (TokenFlow-Tiny, 128 px) and scale list. */
const R = 128;
const SCALES = [1, 2, 4, 6, 8, 10, 12, 14, 16];

/** Waits until the first example's reconstruction is on screen, with no click. */
async function waitForFirstResult(page: Page): Promise<void> {
  await expect(page.getByTestId('status-line')).toHaveAttribute('data-step', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('recon').first()).toHaveAttribute('data-phase', 'done');
}

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error('element has no box');
  return b;
}

/** The on-screen box where a token's nominal cell must be drawn over an image shown in `image`. */
function expectedCell(image: { x: number; y: number; width: number }, side: number, row: number, col: number) {
  const px = image.width / R;
  const cell = (R / side) * px;
  return { x: image.x + col * cell, y: image.y + row * cell, width: cell, height: cell };
}

/** Equal up to the outline's stroke (3 px, half of it outside the cell on each side). */
function expectBoxClose(got: { x: number; y: number; width: number; height: number }, want: typeof got, what: string) {
  for (const k of ['x', 'y', 'width', 'height'] as const)
    expect(Math.abs(got[k] - want[k]), `${what}: ${k} ${got[k]} vs ${want[k]}`).toBeLessThan(3.5);
}

test.describe('desktop, 1440×900', () => {
  // One visit for the whole group (a model load and encode each would take most of the time); tests run in order.
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  const errors: string[] = [];
  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  test.afterAll(async () => {
    expect(errors).toEqual([]);
    await page.close();
  });

  test('the first example runs by itself; crop, reconstruction and tokens are in the first screen', async () => {
    await page.goto('/?backend=wasm');
    // The status line is near the top from the start and says what is happening.
    const status = page.getByTestId('status-line');
    await expect(status).toBeVisible();
    expect((await box(status)).y).toBeLessThan(150);
    await waitForFirstResult(page);
    await expect(status).toContainText(
      /Done: astronaut\.png → 817 tokens → reconstruction from 9 scales, PSNR \d+\.\d\d dB/,
    );
    expect(new URL(page.url()).searchParams.get('example')).toBe('astronaut');
    // Skip links come first in the Tab order.
    await page.keyboard.press('Tab');
    await expect(page.locator(':focus')).toHaveText('Skip to the results');
    await page.keyboard.press('Shift+Tab');

    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    for (const id of ['recon-crop', 'recon-image', 'recon-diff']) {
      const b = await box(page.getByTestId(id));
      expect(b.width, `${id} width`).toBeGreaterThanOrEqual(256);
      expect(b.y + b.height, `${id} bottom`).toBeLessThanOrEqual(900);
      expect(b.x + b.width, `${id} right`).toBeLessThanOrEqual(1440);
    }
    const metrics = await box(page.getByTestId('metrics'));
    expect(metrics.y + metrics.height).toBeLessThanOrEqual(900);
    const grid = await box(page.getByTestId('token-grid'));
    expect(grid.y + grid.height / 2, 'the token grid starts in the first screen').toBeLessThan(900);
    expect(grid.x).toBeGreaterThan((await box(page.getByTestId('recon-diff'))).x);

    // Every depth 1…9 decodes by itself; the deepest is the reconstruction on screen.
    const strip = page.getByTestId('depth-strip');
    await expect(strip).toHaveAttribute('data-decoded', '9', { timeout: 60_000 });
    const psnrs = await strip.locator('button').evaluateAll((b) => b.map((x) => Number(x.getAttribute('data-psnr'))));
    expect(psnrs).toHaveLength(9);
    expect(psnrs.every((p) => p > 5 && p < 60)).toBe(true);
    expect(psnrs[8]).toBeCloseTo(Number(await page.getByTestId('metrics').getAttribute('data-psnr')), 6);
    expect(psnrs[8], 'all scales beat the 1×1 token alone').toBeGreaterThan(psnrs[0]);
  });

  const outlineTitle =
    'a token is outlined where it sits on the crop and the reconstruction, at every scale, ' +
    'and hover and image clicks link back';
  test(outlineTitle, async () => {
    const crop = page.getByTestId('recon-crop');
    const recon = page.getByTestId('recon-image');
    for (const [side, row, col] of [
      [4, 1, 2],
      [6, 5, 0],
      [16, 9, 14],
    ] as const) {
      await page.locator(`.scale-thumb[data-scale="${side}"]`).click();
      await page.locator(`[data-testid=token-grid] [data-row="${row}"][data-col="${col}"]`).click();
      const t = SCALES.slice(0, SCALES.indexOf(side)).reduce((a, s) => a + s * s, 0) + row * side + col;
      await expect(page.getByTestId('inspector')).toHaveAttribute('data-token', String(t));
      for (const [img, name] of [
        [crop, 'crop'],
        [recon, 'recon'],
      ] as const) {
        const rect = page.locator(`[data-testid=overlay-${name}] .selected-cell`);
        await expect(rect).toHaveCount(1);
        expectBoxClose(
          await box(rect),
          expectedCell(await box(img), side, row, col),
          `${side}×${side} (${row}, ${col}) on the ${name}`,
        );
      }
    }
    if (SHOTS) {
      await page.locator('.scale-thumb[data-scale="4"]').click();
      await page.locator('[data-testid=token-grid] [data-row="1"][data-col="2"]').click();
      await page.mouse.move(0, 0);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(ROOT, 'docs/page-desktop.png') });
      await page.locator('.scale-thumb[data-scale="16"]').click();
    }
    // Hovering a grid cell outlines it (dashed) on the images too.
    await page.locator('[data-testid=token-grid] [data-row="3"][data-col="4"]').hover();
    expectBoxClose(
      await box(page.locator('[data-testid=overlay-recon] .hovered-cell')),
      expectedCell(await box(recon), 16, 3, 4),
      'hovered 16×16 (3, 4)',
    );
    // Clicking the image selects the token of the shown scale under the pointer.
    const c = await box(crop);
    await page.mouse.click(c.x + (c.width * 2.5) / 16, c.y + (c.height * 7.5) / 16);
    await expect(page.getByTestId('inspector')).toHaveAttribute(
      'data-token',
      String(SCALES.slice(0, 8).reduce((a, s) => a + s * s, 0) + 7 * 16 + 2),
    );
    // The grid overlay draws the shown scale's cells on the images.
    await page.getByLabel('token grid').check();
    await expect(page.getByTestId('grid-recon')).toHaveAttribute('data-side', '16');
    await expect(page.locator('[data-testid=grid-recon] line')).toHaveCount(30);
  });

  test('the inspector shows a picture for every candidate code; codebook patches select their token', async () => {
    await page.locator('.scale-thumb[data-scale="8"]').click();
    await page.locator('[data-testid=token-grid] [data-row="3"][data-col="3"]').click();
    const pictures = page.locator('[data-testid=inspector] tbody .code-picture');
    // 3 per-codebook rows + 8 candidates, each from this image or decoded alone.
    await expect(pictures).toHaveCount(11);
    await expect(page.locator('[data-testid=inspector] tbody .code-picture[data-picture=pending]')).toHaveCount(0, {
      timeout: 60_000,
    });
    const kinds = await pictures.evaluateAll((els) => els.map((e) => e.getAttribute('data-picture')));
    expect(kinds[0], 'the chosen code is in the image').toBe('image');
    expect(kinds.every((k) => k === 'image' || k === 'decoded')).toBe(true);

    const patch = page.getByTestId('patches').locator('.patch-button').last();
    await patch.click();
    const label = (await patch.getAttribute('aria-label'))!;
    const [, side, row, col] = /scale (\d+)×\d+, row (\d+), column (\d+)/.exec(label)!.map(Number);
    const t = SCALES.slice(0, SCALES.indexOf(side)).reduce((a, s) => a + s * s, 0) + row * side + col;
    await expect(page.getByTestId('inspector')).toHaveAttribute('data-token', String(t));
    await expect(page.getByTestId('token-grid')).toHaveAttribute('data-scale', String(side));
  });

  const keyboardTitle =
    'keyboard: Enter keeps an arrow-key token, Esc closes the inspector, ' +
    'no Tab stop on hidden inputs, readable info buttons';
  test(keyboardTitle, async () => {
    // Hidden file inputs are opened by their buttons only.
    const tabStops = await page
      .locator('input[type=file].visually-hidden')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).tabIndex));
    expect(tabStops.length).toBeGreaterThanOrEqual(3);
    expect(tabStops.every((t) => t === -1)).toBe(true);

    await page.locator('.scale-thumb[data-scale="16"]').click();
    await page.keyboard.press('Escape');
    const first = page.locator('[data-testid=token-grid] .token').first();
    await first.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const inspector = page.getByTestId('inspector');
    const chosen = String(SCALES.slice(0, 8).reduce((a, s) => a + s * s, 0) + 16 + 1);
    await expect(inspector).toHaveAttribute('data-token', chosen);
    await page.keyboard.press('Enter');
    await expect(inspector).toHaveAttribute('data-token', chosen);
    await page.keyboard.press('Escape');
    await expect(inspector).not.toHaveAttribute('data-token', /./);
    await expect(page.locator('[data-testid=overlay-crop] .selected-cell')).toHaveCount(0);

    // The info buttons are focusable and open their text without hover.
    const info = page.getByRole('button', { name: 'About the token colours' });
    await info.focus();
    await page.keyboard.press('Enter');
    await expect(info).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByRole('note').filter({ hasText: 'first three principal components' })).toBeVisible();
    expect(await page.locator('body').innerText()).not.toContain('ⓘ');
  });

  test('the agreement map keeps no stale pixels after switching scales', async () => {
    const grid = page.getByTestId('agreement-grid');
    await page.locator('.scale-thumb[data-scale="16"]').click();
    await expect(grid).toHaveAttribute('data-scale', '16');
    // 16×16 at 12 px and 6×6 at 32 px share a 192 px canvas; x = 31 is inside a 16-grid cell but a gap of the 6-grid.
    await page.locator('.scale-thumb[data-scale="6"]').click();
    await expect(grid).toHaveAttribute('data-scale', '6');
    const alpha = await grid.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(31, 0, 1, c.height).data;
      let max = 0;
      for (let i = 3; i < d.length; i += 4) max = Math.max(max, d[i]);
      return max;
    });
    expect(alpha).toBe(0);
  });

  test('weights changes are compared with the pinned result, side by side and in the before/after slider', async () => {
    const before = Number(await page.getByTestId('metrics').getAttribute('data-psnr'));
    await page.locator('#weight-balance').fill('0');
    await expect(page.getByTestId('weight-pixel')).toHaveText('2');
    // The result before the change is pinned by itself, and stays.
    await expect(page.getByTestId('pinned')).toHaveAttribute('data-psnr', String(before));
    // Pixel distance only picks other codes: a new reconstruction with another PSNR replaces the shown one.
    await expect
      .poll(async () => Number(await page.getByTestId('metrics').getAttribute('data-psnr')), { timeout: 60_000 })
      .not.toBe(before);
    await expect(page.getByTestId('pinned-delta')).toContainText(/now [+−]\d+\.\d\d dB/);
    await page.getByRole('button', { name: 'Compare in the slider' }).click();
    const compare = page.getByTestId('compare');
    await expect(compare).toHaveAttribute('data-after', 'pinned');
    const options = await page
      .locator('#compare-with option')
      .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(options).toContain('pinned');
    expect(options).toContain('recon:1');
    expect(options.filter((o) => o.startsWith('depth:')).length).toBeGreaterThan(0);
    await page.locator('#compare-position').fill('20');
    await expect(compare).toHaveAttribute('data-position', '20');
    const stage = await box(compare.locator('.compare-stage'));
    const handle = await box(compare.locator('.compare-handle'));
    expect(Math.abs(handle.x + handle.width / 2 - (stage.x + stage.width * 0.2))).toBeLessThan(3);
    await page.locator('#compare-with').selectOption('recon:1');
    await expect(compare).toHaveAttribute('data-after', 'recon:1');
    // In the slider, a depth of the strip goes against the crop.
    await expect(page.getByTestId('depth-strip')).toHaveAttribute('data-decoded', '9', { timeout: 60_000 });
    await page.getByTestId('depth-strip').locator('button[data-k="3"]').click();
    await expect(compare).toHaveAttribute('data-after', 'depth:3');
  });
});

test.describe('model URLs, 1440×900', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('a failed model URL is not kept in the link, does not count toward the limit, and says why in words', async ({
    page,
  }) => {
    await page.goto('/?model=/no-such-package/&backend=wasm');
    const card = page.getByTestId('model-card');
    await expect(card).toHaveAttribute('data-phase', 'error', { timeout: 60_000 });
    await expect(card).toContainText('is a web page, not a model manifest');
    await expect(page.getByTestId('status-line')).toHaveAttribute('data-step', 'error');
    await expect.poll(() => new URL(page.url()).searchParams.getAll('model')).toEqual([]);

    const urlInput = page.locator('#model-url');
    await urlInput.fill('not a url at all');
    await page.getByRole('button', { name: 'Load model' }).click();
    await expect(page.locator('.add-model [role=alert]')).toContainText('"not a url at all" is not a URL');
    await expect(card).toHaveCount(1);

    await urlInput.fill('/models/default/');
    await page.getByRole('button', { name: 'Load model' }).click();
    await expect(page.locator('[data-testid=model-card][data-phase=ready]')).toHaveCount(1, { timeout: 60_000 });
    // One model loaded and one failed: a second model is still allowed.
    await urlInput.fill('/also-missing/');
    await page.getByRole('button', { name: 'Load model' }).click();
    await expect(page.locator('[data-testid=model-card][data-phase=error]')).toHaveCount(2, { timeout: 60_000 });
    await expect(page.locator('.add-model [role=alert]')).toHaveCount(0);
    const models = new URL(page.url()).searchParams.getAll('model');
    expect(models.some((m) => m.includes('missing') || m.includes('no-such'))).toBe(false);
    // Trying the failed URL again replaces its card instead of being refused as "already loaded".
    await urlInput.fill('/also-missing/');
    await page.getByRole('button', { name: 'Load model' }).click();
    await expect(page.locator('[data-testid=model-card][data-phase=error]')).toHaveCount(2, { timeout: 60_000 });
    await expect(page.locator('.add-model [role=alert]')).toHaveCount(0);
  });
});

test.describe('phone, 390×844', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  const oneColumnTitle =
    'one column with no horizontal scrolling at any moment; ' +
    'crop and reconstruction in the first screen; the inspector under the grid';
  test(oneColumnTitle, async ({ page }) => {
    // Records the widest the page ever was, from the first paint on.
    await page.addInitScript(() => {
      const w = window as unknown as { widest: number };
      w.widest = 0;
      const check = () => {
        w.widest = Math.max(w.widest, document.documentElement.scrollWidth);
        requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    await page.goto('/?backend=wasm');
    await waitForFirstResult(page);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    for (const id of ['recon-crop', 'recon-image']) {
      const b = await box(page.getByTestId(id));
      expect(b.y + b.height, `${id} bottom`).toBeLessThanOrEqual(844);
      expect(b.width, `${id} width`).toBeGreaterThanOrEqual(150);
    }
    if (SHOTS) await page.screenshot({ path: join(ROOT, 'docs/page-phone.png') });

    const cell = page.locator('[data-testid=token-grid] [data-row="5"][data-col="5"]');
    const cellBox = await box(cell);
    expect(cellBox.width, 'a 16×16 cell spans the screen width / 16').toBeGreaterThanOrEqual(20);
    await cell.tap();
    const inspector = page.getByTestId('inspector');
    await expect(inspector).toHaveAttribute('data-token', /\d+/);
    const gridBox = await box(page.getByTestId('token-grid'));
    const inspectorBox = await box(inspector);
    expect(inspectorBox.y - (gridBox.y + gridBox.height), 'the inspector opens right under the grid').toBeLessThan(400);
    await expect(page.locator('[data-testid=overlay-recon] .selected-cell')).toHaveCount(1);
    // The model card (loading and loaded) and everything else stayed within the screen.
    expect(await page.evaluate(() => (window as unknown as { widest: number }).widest)).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});
