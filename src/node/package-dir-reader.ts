/** A model package in a local folder. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageReader } from '../core/pipeline/package-reader.ts';
import { loadModel, type LoadedModel } from '../core/pipeline/loaded-model.ts';
import { createOrtNodeRunner, type OrtNodeOptions } from './ort-node-runner.ts';

export function packageDirReader(dir: string): PackageReader {
  return {
    location: dir,
    async readFile(path: string) {
      try {
        return new Uint8Array(await readFile(join(dir, path)));
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'ENOENT') {
          throw new Error(
            path === 'manifest.json'
              ? `${dir} is not a model package: it has no manifest.json (export one with: npm run export -- <checkpoint> --out <dir>)`
              : `${join(dir, path)} is missing from the model package`,
          );
        }
        throw new Error(`${join(dir, path)}: ${err.message}`);
      }
    },
  };
}

export function loadModelFromDir(dir: string, options: OrtNodeOptions = {}): Promise<LoadedModel> {
  return loadModel(packageDirReader(dir), (manifest) => createOrtNodeRunner(dir, manifest, options));
}
