import { describe, expect, it } from 'vitest';
import { createTokenFile, parseTokenFile, serializeTokenFile } from './token-json.ts';
import { testManifest } from '../../test-support/test-manifest.ts';

const manifest = testManifest();
const indices = Int32Array.from({ length: manifest.numTokens }, (_, t) => (t * 37) % manifest.codebookSize);

describe('token JSON', () => {
  it('round-trips: export, serialise, parse back to the same indices', () => {
    const file = createTokenFile({ manifest, indices, weights: { semantic: 1, pixel: 1 }, image: 'astronaut.png' });
    expect(file.scales).toEqual(manifest.scales);
    expect(file.indices.map((r) => r.length)).toEqual(manifest.scales.map((s) => s * s));
    const text = serializeTokenFile(file);
    expect(text.split('\n').length).toBeGreaterThan(manifest.scales.length);
    const parsed = parseTokenFile(text, manifest);
    expect(Array.from(parsed.indices)).toEqual(Array.from(indices));
    expect(parsed.file).toEqual(file);
    expect(parsed.warnings).toEqual([]);
  });

  it('records whether an EXIF orientation was applied, and reads it back', () => {
    const file = createTokenFile({
      manifest,
      indices,
      image: 'phone.jpg',
      imageOrientation: { exif: 6, applied: true },
    });
    expect(JSON.parse(serializeTokenFile(file)).imageOrientation).toEqual({ exif: 6, applied: true });
    expect(parseTokenFile(serializeTokenFile(file), manifest).file.imageOrientation).toEqual({
      exif: 6,
      applied: true,
    });
    expect(createTokenFile({ manifest, indices }).imageOrientation).toBeUndefined();
    const bad = JSON.stringify({ ...file, imageOrientation: { exif: 9, applied: true } });
    expect(() => parseTokenFile(bad, manifest)).toThrow(
      '"imageOrientation" must be {"exif": 1…8, "applied": true|false}',
    );
  });

  it('accepts a prefix of the scales (progressive tokens) and a bare array of arrays', () => {
    const prefix = indices.slice(0, 1 + 4 + 16);
    const file = createTokenFile({ manifest, indices: prefix });
    expect(file.scales).toEqual([1, 2, 4]);
    expect(Array.from(parseTokenFile(JSON.stringify(file), manifest).indices)).toEqual(Array.from(prefix));
    expect(Array.from(parseTokenFile('[[7],[1,2,3,4]]', manifest).indices)).toEqual([7, 1, 2, 3, 4]);
  });

  it('names what is wrong', () => {
    const good = createTokenFile({ manifest, indices });
    const bad = (patch: object) => JSON.stringify({ ...good, ...patch });
    expect(() => parseTokenFile('{', manifest)).toThrow(/does not parse/);
    expect(() => parseTokenFile(bad({ format: 'other' }), manifest)).toThrow('"format" is "other"');
    expect(() => parseTokenFile(bad({ model: { ...good.model, codebookSize: 32768 } }), manifest)).toThrow(
      'K=32768 codes, but test CLIP-256 has K=4096',
    );
    expect(() => parseTokenFile(bad({ scales: [1, 3] }), manifest)).toThrow(
      "[1,3], which is not a prefix of test CLIP-256's scales",
    );
    expect(() => parseTokenFile(bad({ indices: good.indices.slice(0, 3) }), manifest)).toThrow(
      '"indices" has 3 arrays but "scales" lists 9',
    );
    const wrongRow = good.indices.map((r, i) => (i === 2 ? r.slice(1) : r));
    expect(() => parseTokenFile(bad({ indices: wrongRow }), manifest)).toThrow(
      '"indices"[2] (scale 4×4) must hold 16 indices, got 15',
    );
    const outOfRange = good.indices.map((r, i) => (i === 1 ? [0, 0, 4096, 0] : r));
    expect(() => parseTokenFile(bad({ indices: outOfRange }), manifest)).toThrow(
      '"indices"[1][2] (scale 2×2, row 1, column 0) is 4096, not an integer in [0, 4096)',
    );
  });

  it('warns, without refusing, when another model of the same geometry made the tokens', () => {
    const text = JSON.stringify(createTokenFile({ manifest: testManifest({ name: 'other' }), indices }));
    expect(parseTokenFile(text, manifest).warnings[0]).toMatch(/made by "other"/);
  });
});
