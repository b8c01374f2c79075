/**
 * The package folder writer deletes only what the exporter wrote: these cases need no export,
 * only folders laid out by hand (the embedded model's manifest stands for a package of ours).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagedPackageDirectory } from './package-dir-writer.ts';

const OUR_MANIFEST = join(import.meta.dirname, '../../public/models/default/manifest.json');

describe('staged package folders', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'tf-pkgdir-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  async function writeAndCommit(out: string, notices: string[] = []): Promise<void> {
    const dir = await stagedPackageDirectory(out, { onNotice: (m) => notices.push(m) });
    const sink = await dir.open('manifest.json');
    await sink.write(new TextEncoder().encode('{}'));
    await sink.close();
    await dir.commit();
  }

  it('writes into a new folder and into an empty one', async () => {
    await writeAndCommit(join(tmp, 'new', 'deeper'));
    expect(readdirSync(join(tmp, 'new', 'deeper'))).toEqual(['manifest.json']);
    mkdirSync(join(tmp, 'empty'));
    await writeAndCommit(join(tmp, 'empty'));
    expect(readdirSync(join(tmp, 'empty'))).toEqual(['manifest.json']);
    expect(readdirSync(tmp).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('replaces a package of ours, even one missing some of its files', async () => {
    const pkg = join(tmp, 'ours');
    mkdirSync(pkg);
    copyFileSync(OUR_MANIFEST, join(pkg, 'manifest.json'));
    writeFileSync(join(pkg, 'pixel_decoder.onnx'), 'old graph');
    await writeAndCommit(pkg);
    expect(readFileSync(join(pkg, 'manifest.json'), 'utf8')).toBe('{}');
  });

  it('refuses a package of ours with anything its manifest does not list, naming it', async () => {
    const pkg = join(tmp, 'ours-plus');
    mkdirSync(join(pkg, 'notes'), { recursive: true });
    copyFileSync(OUR_MANIFEST, join(pkg, 'manifest.json'));
    await expect(stagedPackageDirectory(pkg)).rejects.toThrow(
      /ours-plus holds a model package plus files its manifest does not list \(notes\/\); refusing to replace it/,
    );
    expect(existsSync(join(pkg, 'notes'))).toBe(true);
  });

  it('refuses a destination that is, or contains, an input — also through a symbolic link', async () => {
    const folder = join(tmp, 'with-input');
    mkdirSync(folder);
    copyFileSync(OUR_MANIFEST, join(folder, 'manifest.json'));
    const input = join(folder, 'manifest.json');
    await expect(stagedPackageDirectory(folder, { inputs: [input] })).rejects.toThrow(
      /holds the checkpoint being exported/,
    );
    const link = join(tmp, 'link-to-input');
    symlinkSync(folder, link);
    await expect(stagedPackageDirectory(folder, { inputs: [join(link, 'manifest.json')] })).rejects.toThrow(
      /never replaces its own input/,
    );
  });

  it('refuses a second export into the same folder from this process', async () => {
    const out = join(tmp, 'busy');
    const first = await stagedPackageDirectory(out);
    await expect(stagedPackageDirectory(out)).rejects.toThrow(/another export into .*busy is running in this process/);
    await first.abort();
  });

  it('reports stale partial folders; removes only those that are provably an interrupted export of ours', async () => {
    const out = join(tmp, 'target');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const dead2 = spawnSync(process.execPath, ['-e', '0']).pid!;
    const ours = join(tmp, `.target.partial-${dead}`);
    mkdirSync(ours);
    writeFileSync(join(ours, 'semantic_encoder.onnx'), 'half');
    writeFileSync(join(ours, 'codebook_pixel.f32.bin'), 'half');
    const deadForeign = join(tmp, `.target.partial-${dead2}`);
    mkdirSync(deadForeign);
    writeFileSync(join(deadForeign, 'diary.txt'), 'mine');
    // The parent of this test process is alive: its folder is someone's export in progress.
    const alive = join(tmp, `.target.partial-${process.ppid}`);
    mkdirSync(alive);
    const notices: string[] = [];
    await writeAndCommit(out, notices);
    expect(existsSync(ours)).toBe(false);
    expect(existsSync(join(deadForeign, 'diary.txt'))).toBe(true);
    expect(existsSync(alive)).toBe(true);
    expect(notices).toHaveLength(3);
    expect(notices).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `removed .*\\.target\\.partial-${dead}, left by an interrupted export \\(process ${dead} is no longer running\\)`,
          ),
        ),
        expect.stringMatching(
          new RegExp(
            `found .*\\.target\\.partial-${dead2}, left by process ${dead2} \\(no longer running\\), ` +
              'but it holds files the exporter never writes \\(diary\\.txt\\); left alone',
          ),
        ),
        expect.stringMatching(
          new RegExp(
            `found .*\\.target\\.partial-${process.ppid}, being written by running process ${process.ppid} .*; left alone`,
          ),
        ),
      ]),
    );
  });
});
