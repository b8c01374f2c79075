/**
 * Access to the golden fixtures of the official code: fixtures/official in this repository (see
 * its README for how they were made), or the folder TOKENFLOW_FIXTURES names. Test-only: Node
 * file I/O.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor, TensorDType } from '../core/tensor.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const fixturesDir: string = process.env.TOKENFLOW_FIXTURES ?? resolve(repoRoot, 'fixtures/official');

/**
 * Throws unless the fixtures are there. They ship with the repository, so a missing folder is a
 * broken checkout or a wrong TOKENFLOW_FIXTURES: every suite that imports this module fails with
 * this message instead of skipping, or of running zero cases over an empty fixture list.
 */
function requireFixturesDir(): void {
  const manifest = join(fixturesDir, 'clip-224', 'manifest.json');
  if (existsSync(manifest)) return;
  const origin = process.env.TOKENFLOW_FIXTURES ? 'TOKENFLOW_FIXTURES names' : 'the repository ships the fixtures in';
  throw new Error(`golden fixtures not found: ${manifest} is missing (${origin} ${fixturesDir})`);
}
requireFixturesDir();

/**
 * Every model fixture present (a folder with a manifest.json and a checkpoint.pt; jpeg-decode is
 * decoder data, not a model), discovered rather than listed, so a fixture made from a checkpoint
 * this code has never seen is tested by the same suites.
 */
export const FIXTURE_NAMES: readonly string[] = readdirSync(fixturesDir, { withFileTypes: true })
  .filter(
    (d) =>
      d.isDirectory() &&
      existsSync(join(fixturesDir, d.name, 'manifest.json')) &&
      existsSync(join(fixturesDir, d.name, 'checkpoint.pt')),
  )
  .map((d) => d.name)
  .sort();
export type FixtureName = string;
export type FixtureImage = string;

/** The images a fixture has golden outputs for (astronaut and coffee in the shipped ones). */
export function fixtureImages(name: FixtureName): readonly FixtureImage[] {
  return loadFixtureManifest(name).images.map((i) => i.name);
}

/**
 * Every (model, image) pair with golden outputs, with the model's input resolution R: the image
 * tests check each pair at its own R, so the nested loop and the manifest lookup live here.
 */
export function fixtureImageCases(): { name: FixtureName; image: FixtureImage; R: number }[] {
  return FIXTURE_NAMES.flatMap((name) => {
    const { config, images } = loadFixtureManifest(name);
    return images.map((i) => ({ name, image: i.name, R: config.R }));
  });
}

export interface FixtureTensorInfo {
  file: string;
  dtype: TensorDType;
  shape: number[];
  bytes: number;
  sha256: string;
  desc?: string;
  segments?: { scale: number; offset: number; shape: number[] }[];
}

export interface FixtureManifest {
  name: string;
  config: {
    variant: 'clip' | 'siglip';
    R: number;
    S: number;
    scales: number[];
    num_tokens: number;
    K: number;
    semantic_code_dim: number;
    pixel_code_dim: number;
    enhanced_decoder: boolean;
    infer_interpolate: boolean;
    pixel_branch_input_size: number;
    output_size: number;
    [key: string]: unknown;
  };
  images: { name: FixtureImage; source_png: string; tensors: Record<string, FixtureTensorInfo> }[];
  [key: string]: unknown;
}

export function fixturePath(name: FixtureName, ...parts: string[]): string {
  return join(fixturesDir, name, ...parts);
}

export function loadFixtureManifest(name: FixtureName): FixtureManifest {
  return JSON.parse(readFileSync(fixturePath(name, 'manifest.json'), 'utf8')) as FixtureManifest;
}

export function fixtureTensorInfo(
  name: FixtureName,
  image: FixtureImage,
  tensorName: string,
): FixtureTensorInfo | undefined {
  const img = loadFixtureManifest(name).images.find((i) => i.name === image);
  if (!img) throw new Error(`fixture ${name} has no image ${image}`);
  return img.tensors[tensorName];
}

/** Reads one golden tensor as a typed array; undefined if this fixture image does not have it. */
export function loadFixtureTensor(name: FixtureName, image: FixtureImage, tensorName: string): Tensor | undefined {
  const info = fixtureTensorInfo(name, image, tensorName);
  if (!info) return undefined;
  const buf = readFileSync(fixturePath(name, info.file));
  const copy = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const data =
    info.dtype === 'float32'
      ? new Float32Array(copy)
      : info.dtype === 'int32'
        ? new Int32Array(copy)
        : new Uint8Array(copy);
  return { dtype: info.dtype, shape: info.shape, data } as Tensor;
}

export function requireFixtureTensor(name: FixtureName, image: FixtureImage, tensorName: string): Tensor {
  const t = loadFixtureTensor(name, image, tensorName);
  if (!t) throw new Error(`fixture ${name}/${image} has no tensor ${tensorName}`);
  return t;
}
