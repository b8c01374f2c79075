/**
 * The browser's CPU quantizer on wasm (the code search as an onnxruntime-web helper graph,
 * graph-nearest-codes.ts) against the JS reference quantizer run here in Node on the same
 * encoder features and the package's own codebooks: every index, margin, top-k candidate and
 * f̂ must be identical, since both end in the same float64 arithmetic.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { concatFeatures } from '../src/core/pipeline/tokenflow-pipeline.ts';
import { quantizeMultiscale, type Codebooks } from '../src/core/quantizer/index.ts';
import { decodeImageFile } from '../src/node/image-io.ts';
import { fixturePath } from '../src/test-support/fixtures.ts';
import { e2ePackageDir } from './runtime/package-set.ts';
import { clearCacheInPage, encodeInPage, loadModelInPage, openRuntimeHarness } from './support/runtime-client.ts';

const FIXTURE = 'clip-256-enhanced';

test(`${FIXTURE} on wasm: the quantizer's onnxruntime-web code search gives exactly the JS reference's tokens, margins and top-k`, async ({
  page,
}) => {
  await openRuntimeHarness(page);
  await clearCacheInPage(page);
  const loaded = await loadModelInPage(page, FIXTURE, 'wasm');
  expect(loaded.quantizer).toBe('cpu');
  const m = loaded.manifest;
  const f32 = (file: string) => {
    const b = readFileSync(join(e2ePackageDir(FIXTURE), file));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  const codebooks: Codebooks = {
    size: m.codebookSize,
    semanticDim: m.semanticCodeDim,
    pixelDim: m.pixelCodeDim,
    semantic: f32(m.codebooks.semantic.file),
    pixel: f32(m.codebooks.pixel.file),
  };

  for (const [topK, weights] of [
    [0, undefined],
    [5, { semantic: 0.5, pixel: 2 }],
  ] as const) {
    const enc = await encodeInPage(page, await decodeImageFile(fixturePath(FIXTURE, 'astronaut', 'source.png')), {
      topK,
      weights,
    });
    expect(enc.quantizer).toBe('cpu');
    const h = concatFeatures(enc.semanticFeatures, enc.pixelFeatures);
    const want = quantizeMultiscale(h, m.gridSize, m.scales, codebooks, { topK, weights });
    const got = enc.quantization;
    for (const key of [
      'indices',
      'indicesSemanticOnly',
      'indicesPixelOnly',
      'margin',
      'marginSemantic',
      'marginPixel',
      'fHat',
      'quantInput',
    ] as const) {
      expect([...got[key]], `${key} (top-${topK})`).toEqual([...want[key]]);
    }
    for (const key of ['indices', 'distance', 'semanticDistance', 'pixelDistance'] as const) {
      expect([...got.candidates[key]], `candidates.${key} (top-${topK})`).toEqual([...want.candidates[key]]);
    }
    console.info(
      `${FIXTURE} top-${topK}: ${got.indices.length} tokens identical; wasm quantizer ${enc.timings.quantizerMs.toFixed(0)} ms`,
    );
  }
});
