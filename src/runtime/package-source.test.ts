import { describe, expect, it } from 'vitest';
import { memoryFolderStore } from './convert/folder-store.ts';
import { describeSource, filesByPackagePath, openPackageSource } from './package-source.ts';

const picked = (rel: string, text: string) =>
  Object.assign(new File([text], rel.split('/').pop()!), { webkitRelativePath: rel });

describe('package sources', () => {
  it('maps a picked folder to package paths, stripping the folder name', () => {
    const map = filesByPackagePath([picked('clip/manifest.json', '{}'), picked('clip/a.onnx', 'x')], 'clip');
    expect([...map.keys()].sort()).toEqual(['a.onnx', 'manifest.json']);
  });

  it('refuses a folder without a top-level manifest, listing what it found', () => {
    expect(() => filesByPackagePath([picked('models/clip/manifest.json', '{}')], 'models')).toThrow(
      /models: the folder holds no manifest.json at its top level \(found clip\/manifest.json\); pick the model package folder itself/,
    );
  });

  it('refuses an OPFS folder that was never committed', async () => {
    const store = memoryFolderStore('OPFS converted');
    const sink = await store.create('half', 'manifest.json');
    await sink.write(new TextEncoder().encode('{}'));
    await sink.close();
    await expect(openPackageSource({ kind: 'opfs', folder: 'half' }, { store })).rejects.toThrow(
      /OPFS converted\/half holds no complete converted package/,
    );
  });

  it('reports an invalid manifest with the folder it came from', async () => {
    await expect(
      openPackageSource({ kind: 'files', label: 'mine', files: [picked('mine/manifest.json', 'not json')] }),
    ).rejects.toThrow(/mine\/manifest.json is not valid JSON/);
  });

  it('describes sources for the model list', () => {
    expect(describeSource({ kind: 'opfs', folder: 'x-1-fp32' })).toBe('converted:x-1-fp32');
    expect(describeSource({ kind: 'files', label: 'clip', files: [] })).toBe('folder:clip');
    expect(describeSource({ kind: 'url', baseUrl: 'https://a/b/' })).toBe('https://a/b/');
  });
});
