/**
 * Playwright global setup: exports the test model packages (package-set.ts) from the fixture
 * checkpoints with the project's exporter, once per run, for every spec to share. Each export
 * takes about half a second, so it runs every time and stays in step with the exporter; a
 * package is replaced only when its manifest (which lists every file's sha256) changed, so a
 * run already serving the folder is not disturbed by another run's setup.
 */
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { exportCheckpointToDir } from '../../src/node/export-to-dir.ts';
import { FIXTURE_NAMES, fixturePath } from '../../src/test-support/fixtures.ts';
import { e2ePackageDir, e2ePackages, type E2ePackage } from './package-set.ts';

export async function exportE2ePackage(p: E2ePackage, outDir: string): Promise<void> {
  const next = `${outDir}.next-${process.pid}`;
  try {
    await exportCheckpointToDir(fixturePath(p.fixture, 'checkpoint.pt'), next, {
      precision: p.precision,
      externalData: p.externalData,
    });
  } catch (e) {
    throw new Error(
      `exporting the ${p.id} test package from ${fixturePath(p.fixture, 'checkpoint.pt')} failed: ${(e as Error).message}`,
    );
  }
  const manifest = (d: string) => readFile(join(d, 'manifest.json'), 'utf8').catch(() => undefined);
  if ((await manifest(next)) === (await manifest(outDir))) {
    await rm(next, { recursive: true, force: true });
    return;
  }
  await rm(outDir, { recursive: true, force: true });
  await rename(next, outDir);
}

export default async function globalSetup(): Promise<void> {
  for (const p of e2ePackages(FIXTURE_NAMES)) await exportE2ePackage(p, e2ePackageDir(p.id));
}
