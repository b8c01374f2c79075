/** Comparison helpers shared by the quantizer tests (test-only). */
import { loadCheckpoint } from '../../export/checkpoint/load-checkpoint.ts';
import { nodeFileSource } from '../node/file-byte-source.ts';
import {
  fixturePath,
  loadFixtureManifest,
  requireFixtureTensor,
  type FixtureImage,
  type FixtureName,
} from './fixtures.ts';
import { createCodebooks, type Codebooks } from '../core/quantizer/codebook.ts';
import { concatFeatures } from '../core/pipeline/tokenflow-pipeline.ts';
export { maxAbsDiffAt } from './compare.ts';

/** h = concat(semantic_features, pixel_features): (1, Ds+Dp, S, S), semantic first (docs/spec.md §3.5). */
export function fixtureFeatures(name: FixtureName, image: FixtureImage): Float32Array {
  const sem = requireFixtureTensor(name, image, 'semantic_features').data as Float32Array;
  const pix = requireFixtureTensor(name, image, 'pixel_features').data as Float32Array;
  return concatFeatures(sem, pix);
}

export function fixtureF32(name: FixtureName, image: FixtureImage, tensor: string): Float32Array {
  return requireFixtureTensor(name, image, tensor).data as Float32Array;
}

export function fixtureI32(name: FixtureName, image: FixtureImage, tensor: string): Int32Array {
  return requireFixtureTensor(name, image, tensor).data as Int32Array;
}

export function fixtureConfig(name: FixtureName): { S: number; scales: number[]; K: number; Ds: number; Dp: number } {
  const c = loadFixtureManifest(name).config;
  return { S: c.S, scales: c.scales, K: c.K, Ds: c.semantic_code_dim, Dp: c.pixel_code_dim };
}

/**
 * The fixture's codebooks through the project's checkpoint reader (the same path the exporter
 * takes), normalised by createCodebooks.
 */
export async function loadFixtureCodebooks(name: FixtureName): Promise<Codebooks> {
  const source = await nodeFileSource(fixturePath(name, 'checkpoint.pt'));
  try {
    const { stateDict } = await loadCheckpoint(source);
    const entry = (key: string) => {
      const e = stateDict.get(key);
      if (!e) throw new Error(`${name}/checkpoint.pt has no ${key}`);
      if (e.shape.length !== 2)
        throw new Error(`${name}/checkpoint.pt: ${key} has shape [${e.shape.join(',')}], expected [K, D]`);
      return e;
    };
    const sem = entry('quantize.embedding_vqkd.weight');
    const pix = entry('quantize.embedding_vqgan.weight');
    return createCodebooks(await sem.readFloat32(), sem.shape[1], await pix.readFloat32(), pix.shape[1]);
  } finally {
    await source.close();
  }
}
