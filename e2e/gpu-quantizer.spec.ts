/**
 * The WGSL quantizer (src/runtime/gpu/) in headless Chromium on SwiftShader, against the CPU
 * reference (quantizeMultiscale, run here in Node) and the official fixtures. Inputs are read in
 * Node and sent to the harness page served by Vite's dev server; SwiftShader is slow, so the
 * cases are the small fixtures and small random codebooks (see each test's name for coverage).
 */
import { expect, test, type Page } from '@playwright/test';
import { harnessPort } from '../playwright.config.ts';
import {
  createCodebooks,
  quantizeMultiscale,
  type Codebooks,
  type DistanceWeights,
  type MultiscaleQuantization,
} from '../src/core/quantizer/index.ts';
import {
  fixtureConfig,
  fixtureF32,
  fixtureFeatures,
  fixtureI32,
  loadFixtureCodebooks,
} from '../src/test-support/quantizer-fixtures.ts';
import type { FixtureImage, FixtureName } from '../src/test-support/fixtures.ts';
import {
  HARNESS_PATH,
  probeInPage,
  quantizeInPage,
  type DecodedRun,
  type QuantizeInput,
} from './support/gpu-quantizer-client.ts';
import { candidateMismatches, indexMismatches } from './support/quantization-compare.ts';
import { maxAbsDiffAt } from '../src/test-support/compare.ts';
import { randomArray } from '../src/test-support/random.ts';

const harnessUrl = `http://127.0.0.1:${harnessPort}${HARNESS_PATH}`;

/** Margins at or below this are near-ties whose winner depends on float32 summation order. */
const TIE_MARGIN = 1e-5;
/** GPU (float32) vs CPU reference (float64 accumulation) on the same input. */
const MARGIN_TOL = 1e-5;
const FEATURE_TOL = 1e-5;
const F_HAT_TOL = 1e-4;
/** Against the official fixtures, whose area/bicubic steps round differently (see multiscale.test.ts). */
const GOLDEN_MARGIN_TOL = 2e-5;

async function openHarness(page: Page): Promise<void> {
  await page.goto(harnessUrl);
  await expect(page.locator('#ready')).toHaveText('harness');
}

/**
 * The simple and the tiled kernel with the same chunking, top-k and weights, on a fresh harness
 * page, beside the CPU reference with the same options.
 */
async function runBothKernels(
  page: Page,
  problem: Omit<QuantizeInput, 'runs'>,
  settings: { readonly codesPerChunk: number; readonly topK: number; readonly weights?: DistanceWeights },
) {
  await openHarness(page);
  const out = await quantizeInPage(page, {
    ...problem,
    runs: [
      { kernel: 'simple', ...settings },
      { kernel: 'tiled', ...settings },
    ],
  });
  const { h, S, scales, codebooks } = problem;
  const ref = quantizeMultiscale(h, S, scales, codebooks, { topK: settings.topK, weights: settings.weights });
  return { out, ref };
}

/** GPU result vs the CPU reference: indices (3 kinds) modulo near-ties, margins, features, candidates. */
function expectMatchesReference(label: string, ref: MultiscaleQuantization, gpu: MultiscaleQuantization): string {
  const report: string[] = [];
  for (const [kind, refIdx, gpuIdx, refMargin, gpuMargin] of [
    ['joint', ref.indices, gpu.indices, ref.margin, gpu.margin],
    ['semantic-only', ref.indicesSemanticOnly, gpu.indicesSemanticOnly, ref.marginSemantic, gpu.marginSemantic],
    ['pixel-only', ref.indicesPixelOnly, gpu.indicesPixelOnly, ref.marginPixel, gpu.marginPixel],
  ] as const) {
    const m = indexMismatches(refIdx, gpuIdx, refMargin, TIE_MARGIN);
    expect(m.clear, `${label}: ${kind} indices differing where the reference margin > ${TIE_MARGIN}`).toEqual([]);
    const d = maxAbsDiffAt(refMargin, gpuMargin);
    expect(d.max, `${label}: ${kind} margin differs most at token ${d.at}`).toBeLessThan(MARGIN_TOL);
    report.push(`${kind}: ${m.nearTie} near-tie mismatches, margin max|Δ| ${d.max.toExponential(1)}`);
  }
  for (const [name, a, b, tol] of [
    ['quantInput', ref.quantInput, gpu.quantInput, FEATURE_TOL],
    ['quantOutput', ref.quantOutput, gpu.quantOutput, FEATURE_TOL],
    ['fHat', ref.fHat, gpu.fHat, F_HAT_TOL],
  ] as const) {
    const d = maxAbsDiffAt(a, b);
    expect(d.max, `${label}: ${name} differs most at element ${d.at}`).toBeLessThan(tol);
    report.push(`${name} max|Δ| ${d.max.toExponential(1)}`);
  }
  if (ref.candidates.k > 0) {
    const c = candidateMismatches(ref.candidates, gpu.candidates, TIE_MARGIN);
    expect(c.clearIndexSlots, `${label}: candidate slots with a different code that is not a near-tie`).toEqual([]);
    expect(
      Math.max(c.maxDistanceDiff, c.maxSemanticDiff, c.maxPixelDiff),
      `${label}: candidate distances`,
    ).toBeLessThan(MARGIN_TOL);
    report.push(
      `top-${ref.candidates.k} distances max|Δ| ${Math.max(c.maxDistanceDiff, c.maxSemanticDiff, c.maxPixelDiff).toExponential(1)}`,
    );
  }
  return `${label}: ${report.join('; ')}`;
}

/** The two kernel variants must agree on every index, near-ties included. */
function expectVariantsAgree(a: DecodedRun, b: DecodedRun): string {
  const label = `${a.kernel}/${a.codesPerChunk} vs ${b.kernel}/${b.codesPerChunk}`;
  expect(Array.from(b.result.indices), `${label}: joint indices`).toEqual(Array.from(a.result.indices));
  expect(Array.from(b.result.indicesSemanticOnly), `${label}: semantic-only indices`).toEqual(
    Array.from(a.result.indicesSemanticOnly),
  );
  expect(Array.from(b.result.indicesPixelOnly), `${label}: pixel-only indices`).toEqual(
    Array.from(a.result.indicesPixelOnly),
  );
  expect(Array.from(b.result.candidates.indices), `${label}: candidate indices`).toEqual(
    Array.from(a.result.candidates.indices),
  );
  const margin = maxAbsDiffAt(a.result.margin, b.result.margin).max;
  const fHat = maxAbsDiffAt(a.result.fHat, b.result.fHat).max;
  return `${label}: indices identical, margin max|Δ| ${margin.toExponential(1)}, f̂ max|Δ| ${fHat.toExponential(1)}`;
}

/** Official indices (all three kinds) where the official margin is clear, and the official f̂. */
function expectMatchesFixture(
  label: string,
  name: FixtureName,
  image: FixtureImage,
  gpu: MultiscaleQuantization,
  tokens: number,
): string {
  const report: string[] = [];
  for (const [tensor, marginTensor, ours] of [
    ['indices', 'margin', gpu.indices],
    ['indices_semantic_only', 'margin_semantic', gpu.indicesSemanticOnly],
    ['indices_pixel_only', 'margin_pixel', gpu.indicesPixelOnly],
  ] as const) {
    const golden = fixtureI32(name, image, tensor).subarray(0, tokens);
    const goldenMargin = fixtureF32(name, image, marginTensor).subarray(0, tokens);
    const m = indexMismatches(golden, ours.subarray(0, tokens), goldenMargin, TIE_MARGIN);
    expect(m.clear, `${label}: official ${tensor} differing where the official margin > ${TIE_MARGIN}`).toEqual([]);
    report.push(`${tensor} ${m.nearTie} near-tie mismatches`);
  }
  const margin = maxAbsDiffAt(fixtureF32(name, image, 'margin').subarray(0, tokens), gpu.margin.subarray(0, tokens));
  expect(margin.max, `${label}: official margin differs most at token ${margin.at}`).toBeLessThan(GOLDEN_MARGIN_TOL);
  report.push(`margin max|Δ| ${margin.max.toExponential(1)}`);
  return `${label} vs official: ${report.join('; ')}`;
}

test.describe('GPU quantizer on SwiftShader WebGPU', () => {
  test('probeWebGpu finds SwiftShader as a fallback adapter with raised storage limits', async ({ page }) => {
    await openHarness(page);
    const probe = await probeInPage(page);
    expect(probe.ok, probe.message).toBe(true);
    expect(probe.hasDevice).toBe(true);
    expect(probe.info?.architecture).toBe('swiftshader');
    expect(probe.info?.isFallbackAdapter).toBe(true);
    expect(probe.info?.features.shaderF16).toBe(false);
    expect(probe.info?.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(1 << 30);
  });

  for (const image of ['astronaut', 'coffee'] as const) {
    const fullRunTitle =
      `clip-224/${image}: full 8-scale run (K=2048, 561 tokens, top-8), ` +
      'simple kernel in 1 chunk and tiled kernel in 4 chunks, vs CPU reference and official fixture';
    test(fullRunTitle, async ({ page }) => {
      const name: FixtureName = 'clip-224';
      const { S, scales, K } = fixtureConfig(name);
      const codebooks = await loadFixtureCodebooks(name);
      expect(codebooks.size).toBe(K);
      const h = fixtureFeatures(name, image);
      const topK = 8;
      await openHarness(page);
      const out = await quantizeInPage(page, {
        codebooks,
        S,
        scales,
        h,
        runs: [{ topK }, { kernel: 'tiled', codesPerChunk: 512, topK }],
      });
      const [simple, tiled] = out.runs;
      // The default for a fallback adapter.
      expect(simple.kernel).toBe('simple');
      expect(tiled.kernel).toBe('tiled');
      expect(tiled.codesPerChunk).toBe(512);

      const ref = quantizeMultiscale(h, S, scales, codebooks, { topK });
      const report = [
        expectMatchesReference(`${name}/${image} simple`, ref, simple.result),
        expectMatchesReference(`${name}/${image} tiled`, ref, tiled.result),
        expectVariantsAgree(simple, tiled),
        expectMatchesFixture(`${name}/${image} simple`, name, image, simple.result, ref.indices.length),
      ];
      for (const [tensor, ours, tol] of [
        ['quant_input', simple.result.quantInput, FEATURE_TOL],
        ['f_hat', simple.result.fHat, F_HAT_TOL],
      ] as const) {
        const d = maxAbsDiffAt(fixtureF32(name, image, tensor), ours);
        expect(d.max, `official ${tensor} differs most at element ${d.at}`).toBeLessThan(tol);
        report.push(`official ${tensor} max|Δ| ${d.max.toExponential(1)}`);
      }
      report.push(
        `GPU ms: simple ${simple.ms[0].toFixed(0)}, tiled ${tiled.ms[0].toFixed(0)} (first run, includes compiling)`,
      );
      console.info(report.join('\n'));
    });
  }

  const siglipRunTitle =
    'siglip-384/astronaut: full 15-scale run (S=27 with uneven area bins, K=4096, 2227 tokens), ' +
    'simple kernel, vs CPU reference and official fixture';
  test(siglipRunTitle, async ({ page }) => {
    const name: FixtureName = 'siglip-384';
    const { S, scales } = fixtureConfig(name);
    const codebooks = await loadFixtureCodebooks(name);
    const h = fixtureFeatures(name, 'astronaut');
    await openHarness(page);
    const out = await quantizeInPage(page, { codebooks, S, scales, h, runs: [{ kernel: 'simple' }] });
    const gpu = out.runs[0].result;
    const ref = quantizeMultiscale(h, S, scales, codebooks);
    expect(ref.indices.length).toBe(2227);
    const report = [
      expectMatchesReference(name, ref, gpu),
      expectMatchesFixture(name, name, 'astronaut', gpu, ref.indices.length),
    ];
    for (const [tensor, ours, tol] of [
      ['quant_input', gpu.quantInput, FEATURE_TOL],
      ['f_hat', gpu.fHat, F_HAT_TOL],
    ] as const) {
      const d = maxAbsDiffAt(fixtureF32(name, 'astronaut', tensor), ours);
      expect(d.max, `official ${tensor} differs most at element ${d.at}`).toBeLessThan(tol);
      report.push(`official ${tensor} max|Δ| ${d.max.toExponential(1)}`);
    }
    report.push(`GPU ${out.runs[0].ms[0].toFixed(0)} ms (first run, includes compiling)`);
    console.info(report.join('\n'));
  });

  test('random codebooks with an all-zero row, weights 0.7:2.5, K=300 in chunks of 128, top-16: both kernels vs CPU reference', async ({
    page,
  }) => {
    const K = 300;
    const rawSemantic = randomArray(K * 32, 11);
    const rawPixel = randomArray(K * 8, 12);
    // F.normalize leaves an all-zero row at zero: d = ‖ẑ‖² per half, which the dot-product shortcut gets wrong.
    const zeroRow = 5;
    rawSemantic.fill(0, zeroRow * 32, (zeroRow + 1) * 32);
    rawPixel.fill(0, zeroRow * 8, (zeroRow + 1) * 8);
    const codebooks = createCodebooks(rawSemantic, 32, rawPixel, 8);
    const S = 10;
    const scales = [1, 2, 3, 5, 7, 10];
    const h = randomArray(40 * S * S, 13);
    const weights: DistanceWeights = { semantic: 0.7, pixel: 2.5 };
    const topK = 16;
    const { out, ref } = await runBothKernels(page, { codebooks, S, scales, h }, { codesPerChunk: 128, topK, weights });
    // The case is only meaningful if the zero row competes: with 32 random dims no code reaches
    // cos 0.5 for many tokens, so the zero row (d_sem = 1, like cos 0.5) wins semantic-only there
    // and sits in most joint candidate lists.
    const zeroRowWins = ref.indicesSemanticOnly.filter((k) => k === zeroRow).length;
    const zeroRowListed = ref.candidates.indices.filter((k) => k === zeroRow).length;
    expect(zeroRowWins).toBeGreaterThan(50);
    expect(zeroRowListed).toBeGreaterThan(100);
    const report = out.runs.map((r) => expectMatchesReference(`random ${r.kernel}/${r.codesPerChunk}`, ref, r.result));
    report.push(expectVariantsAgree(out.runs[0], out.runs[1]));
    report.push(
      `zero row: semantic-only winner at ${zeroRowWins} of ${ref.indices.length} tokens, in ${zeroRowListed} top-${topK} lists`,
    );
    console.info(report.join('\n'));
  });

  const tiesTitle =
    'duplicated codebook rows (K=256, row k+128 = row k) in chunks of 96: ' +
    'exact ties go to the lower index with margin 0 in both kernels';
  test(tiesTitle, async ({ page }) => {
    const half = 128;
    const semantic = randomArray(half * 32, 21);
    const pixel = randomArray(half * 8, 22);
    const twice = (a: Float32Array) => {
      const out = new Float32Array(2 * a.length);
      out.set(a, 0);
      out.set(a, a.length);
      return out;
    };
    const codebooks: Codebooks = createCodebooks(twice(semantic), 32, twice(pixel), 8);
    const S = 6;
    const scales = [1, 2, 3, 6];
    const h = randomArray(40 * S * S, 23);
    const topK = 4;
    // Chunks of 96 put every twin pair in different chunks, and chunk edges off the 64-code tiles.
    const { out, ref } = await runBothKernels(page, { codebooks, S, scales, h }, { codesPerChunk: 96, topK });
    for (const run of out.runs) {
      const r = run.result;
      const label = `${run.kernel}/${run.codesPerChunk}`;
      expect(Array.from(r.indices), `${label}: joint`).toEqual(Array.from(ref.indices));
      expect(Array.from(r.indicesSemanticOnly), `${label}: semantic-only`).toEqual(Array.from(ref.indicesSemanticOnly));
      expect(Array.from(r.indicesPixelOnly), `${label}: pixel-only`).toEqual(Array.from(ref.indicesPixelOnly));
      expect(
        Math.max(...r.indices, ...r.indicesSemanticOnly, ...r.indicesPixelOnly),
        `${label}: a twin above ${half} won`,
      ).toBeLessThan(half);
      for (const margins of [r.margin, r.marginSemantic, r.marginPixel])
        expect(Math.max(...margins), `${label}: tie margins`).toBe(0);
      for (let t = 0; t < ref.indices.length; t++) {
        const c = Array.from(r.candidates.indices.subarray(t * topK, t * topK + topK));
        // Best code, its twin, the runner-up code, its twin.
        expect(c, `${label}: token ${t} candidates`).toEqual([c[0], c[0] + half, c[2], c[2] + half]);
        expect(c[0]).toBe(r.indices[t]);
      }
      expectMatchesReference(label, ref, r);
    }
  });
});

test.describe('GPU quantizer edge cases', () => {
  test('K=1: margins are Infinity like the CPU reference; a NaN feature and topK 17 are rejected, naming the value', async ({
    page,
  }) => {
    const single = createCodebooks(randomArray(32, 31), 32, randomArray(8, 32), 8);
    const S = 4;
    const scales = [1, 2, 4];
    const h = randomArray(40 * S * S, 33);
    await openHarness(page);
    const out = await quantizeInPage(page, {
      codebooks: single,
      S,
      scales,
      h,
      runs: [
        { kernel: 'simple', topK: 1 },
        { kernel: 'tiled', topK: 1 },
      ],
    });
    const ref = quantizeMultiscale(h, S, scales, single, { topK: 1 });
    for (const run of out.runs) {
      expect(Array.from(run.result.margin)).toEqual(Array.from(ref.margin));
      expect(Array.from(run.result.marginPixel).every((m) => m === Infinity)).toBe(true);
      expect(Array.from(run.result.candidates.indices).every((k) => k === 0)).toBe(true);
      expect(maxAbsDiffAt(ref.fHat, run.result.fHat).max).toBeLessThan(F_HAT_TOL);
    }

    const bad = Float32Array.from(h);
    bad[3 * S * S + 1 * S + 2] = NaN;
    await expect(quantizeInPage(page, { codebooks: single, S, scales, h: bad, runs: [{}] })).rejects.toThrow(
      /h\[0,3,1,2\] is NaN/,
    );
    const wide = createCodebooks(randomArray(20 * 32, 34), 32, randomArray(20 * 8, 35), 8);
    await expect(quantizeInPage(page, { codebooks: wide, S, scales, h, runs: [{ topK: 17 }] })).rejects.toThrow(
      /topK must be an integer in \[0, 16\].*got 17/,
    );
  });
});
