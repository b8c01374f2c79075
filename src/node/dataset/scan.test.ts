import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../test-support/suite-temp-dir.ts';
import { sampleEntries, scanFolder } from './scan.ts';

describe('scanning the input folder', () => {
  const dir = suiteTempDir('tf-scan-');
  beforeAll(async () => {
    for (const f of ['b.png', 'a/z.jpg', 'a/b/c.webp', '.hidden.png', '.git/objects/x', 'out/recon/a.png', 'A.png']) {
      await mkdir(join(dir(), f, '..'), { recursive: true });
      await writeFile(join(dir(), f), 'x');
    }
    await symlink(join(dir(), 'b.png'), join(dir(), 'link.png'));
    await symlink(join(dir(), 'nowhere.png'), join(dir(), 'broken.png'));
    await symlink(join(dir(), 'a'), join(dir(), 'loop'));
  });

  it('lists files recursively in code-unit order, skips dot-names and the output folder, reports odd entries', async () => {
    const entries = await scanFolder(dir(), join(dir(), 'out'));
    expect(entries).toEqual([
      { path: 'A.png' },
      { path: 'a/b/c.webp' },
      { path: 'a/z.jpg' },
      { path: 'b.png' },
      { path: 'broken.png', odd: 'broken symbolic link' },
      { path: 'link.png' },
      { path: 'loop', odd: 'symbolic link to a folder (not followed, to avoid cycles)' },
    ]);
  });

  it('keeps names that are not UTF-8 apart and openable, escaped', async () => {
    const latin = await mkdtemp(join(tmpdir(), 'tf-scan-latin1-'));
    try {
      for (const b of [0xe9, 0xe8])
        await writeFile(Buffer.concat([Buffer.from(latin + '/caf'), Buffer.from([b]), Buffer.from('.png')]), 'x');
      await writeFile(join(latin, 'back\\slash.png'), 'x');
      expect(await scanFolder(latin)).toEqual([
        { path: 'back\\\\slash.png' },
        { path: 'caf\\xe8.png' },
        { path: 'caf\\xe9.png' },
      ]);
    } finally {
      await rm(latin, { recursive: true, force: true });
    }
  });

  it('names the missing input folder', async () => {
    await expect(scanFolder(join(dir(), 'nope'))).rejects.toThrow(/--in .*nope: no such folder/);
  });
});

describe('seed-stable sampling', () => {
  const entries = Array.from({ length: 200 }, (_, i) => ({ path: `img/${String(i).padStart(4, '0')}.png` }));

  it('picks the same files for a seed whatever the listing order, sorted by path', () => {
    const a = sampleEntries(entries, 10, 42);
    const b = sampleEntries([...entries].reverse(), 10, 42);
    expect(b).toEqual(a);
    expect(a.map((e) => e.path)).toEqual([...a.map((e) => e.path)].sort());
    expect(new Set(a.map((e) => e.path)).size).toBe(10);
  });

  it('picks other files for another seed, and keeps earlier picks when unrelated files are added', () => {
    const a = sampleEntries(entries, 10, 42).map((e) => e.path);
    expect(sampleEntries(entries, 10, 43).map((e) => e.path)).not.toEqual(a);
    // Added files can only displace a pick by outscoring it, so most picks survive.
    const grown = sampleEntries(
      [...entries, ...Array.from({ length: 20 }, (_, i) => ({ path: `new/${i}.png` }))],
      10,
      42,
    ).map((e) => e.path);
    expect(grown.filter((p) => a.includes(p)).length).toBeGreaterThanOrEqual(5);
  });

  it('returns everything when the sample is not smaller than the list', () => {
    expect(sampleEntries(entries.slice(0, 3), 5, 1)).toEqual(entries.slice(0, 3));
  });
});
