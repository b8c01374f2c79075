/**
 * npm run tokenize as a user runs it (a real process): JPEGs are read as the official code reads
 * them, EXIF orientation is reported, bombs are refused from the header, names that are not
 * UTF-8 open, and --dump never overwrites a user's files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../test-support/fixtures.ts';
import { jpegFixtureBytes, jpegFixtures } from '../test-support/jpeg-fixtures.ts';
import { pngHeaderOnly } from '../test-support/dataset-inputs.ts';
import { exportCheckpointToDir } from './export-to-dir.ts';

/** Runs the CLI through bash, so an argument can carry bytes that are not UTF-8 ($'\xe9'). */
function tokenize(args: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', `exec "${process.execPath}" --import tsx src/node/tokenize-cli.ts ${args}`], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

describe('npm run tokenize reads images as the official code does', () => {
  let tmp: string;
  let pkg: string;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tf-tokenize-'));
    pkg = join(tmp, 'clip-256');
    // 256 px, the side of the fixtures' official crops.
    await exportCheckpointToDir(fixturePath('clip-256-enhanced', 'checkpoint.pt'), pkg);
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  // Three kinds of file through the real command; decode-jpeg.test.ts checks all nine in-process.
  for (const name of ['astronaut-q90-420', 'astronaut-cmyk-q90', 'coffee-exif-orientation6']) {
    it(`--dump writes input_u8 equal to Pillow's official crop of ${name}, byte for byte`, () => {
      const f = jpegFixtures().find((x) => x.name === name)!;
      const dump = join(tmp, `dump-${name}`);
      const r = tokenize(`--model ${q(pkg)} --image ${q(f.jpegPath)} --dump ${q(dump)}`);
      expect(r.code, r.stderr).toBe(0);
      expect(
        Buffer.from(readFileSync(join(dump, 'input_u8.u8.bin'))).equals(Buffer.from(jpegFixtureBytes(f.crop256))),
      ).toBe(true);
      const manifest = JSON.parse(readFileSync(join(dump, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      if (name.includes('orientation')) {
        expect(r.stderr).toMatch(
          /EXIF orientation 6 \(rotated 90° clockwise when displayed\) not applied: tokenized as stored/,
        );
        expect(manifest).toMatchObject({ exif_orientation: 6, exif_orientation_applied: false });
      } else {
        expect(r.stderr).not.toMatch(/orientation/);
      }
    }, 120_000);
  }

  it('opens a file whose name is not valid UTF-8 (Latin-1 "café.jpg")', () => {
    const dir = join(tmp, 'latin1');
    mkdirSync(dir);
    const f = jpegFixtures()[0];
    writeFileSync(
      Buffer.concat([Buffer.from(dir + '/caf'), Buffer.from([0xe9]), Buffer.from('.jpg')]),
      readFileSync(f.jpegPath),
    );
    const r = tokenize(`--model ${q(pkg)} --image ${q(dir)}/caf$'\\xe9'.jpg`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('caf\\xe9.jpg 512x512');
  }, 120_000);

  it("refuses a PNG over Pillow's decompression-bomb limit from its header, with Pillow's numbers", () => {
    const bomb = join(tmp, 'bomb.png');
    writeFileSync(bomb, pngHeaderOnly(20000, 20000));
    const r = tokenize(`--model ${q(pkg)} --image ${q(bomb)}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /bomb\.png: the image is 20000x20000 = 400,000,000 pixels, over Pillow's decompression-bomb limit of 178,956,970 pixels/,
    );
    expect(r.stderr).toContain('89,478,485');
  }, 120_000);

  it('--dump refuses a folder with files in it and leaves them alone; --force writes anyway', () => {
    const dump = join(tmp, 'mine');
    mkdirSync(dump);
    writeFileSync(join(dump, 'manifest.json'), 'my own notes');
    const image = fixturePath('clip-256-enhanced', 'coffee', 'source.png');
    const refused = tokenize(`--model ${q(pkg)} --image ${q(image)} --dump ${q(dump)}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        '--dump .*mine is not empty \\(1 entries, e\\.g\\. manifest\\.json\\); ' +
          'its files would be overwritten: choose a new folder, or add --force',
      ),
    );
    expect(readFileSync(join(dump, 'manifest.json'), 'utf8')).toBe('my own notes');
    expect(existsSync(join(dump, 'input_u8.u8.bin'))).toBe(false);
    const forced = tokenize(`--model ${q(pkg)} --image ${q(image)} --dump ${q(dump)} --force`);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(dump, 'input_u8.u8.bin'))).toBe(true);
  }, 120_000);
});
