import { describe, expect, it } from 'vitest';
import { decideCacheStore, openPackageCache, PACKAGE_CACHE_NAME, clearPackageCache, putFailure } from './package-cache.ts';
import { FakeCacheStorage, quotaExceeded } from '../test-support/browser-fakes.ts';

describe('choosing where model files are kept', () => {
  const ok = { cachesAvailable: true, neededBytes: 1_000_000 };

  it('uses Cache Storage when it exists, opens and has room', () => {
    expect(decideCacheStore(ok)).toEqual({ store: 'cache-storage' });
    expect(decideCacheStore({ ...ok, quota: 5_000_000, usage: 3_999_999 })).toEqual({ store: 'cache-storage' });
    // No estimate available: try, and let a failed put decide.
    expect(decideCacheStore({ ...ok, quota: undefined, usage: undefined })).toEqual({ store: 'cache-storage' });
  });

  it('falls back to memory, with the reason, when Cache Storage is missing, refused or too small', () => {
    expect(decideCacheStore({ ...ok, cachesAvailable: false })).toEqual({ store: 'memory', reason: expect.stringMatching(/not available here \(it needs a secure context/) });
    expect(decideCacheStore({ ...ok, openError: 'SecurityError: denied' })).toEqual({
      store: 'memory',
      reason: expect.stringMatching(/^the browser refused Cache Storage \(SecurityError: denied\)/),
    });
    expect(decideCacheStore({ ...ok, quota: 5_000_000, usage: 4_500_000 })).toEqual({
      store: 'memory',
      reason: expect.stringMatching(/^not enough browser storage: the model needs 1\.0 MB more, 0\.5 MB is free/),
    });
  });

  it('names a full store as such and quotes any other put failure', () => {
    expect(putFailure('pixel_decoder.onnx', quotaExceeded()).reason).toMatch(/^browser storage became full while caching pixel_decoder\.onnx/);
    expect(putFailure('a.bin', new TypeError('network error')).reason).toMatch(/^caching a\.bin failed \(network error\)/);
  });
});

describe('the package cache', () => {
  const files = [
    { key: 'u/a?sha256=1', bytes: 600 },
    { key: 'u/b?sha256=2', bytes: 600 },
  ];

  it('counts only files not cached yet against the free space', async () => {
    const caches = new FakeCacheStorage();
    const first = await openPackageCache(files, { caches: caches.asCacheStorage(), storage: null });
    await first.put(files[0].key, 'a', new Uint8Array(600));
    // 700 free: both files (1200) would not fit, the missing one (600) does.
    const second = await openPackageCache(files, { caches: caches.asCacheStorage(), storage: { estimate: async () => ({ quota: 1000, usage: 300 }) } });
    expect(second.report).toEqual({ store: 'cache-storage' });
  });

  it('after a failed put keeps that file and later ones in memory, and still reads earlier ones from the cache', async () => {
    const caches = new FakeCacheStorage();
    caches.failPut = { error: quotaExceeded(), okPuts: 1 };
    const changes: unknown[] = [];
    const cache = await openPackageCache(files, { caches: caches.asCacheStorage(), storage: null }, (r) => changes.push(r));
    await cache.put(files[0].key, 'a', new Uint8Array([1, 2]));
    await cache.put(files[1].key, 'b', new Uint8Array([3]));
    expect(changes).toEqual([{ store: 'memory', reason: expect.stringMatching(/full while caching b/) }]);
    expect(cache.report.store).toBe('memory');
    expect(await cache.match(files[1].key)).toEqual(new Uint8Array([3]));
    expect(await cache.match(files[0].key)).toBeInstanceOf(Response);
  });

  it('clearing deletes the whole cache', async () => {
    const caches = new FakeCacheStorage();
    await caches.open(PACKAGE_CACHE_NAME);
    expect(await clearPackageCache(caches.asCacheStorage())).toBe(true);
    expect(caches.caches.has(PACKAGE_CACHE_NAME)).toBe(false);
    expect(await clearPackageCache(undefined)).toBe(false);
  });
});
