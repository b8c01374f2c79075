import { describe, expect, it } from 'vitest';
import { decoderOutputHealth } from '../image/postprocess.ts';
import { codebookUsage } from './codebook-usage.ts';
import { assessHealth, firstProblemStage, healthStatus, type StageObservations } from './health.ts';
import { featureMapStats, imageU8Stats } from './tensor-stats.ts';

const S = 4;
const varied = (C: number, seed = 1) => Float32Array.from({ length: C * S * S }, (_, i) => Math.sin(i * 0.7 + seed));
const feat = (data: Float32Array, C: number) => featureMapStats(data, [1, C, S, S]);
const rgbNoise = (n: number) => Uint8Array.from({ length: n * 3 }, (_, i) => (i * 97) % 256);

/** Observations of a healthy run; each test breaks one stage. */
function healthy(): Required<Omit<StageObservations, 'failure'>> {
  const decoded = Float32Array.from({ length: 3 * 64 }, (_, i) => Math.cos(i) * 0.9);
  return {
    preprocess: { sourceWidth: 300, sourceHeight: 200, inputSize: 8, crop: imageU8Stats(rgbNoise(64)) },
    semanticEncoder: feat(varied(4), 4),
    pixelEncoder: feat(varied(2, 2), 2),
    quantizer: {
      usage: codebookUsage(
        Array.from({ length: 30 }, (_, i) => i % 20),
        64,
      ),
      fHat: feat(varied(6, 3), 6),
    },
    decoder: { output: decoderOutputHealth(decoded), stats: featureMapStats(decoded, [1, 3, 8, 8]) },
    postprocess: imageU8Stats(rgbNoise(64)),
  };
}

describe('health checks', () => {
  it('a healthy run has no findings', () => {
    const f = assessHealth(healthy());
    expect(f).toEqual([]);
    expect(healthStatus(f)).toBe('ok');
    expect(firstProblemStage(f)).toBeUndefined();
  });

  it('NaN in the pixel encoder names the pixel encoder, before the quantizer that refused it', () => {
    const pix = varied(2);
    pix[5] = NaN;
    const f = assessHealth({
      ...healthy(),
      pixelEncoder: feat(pix, 2),
      quantizer: undefined,
      decoder: undefined,
      postprocess: undefined,
      failure: { stage: 'quantizer', message: 'h[0,4,1,1] is NaN; the quantizer needs finite features' },
    });
    expect(f.map((x) => [x.stage, x.check])).toEqual([
      ['pixel encoder', 'non-finite'],
      ['quantizer', 'stage-failed'],
    ]);
    expect(f[0].message).toMatch(/1 NaN and 0 ±Inf of 32 values \(first: \[0,0,1,1\] = NaN\)/);
    expect(firstProblemStage(f)).toBe('pixel encoder');
  });

  it('a NaN decoder output makes a black image, attributed to the decoder', () => {
    const y = new Float32Array(3 * 64).fill(NaN);
    const f = assessHealth({
      ...healthy(),
      decoder: { output: decoderOutputHealth(y), stats: featureMapStats(y, [1, 3, 8, 8]) },
      postprocess: imageU8Stats(new Uint8Array(64 * 3)),
    });
    expect(f.map((x) => [x.stage, x.check])).toEqual([
      ['decoder', 'non-finite'],
      ['decoder', 'black-reconstruction'],
    ]);
    expect(healthStatus(f)).toBe('error');
  });

  it('a zero decoder output is flat grey, attributed to the decoder', () => {
    const y = new Float32Array(3 * 64);
    const f = assessHealth({
      ...healthy(),
      decoder: { output: decoderOutputHealth(y), stats: featureMapStats(y, [1, 3, 8, 8]) },
      postprocess: imageU8Stats(new Uint8Array(64 * 3).fill(128)),
    });
    expect(f.map((x) => [x.stage, x.check])).toEqual([
      ['decoder', 'flat-output'],
      ['decoder', 'flat-reconstruction'],
    ]);
    expect(f[0].message).toMatch(/grey \(128\)/);
  });

  it('zero-norm semantic features are an error at the semantic encoder; a collapse after them is attributed there', () => {
    const f = assessHealth({
      ...healthy(),
      semanticEncoder: feat(new Float32Array(4 * S * S), 4),
      quantizer: { usage: codebookUsage(new Array(30).fill(0), 64), fHat: feat(varied(6), 6) },
    });
    expect(f.map((x) => [x.stage, x.check, x.severity])).toEqual([
      ['semantic encoder', 'zero-norm-features', 'error'],
      ['semantic encoder', 'codebook-collapse', 'error'],
    ]);
  });

  it('a collapse with healthy features is the quantizer’s; on a flat input it is only a note', () => {
    const collapsed = { usage: codebookUsage(new Array(30).fill(5), 64), fHat: feat(varied(6), 6) };
    const f = assessHealth({ ...healthy(), quantizer: collapsed });
    expect(f.map((x) => [x.stage, x.check, x.severity])).toEqual([['quantizer', 'codebook-collapse', 'error']]);
    const flat = imageU8Stats(new Uint8Array(64 * 3).fill(77));
    const g = assessHealth({ ...healthy(), preprocess: { ...healthy().preprocess, crop: flat }, quantizer: collapsed });
    expect(healthStatus(g)).toBe('ok');
    expect(g.map((x) => x.check)).toEqual(['flat-input', 'codebook-collapse']);
  });

  it('features equal at every position are flagged; a decoder far out of range is a warning; tiny inputs warn', () => {
    const same = new Float32Array(4 * S * S);
    for (let c = 0; c < 4; c++) same.fill(c + 0.5, c * S * S, (c + 1) * S * S);
    const y = Float32Array.from({ length: 3 * 64 }, (_, i) => (i % 2 ? 50 : -0.2));
    const f = assessHealth({
      ...healthy(),
      preprocess: { ...healthy().preprocess, sourceWidth: 3, sourceHeight: 2 },
      semanticEncoder: feat(same, 4),
      decoder: { output: decoderOutputHealth(y), stats: featureMapStats(y, [1, 3, 8, 8]) },
    });
    expect(f.map((x) => [x.stage, x.check, x.severity])).toEqual([
      ['preprocess', 'upscaled-input', 'warning'],
      ['semantic encoder', 'position-independent-features', 'error'],
      ['decoder', 'out-of-range-output', 'warning'],
    ]);
    expect(f[0].message).toMatch(/3x2 image .* upscaled ×4/);
  });
});
