/** The graph code search runs on onnxruntime-node here, so this test of a core module lives on the Node side. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrtNodeHelper } from './ort-node-runner.ts';
import { fixtureImages, FIXTURE_NAMES } from '../test-support/fixtures.ts';
import { randomArray } from '../test-support/random.ts';
import { createCodebooks, type Codebooks } from '../core/quantizer/codebook.ts';
import { createGraphCodeSearch, type GraphCodeSearch } from '../core/quantizer/graph-nearest-codes.ts';
import { quantizeMultiscale, quantizeMultiscaleWith } from '../core/quantizer/multiscale.ts';
import { nearestCodes, type DistanceWeights, type NearestCodes } from '../core/quantizer/nearest-codes.ts';
import { fixtureConfig, fixtureFeatures, loadFixtureCodebooks } from '../test-support/quantizer-fixtures.ts';

const openHelper = (model: Uint8Array) => openOrtNodeHelper(model, { intraOpNumThreads: 1 });

/** Every field of two searches, compared exactly: the re-ranking uses the reference's arithmetic. */
function expectSameChoices(
  got: NearestCodes | Omit<NearestCodes, 'count'>,
  want: NearestCodes | Omit<NearestCodes, 'count'>,
): void {
  expect(got.indices).toEqual(want.indices);
  expect(got.indicesSemanticOnly).toEqual(want.indicesSemanticOnly);
  expect(got.indicesPixelOnly).toEqual(want.indicesPixelOnly);
  expect(got.margin).toEqual(want.margin);
  expect(got.marginSemantic).toEqual(want.marginSemantic);
  expect(got.marginPixel).toEqual(want.marginPixel);
  expect(got.candidates).toEqual(want.candidates);
}

/**
 * Codebooks with the cases a float32 ranking gets wrong unless re-ranked: exact duplicate rows
 * (ties the reference breaks by index), an all-zero row (distance ‖ẑ‖², not the dot-product
 * shortcut's) and rows a hair apart.
 */
function awkwardCodebooks(K: number): Codebooks {
  const sem = randomArray(K * 32, 11);
  const pix = randomArray(K * 8, 12);
  sem.copyWithin(7 * 32, 3 * 32, 4 * 32); // semantic row 7 = row 3
  pix.copyWithin(9 * 8, 2 * 8, 3 * 8); // pixel row 9 = row 2
  sem.fill(0, 20 * 32, 21 * 32); // an all-zero semantic row
  pix.fill(0, 21 * 8, 22 * 8);
  for (let j = 0; j < 32; j++) sem[30 * 32 + j] = sem[31 * 32 + j] * (1 + 1e-7 * (j % 3));
  return createCodebooks(sem, 32, pix, 8);
}

/** Queries: random rows, plus rows equal to (duplicated) code rows so exact ties decide. */
function queriesFor(codebooks: Codebooks, count: number): Float32Array {
  const q = randomArray(count * 40, 13);
  for (const [row, code] of [
    [0, 3],
    [1, 7],
    [2, 30],
  ]) {
    q.set(codebooks.semantic.subarray(code * 32, code * 32 + 32), row * 40);
    q.set(codebooks.pixel.subarray(2 * 8, 3 * 8), row * 40 + 32);
  }
  return q;
}

describe('nearest codes on onnxruntime (graph + float64 re-ranking) equal the CPU reference', () => {
  let codebooks: Codebooks;
  let search: GraphCodeSearch;
  beforeAll(async () => {
    codebooks = awkwardCodebooks(2048);
    search = await createGraphCodeSearch(codebooks, openHelper);
  });
  afterAll(() => search.release());

  const weightings: DistanceWeights[] = [
    { semantic: 1, pixel: 1 },
    { semantic: 0.3, pixel: 2.5 },
    { semantic: 0, pixel: 1 },
  ];
  for (const weights of weightings) {
    for (const topK of [0, 1, 9]) {
      it(`weights ${weights.semantic}:${weights.pixel}, top-${topK}`, async () => {
        const queries = queriesFor(codebooks, 37);
        expectSameChoices(
          await search.nearest(queries, { weights, topK }),
          nearestCodes(queries, codebooks, { weights, topK }),
        );
      });
    }
  }

  it('codebooks smaller than the proposals it asks for (K = 1 and K = 4 with top-4)', async () => {
    for (const [K, topK] of [
      [1, 1],
      [4, 4],
    ]) {
      const small = createCodebooks(randomArray(K * 32, 21), 32, randomArray(K * 8, 22), 8);
      const s = await createGraphCodeSearch(small, openHelper);
      try {
        const queries = randomArray(5 * 40, 23);
        const got = await s.nearest(queries, { topK });
        expectSameChoices(got, nearestCodes(queries, small, { topK }));
        if (K === 1) expect([...got.margin]).toEqual([Infinity, Infinity, Infinity, Infinity, Infinity]);
      } finally {
        await s.release();
      }
    }
  });

  it('refuses bad queries and options as the reference does', async () => {
    await expect(search.nearest(new Float32Array(41))).rejects.toThrow(/not a whole number of rows/);
    const nan = new Float32Array(40);
    nan[5] = NaN;
    await expect(search.nearest(nan)).rejects.toThrow(/query row 0 channel 5 is NaN/);
    await expect(search.nearest(new Float32Array(40), { topK: 4096 })).rejects.toThrow(
      /topK must be an integer in \[0, K=2048\]/,
    );
  });

  it('names a proposal outside the codebook instead of indexing past it', async () => {
    const broken = await createGraphCodeSearch(codebooks, async () => ({
      run: async () => {
        const bad = new Int32Array(8).fill(5000);
        return {
          joint_candidates: { data: bad, shape: [1, 8] },
          semantic_candidates: { data: bad, shape: [1, 8] },
          pixel_candidates: { data: bad, shape: [1, 8] },
        };
      },
      release: async () => undefined,
    }));
    await expect(broken.nearest(queriesFor(codebooks, 3).subarray(0, 40))).rejects.toThrow(
      /proposed code 5000, outside \[0, 2048\)/,
    );
  });
});

describe('the multi-scale quantizer with the onnxruntime search equals the CPU reference on the fixtures', () => {
  for (const name of FIXTURE_NAMES) {
    it(name, async () => {
      const codebooks = await loadFixtureCodebooks(name);
      const search = await createGraphCodeSearch(codebooks, openHelper);
      try {
        const { S, scales } = fixtureConfig(name);
        for (const image of fixtureImages(name)) {
          const h = fixtureFeatures(name, image);
          const got = await quantizeMultiscaleWith((rows, o) => search.nearest(rows, o), h, S, scales, codebooks, {
            topK: 4,
          });
          const want = quantizeMultiscale(h, S, scales, codebooks, { topK: 4 });
          expectSameChoices(got, want);
          expect(got.fHat).toEqual(want.fHat);
          expect(got.quantInput).toEqual(want.quantInput);
        }
      } finally {
        await search.release();
      }
    });
  }
});
