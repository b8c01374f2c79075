import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../test-support/suite-temp-dir.ts';
import { TokenFileReader, TokenFileWriter, decodeTokenHeader, tokenFileLayout } from './token-file.ts';

describe('tokens.bin', () => {
  const dir = suiteTempDir('tf-tokens-');

  const header = { codebookSize: 2048, scales: [1, 2, 3], meta: { model: 'test', fingerprint: 'abc' } };

  it('round-trips records as documented: magic, u32 header fields, uint16 little-endian indices, scale-major', async () => {
    const path = join(dir(), 'a.bin');
    const w = TokenFileWriter.open(path, header);
    expect(w.append(Array.from({ length: 14 }, (_, i) => i * 100))).toBe(0);
    expect(w.append(new Int32Array(14).fill(2047))).toBe(1);
    w.close();

    const bytes = new Uint8Array(await readFile(path));
    const view = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('TFTOKv1\n');
    const H = view.getUint32(8, true);
    expect(H % 16).toBe(0);
    expect([
      view.getUint32(12, true),
      view.getUint32(16, true),
      view.getUint32(20, true),
      view.getUint32(24, true),
    ]).toEqual([2048, 2, 14, 3]);
    expect([view.getUint32(28, true), view.getUint32(32, true), view.getUint32(36, true)]).toEqual([1, 2, 3]);
    const metaLength = view.getUint32(40, true);
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(44, 44 + metaLength)))).toEqual(header.meta);
    expect(bytes.length).toBe(H + 2 * 14 * 2);
    expect(view.getUint16(H + 2 * 13, true)).toBe(1300); // record 0, token 13 (scale 3, row 2, col 2)
    expect(view.getUint16(H + 28, true)).toBe(2047);

    const r = TokenFileReader.open(path);
    expect(r.records).toBe(2);
    expect(Array.from(r.read(0))).toEqual(Array.from({ length: 14 }, (_, i) => i * 100));
    expect(() => r.read(2)).toThrow(/token record 2 is outside \[0, 2\)/);
    r.close();
  });

  it('uses 4-byte indices past K = 65536', () => {
    expect(tokenFileLayout({ ...header, codebookSize: 65536 }).bytesPerIndex).toBe(2);
    expect(tokenFileLayout({ ...header, codebookSize: 65537 }).bytesPerIndex).toBe(4);
  });

  it('reopening keeps exactly the records the log knows, and refuses another model layout', async () => {
    const path = join(dir(), 'b.bin');
    const w = TokenFileWriter.open(path, header);
    for (let i = 0; i < 3; i++) w.append(new Array(14).fill(i));
    w.close();
    const again = TokenFileWriter.open(path, header, 2);
    expect(again.records).toBe(2);
    expect(again.append(new Array(14).fill(9))).toBe(2);
    again.close();
    const r = TokenFileReader.open(path);
    expect(Array.from(r.read(2))).toEqual(new Array(14).fill(9));
    r.close();
    expect(() => TokenFileWriter.open(path, { ...header, scales: [1, 2] }, 1)).toThrow(
      /holds tokens for K=2048, scales \[1, 2, 3\], not this model's K=2048, scales \[1, 2\]/,
    );
    await truncate(path, (await readFile(path)).length - 3);
    expect(() => TokenFileWriter.open(path, header, 3)).toThrow(
      /has 2 complete token records but results\.jsonl refers to 3/,
    );
  });

  it('rejects out-of-range codes and foreign files, naming the file', async () => {
    const path = join(dir(), 'c.bin');
    const w = TokenFileWriter.open(path, header);
    expect(() => w.append(new Array(14).fill(2048))).toThrow(/c\.bin: token 0 is 2048, outside \[0, K=2048\)/);
    w.close();
    expect(() => decodeTokenHeader(new TextEncoder().encode('P6 not tokens at all, really not'), 'x.bin')).toThrow(
      /x\.bin: not a token file/,
    );
  });
});
