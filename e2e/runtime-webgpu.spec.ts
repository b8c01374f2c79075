/**
 * The browser runtime on WebGPU through SwiftShader (a CPU adapter), in the production build.
 * SwiftShader runs the convolutional pixel graphs of even the smallest fixture in minutes
 * (measured: pixel encoder ~50 s, decoder ~100 s for clip-224), so the WebGPU runs here put
 * the semantic encoder on the WebGPU execution provider with the GPU quantizer and keep the
 * pixel graphs on wasm (`wasmGraphs`); loading all three graphs on WebGPU is checked separately.
 */
import { expect, test } from '@playwright/test';
import type { GraphName } from '../src/core/model-package/manifest.ts';
import { reconstructImage } from '../src/core/pipeline/tokenflow-pipeline.ts';
import { decodeImageFile } from '../src/node/image-io.ts';
import { loadModelFromDir } from '../src/node/package-dir-reader.ts';
import { fixturePath } from '../src/test-support/fixtures.ts';
import { expectMatchesFixture, expectMatchesNode, timingLine } from './support/fixture-compare.ts';
import { e2ePackageDir } from './runtime/package-set.ts';
import {
  decodeInPage,
  encodeInPage,
  eventsInPage,
  loadModelInPage,
  loseDeviceInPage,
  openRuntimeHarness,
  releaseInPage,
  waitForEventInPage,
} from './support/runtime-client.ts';

test.setTimeout(240_000);

const PIXEL_GRAPHS_ON_WASM: readonly GraphName[] = ['pixelEncoder', 'pixelDecoder'];
const HYBRID = { semanticEncoder: 'webgpu', pixelEncoder: 'wasm', pixelDecoder: 'wasm' };

test.describe('WebGPU backend on SwiftShader, production build', () => {
  test("'auto' on SwiftShader chooses wasm because the only adapter is a software one, and says WebGPU can be forced", async ({
    page,
  }) => {
    await openRuntimeHarness(page);
    const loaded = await loadModelInPage(page, 'clip-224', 'auto');
    expect(loaded.choice).toMatchObject({ backend: 'wasm', requested: 'auto', reason: 'software-adapter' });
    expect(loaded.choice.adapter).toMatchObject({ architecture: 'swiftshader', isFallbackAdapter: true });
    expect(loaded.choice.message).toMatch(/software one \(google swiftshader\).*Choose WebGPU to use it anyway/);
    expect(loaded.quantizer).toBe('cpu');
    const chosen = (await eventsInPage(page)).filter((e) => e.type === 'backend-chosen');
    expect(chosen).toEqual([{ type: 'backend-chosen', choice: loaded.choice }]);
  });

  const forcedTitle =
    'clip-224/astronaut forced to WebGPU: semantic encoder on the WebGPU EP and the GPU quantizer ' +
    '(pixel graphs on wasm) match the official code';
  test(forcedTitle, async ({ page }) => {
    await openRuntimeHarness(page);
    const loaded = await loadModelInPage(page, 'clip-224', 'webgpu', { wasmGraphs: PIXEL_GRAPHS_ON_WASM });
    expect(loaded.choice).toMatchObject({ backend: 'webgpu', reason: 'webgpu-requested' });
    expect(loaded.placement).toEqual(HYBRID);
    expect(loaded.quantizer).toBe('gpu');
    const source = await decodeImageFile(fixturePath('clip-224', 'astronaut', 'source.png'));
    const enc = await encodeInPage(page, source);
    const dec = await decodeInPage(page);
    expect(enc).toMatchObject({ backend: 'webgpu', quantizer: 'gpu' });
    console.info(
      `${expectMatchesFixture('clip-224/astronaut webgpu', 'clip-224', 'astronaut', enc, dec)}\n  ${timingLine(enc, dec)}`,
    );
  });

  const fp16Title =
    'fp16 weights + external data (clip-224): all three graphs load as WebGPU sessions; ' +
    'wasm (full pipeline) and WebGPU (semantic encoder + GPU quantizer) match onnxruntime-node on the same package';
  test(fp16Title, async ({ page }) => {
    const id = 'clip-224-fp16-external';
    const source = await decodeImageFile(fixturePath('clip-224', 'astronaut', 'source.png'));
    const nodeModel = await loadModelFromDir(e2ePackageDir(id));
    const ref = await reconstructImage(nodeModel, source).finally(() => nodeModel.runner.release());
    expect(nodeModel.manifest.precision).toBe('fp16');
    expect(nodeModel.manifest.graphs.pixelDecoder.externalData).toEqual(['pixel_decoder.onnx.data']);

    await openRuntimeHarness(page);
    const all = await loadModelInPage(page, id, 'webgpu');
    expect(all.placement).toEqual({ semanticEncoder: 'webgpu', pixelEncoder: 'webgpu', pixelDecoder: 'webgpu' });
    expect(await releaseInPage(page)).toEqual({ released: true });

    const report: string[] = [];
    for (const [backend, wasmGraphs] of [
      ['webgpu', PIXEL_GRAPHS_ON_WASM],
      ['wasm', []],
    ] as const) {
      const loaded = await loadModelInPage(page, id, backend, { wasmGraphs });
      expect(loaded.choice.backend).toBe(backend);
      const enc = await encodeInPage(page, source);
      const dec = await decodeInPage(page);
      report.push(expectMatchesNode(`${id}/astronaut ${loaded.runtime} vs onnxruntime-node`, ref, enc, dec));
    }
    console.info(report.join('\n'));
  });

  const deviceLossTitle =
    'device loss after a WebGPU encode: backend-switched to wasm with the reason, ' +
    'the kept encode decodes on wasm to the official image, and the next encode runs on wasm with the same tokens';
  test(deviceLossTitle, async ({ page }) => {
    await openRuntimeHarness(page);
    await loadModelInPage(page, 'clip-224', 'webgpu', { wasmGraphs: PIXEL_GRAPHS_ON_WASM });
    const source = await decodeImageFile(fixturePath('clip-224', 'astronaut', 'source.png'));
    const enc = await encodeInPage(page, source);
    expect(enc).toMatchObject({ backend: 'webgpu', quantizer: 'gpu' });

    expect(await loseDeviceInPage(page)).toEqual({ destroyed: true });
    const switched = await waitForEventInPage(page, 'backend-switched');
    expect(switched).toMatchObject({
      from: 'webgpu',
      choice: { backend: 'wasm', requested: 'webgpu', reason: 'device-lost' },
    });
    expect(switched.choice.message).toMatch(/GPU device was lost \(.+\).*Your image and results are kept/);

    // The decode needs the encode kept in the worker and sessions rebuilt on wasm.
    const dec = await decodeInPage(page);
    expect(dec.backend).toBe('wasm');
    console.info(
      expectMatchesFixture(
        'clip-224/astronaut encoded on webgpu, decoded on wasm after device loss',
        'clip-224',
        'astronaut',
        enc,
        dec,
      ),
    );

    const again = await encodeInPage(page, source);
    expect(again).toMatchObject({ backend: 'wasm', quantizer: 'cpu' });
    expect(Array.from(again.quantization.indices)).toEqual(Array.from(enc.quantization.indices));
  });
});
