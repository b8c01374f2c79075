/**
 * The page's own image decoder (src/ui/image/decode-image.ts, imported unchanged into the
 * harness page by Vite's dev server) against Pillow on every fixture of fixtures/jpeg-decode:
 * the decoded pixels and the official 256 px crop, byte for byte. EXIF orientation: the stored
 * pixels by default, as the official code; turned when asked.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { harnessPort } from '../playwright.config.ts';
import { centerCropArr } from '../src/core/image/center-crop.ts';
import { u8Diff } from '../src/test-support/compare.ts';
import { jpegFixtureBytes, jpegFixtures } from '../src/test-support/jpeg-fixtures.ts';

const harnessUrl = `http://127.0.0.1:${harnessPort}/e2e/harness/index.html`;
/** Served by Vite's dev server, which compiles the TypeScript on request: the page's module itself. */
const DECODER_MODULE = '/src/ui/image/decode-image.ts';

interface PageDecode {
  readonly width: number;
  readonly height: number;
  readonly rgb: string;
  readonly orientation?: { exif: number; applied: boolean };
}

async function decodeInPage(
  page: Page,
  jpeg: Uint8Array,
  name: string,
  applyOrientation: boolean,
): Promise<PageDecode> {
  return page.evaluate(
    async ({ module, b64, name, applyOrientation }) => {
      const { decodeImageFile } = (await import(module)) as typeof import('../src/ui/image/decode-image.ts');
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const decoded = await decodeImageFile(new Blob([bytes], { type: 'image/jpeg' }), name, { applyOrientation });
      decoded.preview.close();
      let binary = '';
      const data = decoded.image.data;
      for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
      return {
        width: decoded.image.width,
        height: decoded.image.height,
        rgb: btoa(binary),
        ...(decoded.orientation ? { orientation: decoded.orientation } : {}),
      };
    },
    { module: DECODER_MODULE, b64: Buffer.from(jpeg).toString('base64'), name, applyOrientation },
  );
}

function differing(a: Uint8Array, b: Uint8Array): string {
  return a.length === b.length ? String(u8Diff(a, b).differing) : `all (${a.length} vs ${b.length} bytes)`;
}

test('every JPEG fixture decodes in the page to Pillow’s pixels and the official crop, byte for byte', async ({
  page,
}) => {
  await page.goto(harnessUrl);
  await expect(page.locator('#ready')).toHaveText('harness');
  const report: string[] = [];
  for (const f of jpegFixtures()) {
    const got = await decodeInPage(page, new Uint8Array(readFileSync(f.jpegPath)), `${f.name}.jpg`, false);
    const rgb = new Uint8Array(Buffer.from(got.rgb, 'base64'));
    const [h, w] = f.decoded.shape;
    const crop = centerCropArr({ width: got.width, height: got.height, data: rgb }, 256).image.data;
    report.push(
      `${f.name}: ${got.width}x${got.height} (want ${w}x${h}), ` +
        `${differing(rgb, jpegFixtureBytes(f.decoded))} pixels bytes differ, crop ${differing(crop, jpegFixtureBytes(f.crop256))}`,
    );
  }
  expect(report).toEqual(
    jpegFixtures().map(
      (f) =>
        `${f.name}: ${f.decoded.shape[1]}x${f.decoded.shape[0]} ` +
        `(want ${f.decoded.shape[1]}x${f.decoded.shape[0]}), 0 pixels bytes differ, crop 0`,
    ),
  );
});

test('a phone photo with EXIF orientation 6: stored pixels by default, turned when asked, and says which', async ({
  page,
}) => {
  await page.goto(harnessUrl);
  const f = jpegFixtures().find((x) => x.name.includes('orientation'))!;
  const jpeg = new Uint8Array(readFileSync(f.jpegPath));
  const stored = await decodeInPage(page, jpeg, 'phone.jpg', false);
  expect([stored.width, stored.height, stored.orientation]).toEqual([600, 400, { exif: 6, applied: false }]);
  const turned = await decodeInPage(page, jpeg, 'phone.jpg', true);
  expect([turned.width, turned.height, turned.orientation]).toEqual([400, 600, { exif: 6, applied: true }]);
  // Turned 90° clockwise: the turned image's top row is the stored image's first column, bottom to top.
  const s = new Uint8Array(Buffer.from(stored.rgb, 'base64'));
  const t = new Uint8Array(Buffer.from(turned.rgb, 'base64'));
  let far = 0;
  for (let x = 0; x < 400; x++) {
    for (let c = 0; c < 3; c++) far = Math.max(far, Math.abs(t[x * 3 + c] - s[(399 - x) * 600 * 3 + c]));
  }
  expect(far).toBe(0);
});
