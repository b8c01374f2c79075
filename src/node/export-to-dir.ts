/**
 * Exports a checkpoint file into a package folder: the one Node path around exportPackage,
 * used by the CLI, the tests, the e2e setup and the training scripts. The folder is replaced
 * only when the export succeeds, only if it holds nothing but a package of ours, and never if
 * it holds the checkpoint; Ctrl-C or SIGTERM removes the partial folder (package-dir-writer.ts).
 */
import { exportPackage, type ExportOptions, type ExportResult } from '../../export/export-package.ts';
import { nodeCrc32 } from './node-crc32.ts';
import { nodeFileSource } from './file-byte-source.ts';
import { nodeSha256 } from './node-sha256.ts';
import { removeOnSignal, stagedPackageDirectory } from './package-dir-writer.ts';

export async function exportCheckpointToDir(
  checkpoint: string,
  outDir: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const source = await nodeFileSource(checkpoint);
  try {
    const dir = await stagedPackageDirectory(outDir, {
      inputs: [checkpoint],
      onNotice: (message) => options.onProgress?.({ stage: 'warning', message }),
    });
    const detach = removeOnSignal(dir.stagingPath);
    try {
      const result = await exportPackage(source, dir, {
        sha256: nodeSha256,
        crc32: nodeCrc32,
        readAhead: true,
        ...options,
      });
      await dir.commit();
      return result;
    } catch (e) {
      await dir.abort();
      throw e;
    } finally {
      detach();
    }
  } finally {
    await source.close();
  }
}
