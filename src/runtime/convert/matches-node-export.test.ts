/**
 * A checkpoint converted the page's way (a Blob read in slices, hash-wasm, a staged FolderStore)
 * is the package the Node CLI writes from the same file (a file descriptor, node:crypto, a staged
 * folder), byte for byte: whichever way a user gets a package, its sha256s are the same.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCheckpointToDir } from '../../node/export-to-dir.ts';
import { FIXTURE_NAMES, fixturePath } from '../../test-support/fixtures.ts';
import { memoryFolderStore } from './folder-store.ts';
import { runConversion } from './run-conversion.ts';
import { COMPLETE_MARKER } from './staged-package.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tf-convert-vs-node-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const noHooks = { onProgress: () => {}, onBytes: () => {} };

describe.each(FIXTURE_NAMES)('%s: in-browser conversion vs the Node exporter', (name) => {
  it('writes the same files with the same bytes and the same manifest', async () => {
    const checkpoint = fixturePath(name, 'checkpoint.pt');
    // The Node export gets the absolute path, the page only the file's name: the bytes must not depend on it.
    const nodeDir = join(tmp, name);
    const fromNode = await exportCheckpointToDir(checkpoint, nodeDir);

    const store = memoryFolderStore();
    const blob = new Blob([readFileSync(checkpoint)]);
    const fromPage = await runConversion(blob, 'checkpoint.pt', 'fp32', async () => store, noHooks);

    expect(fromPage.manifest).toEqual(fromNode.manifest);
    const pageFiles = (await store.files(fromPage.folder)).filter((f) => f !== COMPLETE_MARKER).sort();
    expect(pageFiles).toEqual(readdirSync(nodeDir).sort());
    for (const file of pageFiles) {
      const page = new Uint8Array(await (await store.read(fromPage.folder, file)).arrayBuffer());
      const node = readFileSync(join(nodeDir, file));
      expect({ file, bytes: page.byteLength }).toEqual({ file, bytes: node.byteLength });
      expect(Buffer.compare(Buffer.from(page), node), file).toBe(0);
    }
  });
});
