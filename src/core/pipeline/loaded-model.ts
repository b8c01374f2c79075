/** A model package ready to run: its manifest, its codebooks in memory and a graph runner. */
import type { ModelManifest } from '../model-package/manifest.ts';
import type { Codebooks } from '../quantizer/codebook.ts';
import { checkCodebooks } from '../quantizer/codebook.ts';
import type { GraphRunner } from './graph-runner.ts';
import { readManifest, readVerified, type PackageReader } from './package-reader.ts';

export interface LoadedModel {
  readonly manifest: ModelManifest;
  readonly codebooks: Codebooks;
  readonly runner: GraphRunner;
}

export async function loadCodebooks(reader: PackageReader, manifest: ModelManifest): Promise<Codebooks> {
  const read = async (which: 'semantic' | 'pixel') => {
    const entry = manifest.codebooks[which];
    const bytes = await readVerified(reader, manifest, entry.file);
    // Copy to an aligned buffer: a file read may start at any byte offset.
    return new Float32Array(bytes.slice().buffer);
  };
  const codebooks: Codebooks = {
    size: manifest.codebookSize,
    semanticDim: manifest.semanticCodeDim,
    pixelDim: manifest.pixelCodeDim,
    semantic: await read('semantic'),
    pixel: await read('pixel'),
  };
  checkCodebooks(codebooks);
  return codebooks;
}

export async function loadModel(
  reader: PackageReader,
  createRunner: (manifest: ModelManifest) => Promise<GraphRunner>,
): Promise<LoadedModel> {
  const manifest = await readManifest(reader);
  const codebooks = await loadCodebooks(reader, manifest);
  const runner = await createRunner(manifest);
  return { manifest, codebooks, runner };
}
