import { describe, expect, it } from 'vitest';
import type { PackageFile } from '../core/model-package/manifest.ts';
import { decideCacheStore, LEGACY_CACHE_NAME, openPackageCache, storeFailure } from './package-cache.ts';
import { fakeOpfs, overwriteStored, quotaExceeded } from '../test-support/browser-fakes.ts';

const FILE: PackageFile = { path: 'pixel_decoder.onnx', bytes: 4, sha256: 'a'.repeat(64) };

describe('choosing where downloaded model files are kept', () => {
  const ok = { neededBytes: 1_000_000, packageBytes: 1_400_000_000 };

  it('uses OPFS when it opened and has room, or when no estimate is available', () => {
    expect(decideCacheStore(ok)).toEqual({ store: 'opfs' });
    expect(decideCacheStore({ ...ok, quota: 5_000_000, usage: 3_999_999 })).toEqual({ store: 'opfs' });
    expect(decideCacheStore({ ...ok, quota: undefined, usage: undefined })).toEqual({ store: 'opfs' });
  });

  it('refuses a package that does not fit before downloading, naming the package, the bytes needed, free, quota and usage', () => {
    const r = decideCacheStore({
      neededBytes: 1_350_000_000,
      packageBytes: 1_356_000_000,
      quota: 2_000_000_000,
      usage: 1_200_000_000,
    });
    expect(r.store).toBe('memory');
    expect(r.reason).toBe(
      'not enough browser storage: this 1.36 GB model needs 1.35 GB more, but only 800.0 MB is free ' +
        '(the browser allows this site 2.00 GB, 1.20 GB is used); ' +
        'the model is kept in memory for this visit only and downloads again next time',
    );
  });

  it('says why when there is no persistent store', () => {
    expect(decideCacheStore({ ...ok, unavailable: 'the Origin Private File System is not available here' })).toEqual({
      store: 'memory',
      reason:
        'the Origin Private File System is not available here; ' +
        'the model is kept in memory for this visit only and downloads again next time',
    });
  });

  it('names a full store as such and quotes any other write failure', () => {
    expect(storeFailure('pixel_decoder.onnx', quotaExceeded()).reason).toMatch(
      /^browser storage became full while storing pixel_decoder\.onnx; from there on the model is kept in memory/,
    );
    expect(storeFailure('a.bin', new TypeError('network error')).reason).toMatch(
      /^storing a\.bin failed \(network error\)/,
    );
  });
});

describe('the download store', () => {
  it('checks the quota only for files not stored yet, and deletes the legacy Cache Storage copy', async () => {
    const store = fakeOpfs();
    const deleted: string[] = [];
    const caches = { delete: async (name: string) => (deleted.push(name), true) };
    let estimates = 0;
    const storage = { estimate: async () => (estimates++, { quota: 10, usage: 8 }) };
    const first = await openPackageCache([FILE], { store, storage, caches });
    expect(first.report.store).toBe('memory');
    expect(deleted).toEqual([LEGACY_CACHE_NAME]);

    const roomy = await openPackageCache([FILE], {
      store,
      storage: { estimate: async () => ({ quota: 100, usage: 0 }) },
      caches: null,
    });
    const pending = await roomy.begin(FILE);
    await pending.write(new Uint8Array([1, 2, 3, 4]));
    expect((await pending.finish()).size).toBe(4);
    await pending.commit();
    estimates = 0;
    const again = await openPackageCache([FILE], { store, storage, caches: null });
    expect(again.report).toEqual({ store: 'opfs' });
    expect(estimates).toBe(0);
    expect(await again.lookup(FILE)).toMatchObject({ kind: 'hit', where: 'cache' });
  });

  it('never trusts a download that was not committed, and gives its space back', async () => {
    const store = fakeOpfs();
    const cache = await openPackageCache([FILE], { store, storage: null, caches: null });
    const pending = await cache.begin(FILE);
    await pending.write(new Uint8Array([1, 2, 3, 4]));
    await pending.finish();
    expect(await cache.lookup(FILE)).toEqual({ kind: 'miss' });
    expect(await store.folders()).toEqual([]);
  });

  it('drops a stored file whose size no longer matches its record, and says what was wrong', async () => {
    const store = fakeOpfs();
    const cache = await openPackageCache([FILE], { store, storage: null, caches: null });
    const pending = await cache.begin(FILE);
    await pending.write(new Uint8Array([1, 2, 3, 4]));
    await pending.finish();
    await pending.commit();
    await overwriteStored(store, FILE.sha256, 'data', new Uint8Array([1, 2]));
    expect(await cache.lookup(FILE)).toEqual({ kind: 'damaged', why: 'it has 2 bytes, the manifest says 4' });
    expect(await store.folders()).toEqual([]);
  });
});
