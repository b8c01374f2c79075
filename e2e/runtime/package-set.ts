/**
 * The model packages the browser tests and benchmark load: exported from the golden fixtures'
 * checkpoints by the project's exporter into a git-ignored folder, served at a fixed URL by
 * both Vite servers (vite-plugins/serve-folder.ts). Node-only, no Playwright imports, so
 * vite.config.ts can read the folder and prefix from here.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Precision } from '../../src/core/model-package/manifest.ts';

/** Relative to the repository root. */
export const E2E_PACKAGES_DIR = '.cache/e2e-packages';
export const E2E_PACKAGES_URL = '/e2e-packages/';
/** The runtime harness page (e2e/runtime/harness.html), on either server. */
export const RUNTIME_HARNESS_PATH = '/e2e/runtime/harness.html';

export interface E2ePackage {
  /** Folder under E2E_PACKAGES_DIR, and URL segment. */
  readonly id: string;
  readonly fixture: string;
  readonly precision: Precision;
  /** Force ONNX external data (the exporter only uses it past 2 GB otherwise). */
  readonly externalData: boolean;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The folder of one exported test package on disk. */
export function e2ePackageDir(id: string): string {
  return join(repoRoot, E2E_PACKAGES_DIR, id);
}

/** Every fixture as exported by default, plus one fp16 + external-data package to cover those loading paths. */
export function e2ePackages(fixtures: readonly string[]): E2ePackage[] {
  const set: E2ePackage[] = fixtures.map((fixture) => ({
    id: fixture,
    fixture,
    precision: 'fp32',
    externalData: false,
  }));
  if (fixtures.includes('clip-224'))
    set.push({ id: 'clip-224-fp16-external', fixture: 'clip-224', precision: 'fp16', externalData: true });
  return set;
}
