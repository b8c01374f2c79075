/**
 * Browser results against the official fixtures or against onnxruntime-node on the same
 * package, with the project's tolerances (fixtures/official/README.md): indices equal wherever
 * the reference margin > 1e-5, f̂ within 1e-4, image_u8 within ±1 on at most 0.1% of values.
 * Each returns one line of figures for the test log.
 */
import { expect } from '@playwright/test';
import type { ReconstructResult } from '../../src/core/pipeline/tokenflow-pipeline.ts';
import type { DecodeResult, EncodeResult } from '../../src/runtime/worker/messages.ts';
import { indexAgreement, maxAbsDiff, u8Diff } from '../../src/test-support/compare.ts';
import { requireFixtureTensor, type FixtureImage, type FixtureName } from '../../src/test-support/fixtures.ts';

export const TIE_MARGIN = 1e-5;
const FEATURE_TOL = 1e-4;
const F_HAT_TOL = 1e-4;
const DECODER_TOL = 1e-3;
const U8_FRACTION = 0.001;

/** What a comparison needs: reference tensors under the fixtures' names. */
interface Reference {
  readonly get: (tensor: string) => Float32Array | Int32Array | Uint8Array;
}

function fixtureReference(name: FixtureName, image: FixtureImage): Reference {
  return { get: (tensor) => requireFixtureTensor(name, image, tensor).data };
}

function nodeReference(r: ReconstructResult): Reference {
  const q = r.quantization;
  const tensors: Record<string, Float32Array | Int32Array | Uint8Array> = {
    input_u8: r.inputU8,
    semantic_features: r.semanticFeatures,
    pixel_features: r.pixelFeatures,
    indices: q.indices,
    indices_semantic_only: q.indicesSemanticOnly,
    indices_pixel_only: q.indicesPixelOnly,
    margin: q.margin,
    margin_semantic: q.marginSemantic,
    margin_pixel: q.marginPixel,
    f_hat: q.fHat,
    image: r.image,
    image_u8: r.imageU8,
  };
  return { get: (tensor) => tensors[tensor] };
}

function compare(label: string, ref: Reference, enc: EncodeResult, dec: DecodeResult): string {
  const report: string[] = [];
  const crop = u8Diff(enc.crop.image.data, ref.get('input_u8') as Uint8Array);
  expect(crop.maxDiff, `${label}: input_u8 ${JSON.stringify(crop)}`).toBeLessThanOrEqual(1);
  expect(crop.fraction, `${label}: input_u8 ${JSON.stringify(crop)}`).toBeLessThanOrEqual(U8_FRACTION);

  for (const [tensor, ours] of [
    ['semantic_features', enc.semanticFeatures],
    ['pixel_features', enc.pixelFeatures],
  ] as const) {
    const d = maxAbsDiff(ours, ref.get(tensor));
    expect(d, `${label}: ${tensor}`).toBeLessThan(FEATURE_TOL);
    report.push(`${tensor} ${d.toExponential(1)}`);
  }
  const q = enc.quantization;
  for (const [tensor, marginTensor, ours] of [
    ['indices', 'margin', q.indices],
    ['indices_semantic_only', 'margin_semantic', q.indicesSemanticOnly],
    ['indices_pixel_only', 'margin_pixel', q.indicesPixelOnly],
  ] as const) {
    const a = indexAgreement(ours, ref.get(tensor) as Int32Array, ref.get(marginTensor) as Float32Array, TIE_MARGIN);
    expect(
      a.mismatchesDecided,
      `${label}: ${tensor} differing where the reference margin > ${TIE_MARGIN}: ${JSON.stringify(a)}`,
    ).toBe(0);
    expect(a.decided, `${label}: ${tensor}: too few decided tokens to mean anything`).toBeGreaterThan(
      ours.length * 0.95,
    );
    report.push(`${tensor} ${a.decided}/${ours.length} decided, ${a.mismatchesAtTies} tie flips`);
  }
  const fHat = maxAbsDiff(q.fHat, ref.get('f_hat'));
  expect(fHat, `${label}: f̂`).toBeLessThan(F_HAT_TOL);
  expect(maxAbsDiff(dec.fHat, q.fHat), `${label}: the decoded f̂ is the encode's`).toBe(0);
  const image = maxAbsDiff(dec.image, ref.get('image'));
  expect(image, `${label}: decoder output`).toBeLessThan(DECODER_TOL);
  const u8 = u8Diff(dec.imageU8, ref.get('image_u8') as Uint8Array);
  expect(u8.maxDiff, `${label}: image_u8 ${JSON.stringify(u8)}`).toBeLessThanOrEqual(1);
  expect(u8.fraction, `${label}: image_u8 ${JSON.stringify(u8)}`).toBeLessThanOrEqual(U8_FRACTION);
  report.push(`f̂ ${fHat.toExponential(1)}`, `image ${image.toExponential(1)}`, `image_u8 ${u8.differing} values ±1`);
  return `${label}: ${report.join(', ')}`;
}

/** Against the official code's outputs for this fixture image. */
export function expectMatchesFixture(
  label: string,
  name: FixtureName,
  image: FixtureImage,
  enc: EncodeResult,
  dec: DecodeResult,
): string {
  return compare(label, fixtureReference(name, image), enc, dec);
}

/** Against onnxruntime-node running the same package through the same pipeline (for packages with no golden outputs, e.g. fp16). */
export function expectMatchesNode(label: string, ref: ReconstructResult, enc: EncodeResult, dec: DecodeResult): string {
  return compare(label, nodeReference(ref), enc, dec);
}

/** Per-stage times as one line; also checks every stage was timed. */
export function timingLine(enc: EncodeResult, dec: DecodeResult): string {
  const { quantizerScaleMs, ...t } = enc.timings;
  for (const [stage, ms] of Object.entries({ ...t, decoderMs: dec.timings.decoderMs })) {
    expect(ms, `timing ${stage}`).toBeGreaterThan(0);
  }
  // The CPU quantizer times every scale; the GPU one submits them all at once.
  if (enc.quantizer === 'cpu') {
    expect(quantizerScaleMs?.length, 'one time per scale').toBe(enc.quantization.scales.length);
    expect(quantizerScaleMs!.every((ms) => ms >= 0)).toBe(true);
  }
  return (
    `preprocess ${t.preprocessMs.toFixed(0)} ms, semantic encoder ${t.semanticEncoderMs.toFixed(0)} ms, ` +
    `pixel encoder ${t.pixelEncoderMs.toFixed(0)} ms, ` +
    `quantizer (${enc.quantizer}) ${t.quantizerMs.toFixed(0)} ms, decoder ${dec.timings.decoderMs.toFixed(0)} ms`
  );
}
