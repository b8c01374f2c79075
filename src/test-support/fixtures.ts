/**
 * Access to the golden fixtures of the official code (../shared/fixtures beside the checkout,
 * or TOKENFLOW_FIXTURES). Test-only: Node file I/O.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor, TensorDType } from '../core/tensor.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const fixturesDir: string = process.env.TOKENFLOW_FIXTURES ?? resolve(repoRoot, '../shared/fixtures');

/**
 * Every fixture folder present (one with a manifest.json), discovered rather than listed, so a
 * fixture made from a checkpoint this code has never seen is tested by the same suites.
 */
export const FIXTURE_NAMES: readonly string[] = existsSync(fixturesDir)
  ? readdirSync(fixturesDir, { withFileTypes: true })
      // A model fixture has a checkpoint; jpeg-decode/ has a manifest.json too, but only JPEGs.
      .filter((d) => d.isDirectory() && existsSync(join(fixturesDir, d.name, 'manifest.json')) && existsSync(join(fixturesDir, d.name, 'checkpoint.pt')))
      .map((d) => d.name)
      .sort()
  : [];
export type FixtureName = string;
export type FixtureImage = string;

/** The images a fixture has golden outputs for (astronaut and coffee in the shipped ones). */
export function fixtureImages(name: FixtureName): readonly FixtureImage[] {
  return loadFixtureManifest(name).images.map((i) => i.name);
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

export function fixturesAvailable(): boolean {
  return existsSync(join(fixturesDir, 'clip-224', 'manifest.json'));
}

export function loadFixtureManifest(name: FixtureName): FixtureManifest {
  return JSON.parse(readFileSync(fixturePath(name, 'manifest.json'), 'utf8')) as FixtureManifest;
}

export function fixtureTensorInfo(name: FixtureName, image: FixtureImage, tensorName: string): FixtureTensorInfo | undefined {
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
    info.dtype === 'float32' ? new Float32Array(copy) : info.dtype === 'int32' ? new Int32Array(copy) : new Uint8Array(copy);
  return { dtype: info.dtype, shape: info.shape, data } as Tensor;
}

export function requireFixtureTensor(name: FixtureName, image: FixtureImage, tensorName: string): Tensor {
  const t = loadFixtureTensor(name, image, tensorName);
  if (!t) throw new Error(`fixture ${name}/${image} has no tensor ${tensorName}`);
  return t;
}
