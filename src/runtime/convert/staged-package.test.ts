import { describe, expect, it } from 'vitest';
import { memoryFolderStore } from './folder-store.ts';
import {
  COMPLETE_MARKER,
  completeFolders,
  convertedFolderName,
  stagePackage,
  sweepIncomplete,
} from './staged-package.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

async function writeFile(
  dir: { open(p: string): Promise<{ write(c: Uint8Array): Promise<void>; close(): Promise<void> }> },
  path: string,
  text: string,
) {
  const sink = await dir.open(path);
  await sink.write(bytes(text));
  await sink.close();
}

describe('staged converted packages', () => {
  it('a folder counts as a package only after commit, which needs a manifest', async () => {
    const store = memoryFolderStore();
    const staged = await stagePackage(store, 'm-1');
    await writeFile(staged, 'pixel_decoder.onnx', 'graph');
    expect(await completeFolders(store)).toEqual([]);
    await expect(staged.commit()).rejects.toThrow(/memory\/m-1: no manifest.json was written/);
    await writeFile(staged, 'manifest.json', '{}');
    await staged.commit();
    expect(await completeFolders(store)).toEqual(['m-1']);
    expect(await store.files('m-1')).toContain(COMPLETE_MARKER);
    expect(staged.bytesWritten()).toBe(7);
  });

  it('abort deletes what was written; restaging replaces an older package', async () => {
    const store = memoryFolderStore();
    const first = await stagePackage(store, 'm');
    await writeFile(first, 'manifest.json', '{}');
    await first.commit();
    const again = await stagePackage(store, 'm');
    expect(await completeFolders(store)).toEqual([]);
    await writeFile(again, 'semantic_encoder.onnx', 'x');
    await again.abort();
    expect(await store.folders()).toEqual([]);
  });

  it('sweeps folders without the marker except the ones being written', async () => {
    const store = memoryFolderStore();
    const done = await stagePackage(store, 'done');
    await writeFile(done, 'manifest.json', '{}');
    await done.commit();
    await writeFile(await stagePackage(store, 'crashed'), 'a.onnx', 'x');
    await writeFile(await stagePackage(store, 'running'), 'a.onnx', 'x');
    expect(await sweepIncomplete(store, new Set(['running']))).toEqual(['crashed']);
    expect((await store.folders()).sort()).toEqual(['done', 'running']);
  });

  it('refuses file and folder names that would escape or fake the commit', async () => {
    const store = memoryFolderStore();
    await expect(stagePackage(store, '../x')).rejects.toThrow(/"..\/x" must be a plain name/);
    const staged = await stagePackage(store, 'ok');
    await expect(staged.open(COMPLETE_MARKER)).rejects.toThrow(/not allowed in memory\/ok/);
    await expect(staged.open('a/b.onnx')).rejects.toThrow(/"a\/b.onnx" is not allowed/);
  });

  it('names folders by file name, size and precision, safely', () => {
    expect(convertedFolderName('C:\\dl\\tokenflow clip.pt', 1234, 'fp32')).toBe('tokenflow_clip-1234-fp32');
    expect(convertedFolderName('siglip.safetensors', 5, 'fp16')).toBe('siglip-5-fp16');
  });
});
