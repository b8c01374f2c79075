/**
 * Exports a checkpoint file into a package folder: the one Node path around exportPackage,
 * used by the CLI, the tests, the e2e setup and the training scripts. The folder is replaced
 * only when the export succeeds (see package-dir-writer.ts).
 */
import { exportPackage, type ExportOptions, type ExportResult } from '../../export/export-package.ts';
import { nodeFileSource } from './file-byte-source.ts';
import { nodeSha256 } from './node-sha256.ts';
import { stagedPackageDirectory } from './package-dir-writer.ts';

export interface ExportToDirOptions extends ExportOptions {
  /** Replace `outDir` even if it holds something other than a model package. */
  readonly force?: boolean;
}

export async function exportCheckpointToDir(checkpoint: string, outDir: string, options: ExportToDirOptions = {}): Promise<ExportResult> {
  const { force, ...exportOptions } = options;
  const source = await nodeFileSource(checkpoint);
  try {
    const dir = await stagedPackageDirectory(outDir, { force });
    try {
      const result = await exportPackage(source, dir, { sha256: nodeSha256, ...exportOptions });
      await dir.commit();
      return result;
    } catch (e) {
      await dir.abort();
      throw e;
    }
  } finally {
    await source.close();
  }
}
