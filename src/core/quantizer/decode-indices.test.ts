import { describe, expect, it } from 'vitest';
import { describeEachFixtureModel } from '../../test-support/each-fixture-model.ts';
import { fixtureImages } from '../../test-support/fixtures.ts';
import type { Codebooks } from './codebook.ts';
import { decodeIndices } from './decode-indices.ts';
import { quantizeMultiscale } from './multiscale.ts';
import {
  fixtureConfig,
  fixtureF32,
  fixtureFeatures,
  fixtureI32,
  loadFixtureCodebooks,
  maxAbsDiffAt,
} from '../../test-support/quantizer-fixtures.ts';

describe('decodeIndices against the official decode_code', () => {
  describeEachFixtureModel((name, codebooks) => {
    for (const image of fixtureImages(name)) {
      it(image, () => {
        const { S, scales } = fixtureConfig(name);
        const fHat = decodeIndices(fixtureI32(name, image, 'indices'), scales, S, codebooks());
        const d = maxAbsDiffAt(fHat, fixtureF32(name, image, 'f_hat_from_indices'));
        expect(d.max, `f_hat_from_indices differs most at element ${d.at}`).toBeLessThan(1e-5);
      });
    }

    it('a prefix of the tokens decodes like scalesUsed on the full sequence', () => {
      const { S, scales } = fixtureConfig(name);
      const indices = fixtureI32(name, 'astronaut', 'indices');
      const prefix = indices.subarray(0, 1 + 4 + (scales[2] ?? 0) ** 2);
      expect(decodeIndices(prefix, scales, S, codebooks())).toEqual(
        decodeIndices(indices, scales, S, codebooks(), { scalesUsed: 3 }),
      );
    });
  });

  it('encode-side f̂ equals the decode of its own indices (siglip-384/coffee)', async () => {
    const codebooks = await loadFixtureCodebooks('siglip-384');
    const { S, scales } = fixtureConfig('siglip-384');
    const r = quantizeMultiscale(fixtureFeatures('siglip-384', 'coffee'), S, scales, codebooks);
    // Both sum the same exact rows through the same operators: identical, not just close.
    expect(decodeIndices(r.indices, scales, S, codebooks)).toEqual(r.fHat);
  });
});

describe('decodeIndices', () => {
  // K = 3 codes of Ds = 1, Dp = 1; scales [1, 2] over S = 2 → 1 + 4 tokens.
  const codebooks: Codebooks = {
    size: 3,
    semanticDim: 1,
    pixelDim: 1,
    semantic: Float32Array.from([1, -1, 1]),
    pixel: Float32Array.from([1, 1, -1]),
  };
  const scales = [1, 2];

  it('rebuilds f̂ as the sum of upsampled code rows', () => {
    // Scale 1 gives a constant map of code 0; scale 2 (= S) adds each code unchanged.
    const fHat = decodeIndices([0, 0, 1, 2, 0], scales, 2, codebooks);
    expect(Array.from(fHat)).toEqual([2, 0, 2, 2, /* pixel */ 2, 2, 0, 2]);
  });

  it('scalesUsed 0 gives f̂ = 0 and scalesUsed 1 only the coarse scale', () => {
    expect(Array.from(decodeIndices([0, 0, 1, 2, 0], scales, 2, codebooks, { scalesUsed: 0 }))).toEqual(
      new Array(8).fill(0),
    );
    expect(Array.from(decodeIndices([1, 0, 1, 2, 0], scales, 2, codebooks, { scalesUsed: 1 }))).toEqual([
      -1, -1, -1, -1, 1, 1, 1, 1,
    ]);
  });

  it('rejects an index outside [0, K), naming value, token and position', () => {
    expect(() => decodeIndices([0, 0, 1, 3, 0], scales, 2, codebooks)).toThrow(
      /index 3 at token 3 \(scale 2, row 1, column 0\) is outside \[0, K=3\)/,
    );
    expect(() => decodeIndices([-1, 0, 1, 2, 0], scales, 2, codebooks)).toThrow(/index -1 at token 0 \(scale 1/);
    expect(() => decodeIndices([0, 0.5, 1, 2, 0], scales, 2, codebooks)).toThrow(/index 0.5 at token 1/);
  });

  it('rejects a token count that is not a prefix sum of s²', () => {
    expect(() => decodeIndices([0, 0, 1], scales, 2, codebooks)).toThrow(
      /3 indices is not a whole number of scales; expected one of 1, 5/,
    );
    expect(() => decodeIndices([], scales, 2, codebooks)).toThrow(/0 indices/);
  });

  it('rejects scalesUsed beyond what the indices cover', () => {
    expect(() => decodeIndices([0], scales, 2, codebooks, { scalesUsed: 2 })).toThrow(
      /scalesUsed must be an integer in \[0, 1\].*got 2/,
    );
  });
});
