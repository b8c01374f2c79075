/**
 * A PackageDirectory in a local folder, written to a temporary sibling and renamed into place
 * only when the export succeeded: a failed or interrupted export never leaves a half-written
 * package, and never destroys the one that was there.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { PackageDirectory } from '../../export/export-package.ts';
import { nodeFileSink } from './file-byte-sink.ts';

export interface StagedPackageDirectory extends PackageDirectory {
  /** Moves the finished package to its destination (replacing an older package there). */
  commit(): Promise<void>;
  /** Removes the staging folder after a failure. */
  abort(): Promise<void>;
}

export async function stagedPackageDirectory(outDir: string, options: { force?: boolean } = {}): Promise<StagedPackageDirectory> {
  const target = resolve(outDir);
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new Error(`${outDir} exists and is not a folder`);
  if (existing && !options.force) {
    const entries = await readdir(target);
    if (entries.length > 0 && !entries.includes('manifest.json')) {
      throw new Error(`${outDir} is not empty and holds no model package; refusing to replace it (choose another --out)`);
    }
  }
  const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  return {
    async open(path: string) {
      if (path.includes('..') || path.startsWith('/')) throw new Error(`package file name ${path} must stay inside the package`);
      return nodeFileSink(join(staging, path));
    },
    async commit() {
      if (existing) await rm(target, { recursive: true, force: true });
      await mkdir(dirname(target), { recursive: true });
      await rename(staging, target);
    },
    async abort() {
      await rm(staging, { recursive: true, force: true });
    },
  };
}
