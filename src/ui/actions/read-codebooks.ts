/**
 * The page's own copy of a model's codebooks, for the token colours, the inspector's
 * similarities and the codebook view. Read through the runtime's package reader after the
 * worker has loaded the model, so the files come from the package cache it just filled (and
 * are checked against the manifest's sha256 again) rather than from the network.
 */
import { loadCodebooks } from '../../core/pipeline/loaded-model.ts';
import type { Codebooks } from '../../core/quantizer/codebook.ts';
import { openUrlPackage } from '../../runtime/model-loader.ts';

export async function readCodebooks(baseUrl: string): Promise<Codebooks> {
  const pkg = await openUrlPackage(baseUrl);
  return loadCodebooks(pkg.reader, pkg.manifest);
}
