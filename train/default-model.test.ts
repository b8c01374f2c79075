import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { psnrU8 } from '../src/core/metrics/psnr.ts';
import { reconstructImage } from '../src/core/pipeline/tokenflow-pipeline.ts';
import { decodeImageFile } from '../src/node/image-io.ts';
import { loadModelFromDir } from '../src/node/package-dir-reader.ts';
import { fixturePath, fixturesAvailable } from '../src/test-support/fixtures.ts';

const PACKAGE_DIR = join(import.meta.dirname, '..', 'public', 'models', 'default');
/** Held out from training (a scikit-image photo); the fixtures keep a copy. */
const PHOTO = fixturesAvailable() ? fixturePath('clip-256-enhanced', 'astronaut', 'source.png') : '';
/** The shipped model measured 12.9 dB here (MODEL_CARD.md; the bar we aimed for, 21 dB, is not met): this guards against regressions. */
const MIN_PSNR_DB = 12;

describe('embedded default model (public/models/default)', () => {
  it('is a model package the Node runtime loads, labelled as our CPU-trained model', async () => {
    const model = await loadModelFromDir(PACKAGE_DIR);
    expect(model.manifest.name).toContain('not the released model');
    expect(model.manifest.inputSize).toBe(256);
    expect(model.manifest.numTokens).toBe(817);
  });

  it.runIf(PHOTO !== '' && existsSync(PHOTO))('reconstructs a held-out photo above the PSNR bar', async () => {
    const model = await loadModelFromDir(PACKAGE_DIR);
    const r = await reconstructImage(model, await decodeImageFile(PHOTO));
    expect(psnrU8(r.inputU8, r.imageU8)).toBeGreaterThan(MIN_PSNR_DB);
  });
});
