/**
 * The page's own copy of a model's codebooks, for the token colours, the inspector's
 * similarities and the codebook view. Read through the runtime's package reader after the
 * worker has loaded the model, so the files come from the package cache it just filled (or
 * the converted package / picked folder) and are checked against the manifest's sha256 again.
 */
import { loadCodebooks } from '../../core/pipeline/loaded-model.ts';
import type { Codebooks } from '../../core/quantizer/codebook.ts';
import { openPackageSource, type PackageSource } from '../../runtime/package-source.ts';

export async function readCodebooks(source: PackageSource): Promise<Codebooks> {
  const pkg = await openPackageSource(source);
  return loadCodebooks(pkg.reader, pkg.manifest);
}
