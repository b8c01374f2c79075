import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../test-support/fixtures.ts';
import { openPackageSource } from '../package-source.ts';
import { memoryFolderStore, type FolderStore } from './folder-store.ts';
import { runConversion } from './run-conversion.ts';
import { completeFolders } from './staged-package.ts';
import { withFloatWritten } from '../../test-support/locate-tensor.ts';
import { writeEditedFixtureCheckpoint } from '../../test-support/dataset-inputs.ts';

const hooks = () => {
  const stages: string[] = [];
  let bytes = 0;
  return {
    stages,
    bytes: () => bytes,
    hooks: { onProgress: (stage: string) => stages.push(stage), onBytes: (n: number) => (bytes = n) },
  };
};

/** A store that fails like a full OPFS once writing starts. */
function fullStore(): FolderStore {
  const inner = memoryFolderStore('OPFS converted');
  return {
    ...inner,
    async create() {
      throw Object.assign(new Error('the quota has been exceeded'), { name: 'QuotaExceededError' });
    },
  };
}

describe('runConversion', () => {
  it('refuses a file that is not a checkpoint, naming it, and leaves nothing behind', async () => {
    const store = memoryFolderStore();
    const h = hooks();
    await expect(
      runConversion(
        new Blob([new TextEncoder().encode('hello, not a model')]),
        'notes.pt',
        'fp32',
        async () => store,
        h.hooks,
      ),
    ).rejects.toThrow(/notes\.pt/);
    expect(await store.folders()).toEqual([]);
  });

  it('refuses a truncated checkpoint, naming it, and leaves nothing behind', async () => {
    const store = memoryFolderStore();
    const whole = readFileSync(fixturePath('clip-224', 'checkpoint.pt'));
    const cut = new Blob([whole.subarray(0, Math.floor(whole.byteLength / 2))]);
    await expect(runConversion(cut, 'cut.pt', 'fp32', async () => store, hooks().hooks)).rejects.toThrow(/cut\.pt/);
    expect(await store.folders()).toEqual([]);
  });

  // The page converts with the same exporter: damaged weights are refused there too, with the message the page shows.
  it('refuses weights changed after saving (CRC-32) and weights saved as NaN, naming the tensor, and leaves nothing behind', async () => {
    const store = memoryFolderStore();
    const whole = readFileSync(fixturePath('clip-224', 'checkpoint.pt'));
    const { bytes } = await withFloatWritten(whole, 'decoder.conv_out.weight', 0, NaN);
    await expect(
      runConversion(new Blob([bytes as BlobPart]), 'damaged.pt', 'fp32', async () => store, hooks().hooks),
    ).rejects.toThrow(/damaged\.pt: zip entry '[^']+' \(tensor 'decoder\.conv_out\.weight'\) fails its CRC-32 check/);
    const tmp = mkdtempSync(join(tmpdir(), 'tf-convert-'));
    try {
      const nan = join(tmp, 'nan.pt');
      await writeEditedFixtureCheckpoint(nan, (key, v) =>
        key === 'decoder.conv_out.weight' ? v.map((x, i) => (i === 0 ? NaN : x)) : undefined,
      );
      await expect(
        runConversion(new Blob([readFileSync(nan)]), 'nan.pt', 'fp32', async () => store, hooks().hooks),
      ).rejects.toThrow(
        /nan\.pt: 1 weight tensor holds NaN or ±Inf: decoder\.conv_out\.weight \(1 NaN, 0 ±Inf of \d+ values\)/,
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(await store.folders()).toEqual([]);
  });

  it('converts the clip-224 fixture checkpoint into a committed, loadable package', async () => {
    const store = memoryFolderStore();
    const h = hooks();
    const file = new Blob([readFileSync(fixturePath('clip-224', 'checkpoint.pt'))]);
    const r = await runConversion(file, 'checkpoint.pt', 'fp32', async () => store, h.hooks);
    expect(r.fallbackReason).toBeUndefined();
    expect(await completeFolders(store)).toEqual([r.folder]);
    expect(h.stages).toEqual(expect.arrayContaining(['storage', 'read-checkpoint', 'graph', 'codebooks', 'done']));
    // Every listed file plus the manifest itself (which lists the others, not itself).
    const manifestBytes = (await store.read(r.folder, 'manifest.json')).size;
    expect(h.bytes()).toBe(r.manifest.files.reduce((a, f) => a + f.bytes, 0) + manifestBytes);
    // The package source the engine uses opens it, with the manifest the exporter returned.
    const pkg = await openPackageSource({ kind: 'opfs', folder: r.folder }, { store });
    expect(pkg.manifest).toEqual(r.manifest);
  });

  it('falls back to memory when the store is full, and says why', async () => {
    const h = hooks();
    const file = new Blob([readFileSync(fixturePath('clip-224', 'checkpoint.pt'))]);
    const r = await runConversion(file, 'checkpoint.pt', 'fp32', async () => fullStore(), h.hooks);
    expect(r.fallbackReason).toMatch(/OPFS converted refused the files \(the quota has been exceeded\)/);
    expect(r.store.location).toBe('memory');
    expect(await completeFolders(r.store)).toEqual([r.folder]);
  });
});
