/**
 * Cancelling in the production build on wasm: a decode the page aborts while onnxruntime-web is
 * executing it stops at the next node (ort-glue-hook.ts, cancel-board.ts) instead of running to
 * the end, the session stays usable and gives the same image, and an aborted request still queued
 * behind another is dropped without running. The SigLIP fixture's decoder runs ≈ 1.5–2.5 s here,
 * long enough to abort in its middle. On the page: a photo opened while the previous one is still
 * decoding cancels that decode, the depth strip's decode gives way to a depth the user picks, and
 * a cancel never shows as an error.
 */
import { expect, test, type Page } from '@playwright/test';
import { decodeImageFile } from '../src/node/image-io.ts';
import { fixturePath } from '../src/test-support/fixtures.ts';
import { dropFile, EXAMPLE_FILE, packageUrl } from './support/playground.ts';
import type { RuntimeHarness } from './runtime/harness.ts';
import {
  clearCacheInPage,
  decodeInPage,
  encodeInPage,
  loadModelInPage,
  openRuntimeHarness,
  prepareInPage,
} from './support/runtime-client.ts';

type WithHarness = { tokenflowHarness: RuntimeHarness };
const FIXTURE = 'siglip-384';

/** What an aborted decode came to, seen from the page. */
interface Outcome {
  readonly result: 'done' | 'error';
  readonly name?: string;
  readonly message?: string;
  /** From the abort to the answer. */
  readonly afterAbortMs: number;
}

test.describe.serial('cancelling on wasm, production build', () => {
  let page: Page;
  let fullMs = 0;
  let reference: Uint8Array;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    await openRuntimeHarness(page);
    await clearCacheInPage(page);
    await loadModelInPage(page, FIXTURE, 'wasm');
    await prepareInPage(page);
    await encodeInPage(page, await decodeImageFile(fixturePath(FIXTURE, 'astronaut', 'source.png')));
    const first = await decodeInPage(page);
    fullMs = first.timings.decoderMs;
    reference = first.imageU8;
  });
  test.afterAll(async () => {
    await page?.close();
  });

  test('a decode aborted midway stops at once with an AbortError, and the next decode gives the same image', async () => {
    test.setTimeout(120_000);
    // The abort must land while ORT runs: a third into a full decode. On a busy machine the run can
    // start late or finish early, so a few tries are allowed; any one stopped midway proves it.
    const outcomes: Outcome[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const outcome = await page.evaluate(async (abortAfterMs) => {
        const { client } = (globalThis as unknown as WithHarness).tokenflowHarness;
        const controller = new AbortController();
        let abortedAt = 0;
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, abortAfterMs);
        try {
          await client.decode(undefined, { signal: controller.signal });
          return { result: 'done' as const, afterAbortMs: performance.now() - abortedAt };
        } catch (e) {
          const { name, message } = e as Error;
          return { result: 'error' as const, name, message, afterAbortMs: performance.now() - abortedAt };
        }
      }, fullMs / 3);
      outcomes.push(outcome);
      if (outcome.message?.endsWith('while running')) break;
      // A decode that finished before the abort: let the next try abort sooner.
    }
    const stopped = outcomes.find((o) => o.message?.endsWith('while running'));
    console.info(
      `full decode ${fullMs.toFixed(0)} ms; aborted after ${(fullMs / 3).toFixed(0)} ms: ` +
        outcomes.map((o) => `${o.message ?? o.result} (${o.afterAbortMs.toFixed(0)} ms after the abort)`).join('; '),
    );
    expect(stopped, JSON.stringify(outcomes)).toMatchObject({ result: 'error', name: 'AbortError' });
    expect(stopped?.message).toBe('decode: decode cancelled while running');
    // Stopped, not finished: the answer came well before the rest of the decode could have run.
    expect(stopped!.afterAbortMs).toBeLessThan(fullMs / 2);

    const again = await decodeInPage(page);
    expect(Buffer.from(again.imageU8).equals(Buffer.from(reference))).toBe(true);
  });

  test('an aborted decode still queued behind another is dropped without running; the other completes', async () => {
    const outcome = await page.evaluate(async () => {
      const { client } = (globalThis as unknown as WithHarness).tokenflowHarness;
      const controller = new AbortController();
      const first = client.decode();
      const second = client.decode(undefined, { signal: controller.signal }).then(
        () => 'done',
        (e: Error) => `${e.name}: ${e.message}`,
      );
      controller.abort();
      const done = await first;
      return { second: await second, firstBytes: done.imageU8.length };
    });
    expect(outcome.second).toBe('AbortError: decode: decode cancelled before it started');
    expect(outcome.firstBytes).toBe(reference.length);
  });
});

const PAGE_TITLE =
  'on the page, a photo dropped while the previous one decodes replaces it without an error; ' +
  'the depth strip yields and resumes';

test(PAGE_TITLE, async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`/?model=${packageUrl(FIXTURE)}&backend=wasm`);
    await expect(page.getByTestId('model-card')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
    const recon = page.getByTestId('recon');
    await dropFile(page, EXAMPLE_FILE('astronaut'), 'astronaut.png');
    await expect(recon).toHaveAttribute('data-phase', 'running', { timeout: 90_000 });
    const astronautTokens = await page.getByTestId('token-grid').getAttribute('data-indices');
    await dropFile(page, EXAMPLE_FILE('coffee'), 'coffee.png');
    await expect(page.getByTestId('token-grid')).not.toHaveAttribute('data-indices', astronautTokens ?? '', {
      timeout: 90_000,
    });
    await expect(recon).toHaveAttribute('data-phase', 'done', { timeout: 90_000 });
    await expect(recon.getByTestId('metrics')).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);

    // The depth strip (asked for: this decoder is too slow to fill it unasked) yields its decode
    // under way to a depth the user picks, and then resumes to the end instead of giving up.
    const strip = page.getByTestId('depth-strip');
    await strip.getByRole('button', { name: 'Decode every depth' }).click();
    await expect
      .poll(async () => Number(await strip.getAttribute('data-decoded')), { timeout: 90_000 })
      .toBeGreaterThanOrEqual(3);
    await strip.locator('button[data-k="3"]').click();
    await expect(recon).toHaveAttribute('data-scales-used', '3', { timeout: 90_000 });
    await expect(recon).toHaveAttribute('data-phase', 'done', { timeout: 90_000 });
    const depths = (await strip.locator('button[data-k]').count()).toString();
    await expect(strip).toHaveAttribute('data-decoded', depths, { timeout: 150_000 });
    await expect(page.getByRole('alert')).toHaveCount(0);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
});
