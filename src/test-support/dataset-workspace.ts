/**
 * Test-only: the folder a dataset suite works in, holding the fixture checkpoint exported as pkg/
 * and an empty in/ for the suite's images. Made before the suite's own beforeAll hooks when
 * called ahead of them, removed after its tests.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { exportFixturePackage } from './dataset-inputs.ts';
import { suiteTempDir } from './suite-temp-dir.ts';

export interface DatasetWorkspace {
  readonly dir: () => string;
  readonly pkg: () => string;
  readonly input: () => string;
}

export function datasetWorkspace(prefix: string): DatasetWorkspace {
  const dir = suiteTempDir(prefix);
  const input = () => join(dir(), 'in');
  beforeAll(async () => {
    await exportFixturePackage(dir());
    await mkdir(input());
  });
  return { dir, pkg: () => join(dir(), 'pkg'), input };
}
