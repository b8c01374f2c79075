import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { displayPath, pathFromDisplay, resolveArgvPath } from './path-bytes.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('file names as bytes, shown escaped', () => {
  it('shows valid UTF-8 names without a backslash as they are', () => {
    expect(displayPath(bytes('photos/café.jpg'))).toBe('photos/café.jpg');
    expect(displayPath('photos/café.jpg')).toBe('photos/café.jpg');
  });

  it('escapes bytes that are not UTF-8 and doubles backslashes, so two Latin-1 names stay two', () => {
    const e9 = bytes('caf', [0xe9], '.jpg');
    const e8 = bytes('caf', [0xe8], '.jpg');
    expect(displayPath(e9)).toBe('caf\\xe9.jpg');
    expect(displayPath(e8)).toBe('caf\\xe8.jpg');
    expect(displayPath(bytes('a\\b'))).toBe('a\\\\b');
    expect(displayPath(bytes('a\\', [0xff], 'é'))).toBe('a\\\\\\xffé');
    // A name whose text is literally "caf\xe9.jpg" shows its backslash doubled: no collision.
    expect(displayPath(bytes('caf\\xe9.jpg'))).toBe('caf\\\\xe9.jpg');
  });

  it('gives the exact bytes back from what it showed', () => {
    for (const name of [
      bytes('plain.png'),
      bytes('caf', [0xe9], '.jpg'),
      bytes('a\\b'),
      bytes('x', [0xc3], '/', [0xff, 0xfe], 'ü\\', [0x80]),
    ]) {
      expect(pathFromDisplay(displayPath(name)).equals(name)).toBe(true);
    }
    expect(() => pathFromDisplay('a\\qb')).toThrow(/lone backslash/);
  });

  it('fuzzed: every byte string shows as a string that gives it back, and two names never show alike', () => {
    // Bytes biased towards the interesting ones: backslash, 'x', hex digits, UTF-8 lead and continuation bytes.
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x5c, 0x78, 0x65, 0x39, 0xc3, 0xa9, 0xe2, 0x82, 0xf0, 0x9f, 0x80, 0xff),
    );
    const name = fc.array(byte, { maxLength: 12 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(pathFromDisplay(displayPath(a)).equals(a)).toBe(true);
        if (!a.equals(b)) expect(displayPath(a)).not.toBe(displayPath(b));
      }),
      { seed: 20261203, numRuns: 3000 },
    );
  });
});

describe('a command-line path that lost its bytes to UTF-8 decoding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tf-argv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the one file whose name decodes to the argument, and refuses when two do', async () => {
    writeFileSync(bytes(dir, '/caf', [0xe9], '.jpg'), 'x');
    const found = await resolveArgvPath(join(dir, 'caf\uFFFD.jpg'));
    expect(Buffer.isBuffer(found) && found.equals(bytes(dir, '/caf', [0xe9], '.jpg'))).toBe(true);
    expect(await resolveArgvPath(join(dir, 'plain.jpg'))).toBe(join(dir, 'plain.jpg'));
    writeFileSync(bytes(dir, '/caf', [0xe8], '.jpg'), 'x');
    await expect(resolveArgvPath(join(dir, 'caf\uFFFD.jpg'))).rejects.toThrow(
      /2 files in .* have this name once decoded \(caf\\xe8\.jpg, caf\\xe9\.jpg\)|2 files in .* \(caf\\xe9\.jpg, caf\\xe8\.jpg\)/,
    );
  });
});
