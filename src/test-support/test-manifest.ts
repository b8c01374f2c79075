/** A model manifest for unit tests (no files, no model); the runtime's fake package builds on it. */
import { PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION, type ModelManifest } from '../core/model-package/manifest.ts';

/** A manifest with the released CLIP-256 geometry and a small K; only the fields the UI logic reads are meaningful. */
export function testManifest(overrides: Partial<ModelManifest> = {}): ModelManifest {
  const scales = overrides.scales ?? [1, 2, 4, 6, 8, 10, 12, 14, 16];
  return {
    format: PACKAGE_FORMAT,
    formatVersion: PACKAGE_FORMAT_VERSION,
    name: 'test CLIP-256',
    description: '',
    variant: 'clip',
    source: { file: 'checkpoint.pt', bytes: 1, weightsKey: 'model' },
    precision: 'fp32',
    inputSize: 256,
    gridSize: scales[scales.length - 1],
    pixelBranchSize: 256,
    outputSize: 256,
    scales,
    numTokens: scales.reduce((a, s) => a + s * s, 0),
    codebookSize: 4096,
    semanticCodeDim: 32,
    pixelCodeDim: 8,
    distanceWeights: { semantic: 1, pixel: 1 },
    preprocess: { crop: 'adm-center-crop', normalize: 'minus-one-to-one' },
    postprocess: { toUint8: 'clamp-127.5y+128' },
    graphs: {} as ModelManifest['graphs'],
    codebooks: {} as ModelManifest['codebooks'],
    files: [],
    ...overrides,
  };
}
