import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { psnrU8 } from '../src/core/metrics/psnr.ts';
import { reconstructImage } from '../src/core/pipeline/tokenflow-pipeline.ts';
import { decodeImageFile } from '../src/node/image-io.ts';
import { loadModelFromDir } from '../src/node/package-dir-reader.ts';
import { TINY_CONFIG } from './tiny-config.ts';

const PACKAGE_DIR = join(import.meta.dirname, '..', 'public', 'models', 'default');
/**
 * A scikit-image photo, never trained on, shipped as a page example. The bar is the one the
 * model card's held-out set must clear on average (21 dB); this photo guards it in every test run,
 * e2e/embedded-model.spec.ts does the same in the browser.
 */
const HELD_OUT_PHOTO = join(import.meta.dirname, '..', 'public', 'examples', 'chelsea.png');
const MIN_PSNR_DB = 21;

describe('embedded default model (public/models/default)', () => {
  it('is a model package the Node runtime loads, labelled as our CPU-trained model, at the geometry it was trained at', async () => {
    const { manifest } = await loadModelFromDir(PACKAGE_DIR);
    expect(manifest.name).toContain('not the released model');
    expect(manifest.inputSize).toBe(TINY_CONFIG.inputSize);
    expect([...manifest.scales]).toEqual([...TINY_CONFIG.scales]);
    expect(manifest.numTokens).toBe(817);
  });

  it('reconstructs a held-out photo above the PSNR bar', async () => {
    const model = await loadModelFromDir(PACKAGE_DIR);
    const r = await reconstructImage(model, await decodeImageFile(HELD_OUT_PHOTO));
    expect(psnrU8(r.inputU8, r.imageU8)).toBeGreaterThanOrEqual(MIN_PSNR_DB);
  });
});
