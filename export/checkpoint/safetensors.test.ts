import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/core/bytes/byte-source.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { readSafetensors } from './safetensors.ts';
import { concatBytes } from '../../src/test-support/concat-bytes.ts';

/** Builds a safetensors file by hand: u64 header length, space-padded JSON, data. */
function safetensors(header: Record<string, unknown>, data: Uint8Array, pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) while ((8 + json.length) % 8) json += ' ';
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('safetensors', () => {
  const data = concatBytes(
    new Float32Array([1, 2, 3, 4]), // w: 0..16
    Uint16Array.of(0x3c00, 0xc000, 0x7c00), // h: 16..22 (1, -2, inf)
    Uint16Array.of(0x3dcd, 0xbf80), // b: 22..26 (0.10009765625, -1)
    // No padding (the format tiles the buffer): int64 at an offset that is not a multiple of 8.
    new BigInt64Array([-3n, 5n]), // i: 26..42
    Uint8Array.of(0, 7, 1), // z (BOOL): 42..45
    Int8Array.of(-8), // c (I8): 45..46
    new Float64Array([0.1]), // d (F64): 46..54
  );
  const header = {
    __metadata__: { format: 'pt' },
    z: { dtype: 'BOOL', shape: [3], data_offsets: [42, 45] },
    w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
    h: { dtype: 'F16', shape: [3], data_offsets: [16, 22] },
    b: { dtype: 'BF16', shape: [2], data_offsets: [22, 26] },
    i: { dtype: 'I64', shape: [2], data_offsets: [26, 42] },
    c: { dtype: 'I8', shape: [], data_offsets: [45, 46] },
    d: { dtype: 'F64', shape: [1], data_offsets: [46, 54] },
  };

  it('reads every dtype lazily, in file order, and ignores __metadata__', async () => {
    const file = await readSafetensors(memorySource(safetensors(header, data), 'm.safetensors'));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect([...file.tensors.keys()]).toEqual(['w', 'h', 'b', 'i', 'z', 'c', 'd']);
    const got = async (k: string) => [...(await file.tensors.get(k)!.readFloat32())];
    expect(file.tensors.get('w')!.shape).toEqual([2, 2]);
    expect(await got('w')).toEqual([1, 2, 3, 4]);
    expect(await got('h')).toEqual([1, -2, Infinity]);
    expect(await got('b')).toEqual([0.10009765625, -1]);
    expect(await got('i')).toEqual([-3, 5]);
    expect(await got('z')).toEqual([0, 1, 1]);
    expect(await got('c')).toEqual([-8]);
    expect(await got('d')).toEqual([Math.fround(0.1)]);
    expect(file.tensors.get('h')!.dtype).toBe('float16');
  });

  it('is recognised by loadCheckpoint (also with an unpadded header)', async () => {
    const ckpt = await loadCheckpoint(memorySource(safetensors(header, data, false), 'm.safetensors'));
    expect(ckpt.format).toBe('safetensors');
    expect(ckpt.weightsKey).toBe('(top level)');
    expect(ckpt.topLevelKeys).toEqual([]);
    expect(ckpt.stateDict.size).toBe(7);
  });

  it('refuses bad headers, naming the tensor', async () => {
    const bad = async (h: Record<string, unknown>, d = data) =>
      readSafetensors(memorySource(safetensors(h, d), 'bad.safetensors'));
    await expect(bad({ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } })).rejects.toThrow(
      /bad\.safetensors: tensor 'w' has dtype "F8_E4M3"/,
    );
    await expect(bad({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } })).rejects.toThrow(
      /tensor 'w': shape \[3\] F32 needs 12 bytes but data_offsets span 16/,
    );
    await expect(bad({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, new Uint8Array(8))).rejects.toThrow(
      /tensor 'w' ends at data byte 16, past the end.*truncated/,
    );
    await expect(bad({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } })).rejects.toThrow(
      /tensor 'w' has shape/,
    );
    const notJson = safetensors({}, new Uint8Array(0));
    notJson[9] = 0x7b;
    notJson[10] = 0x7b;
    await expect(readSafetensors(memorySource(notJson, 'j.safetensors'))).rejects.toThrow(
      /j\.safetensors: the safetensors header is not valid JSON/,
    );
    const longHeader = safetensors(header, data);
    new DataView(longHeader.buffer).setUint32(0, 1_000_000, true);
    await expect(readSafetensors(memorySource(longHeader, 't.safetensors'))).rejects.toThrow(
      /t\.safetensors: the safetensors header .* runs past the end of the file.*truncated/,
    );
  });

  // Regression (issue 11): both exported with exit 0 and garbage weights; the reference reader refuses both.
  describe('headers that lie about the layout', () => {
    const w = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    /** F32 tensors given by their data byte ranges; each shape follows from its range. */
    const file = (ranges: Record<string, readonly [number, number]>) => {
      const header = Object.fromEntries(
        Object.entries(ranges).map(([name, [from, to]]) => [
          name,
          { dtype: 'F32', shape: [(to - from) / 4], data_offsets: [from, to] },
        ]),
      );
      return readSafetensors(memorySource(safetensors(header, w), 'lie.safetensors'));
    };

    it('two tensors sharing bytes', async () => {
      const h = { a: [0, 8], b: [4, 12], c: [12, 16] } as const;
      await expect(file(h)).rejects.toThrow(
        "lie.safetensors: tensor 'b' (data bytes 4..12) overlaps tensor 'a' (data bytes 0..8); the safetensors header is corrupt",
      );
      const same = { a: [0, 16], b: [0, 16] } as const;
      await expect(file(same)).rejects.toThrow(/tensor '[ab]' \(data bytes 0\.\.16\) overlaps tensor '[ab]'/);
    });

    it('offsets shifted by 4 bytes, leaving a gap', async () => {
      const shifted = { a: [4, 8], b: [8, 16] } as const;
      await expect(file(shifted)).rejects.toThrow(
        "lie.safetensors: tensor 'a' (data bytes 4..8) leaves a gap of 4 bytes after the start of the data; " +
          'the safetensors header is corrupt',
      );
      const middle = { a: [0, 4], b: [8, 16] } as const;
      await expect(file(middle)).rejects.toThrow(
        "tensor 'b' (data bytes 8..16) leaves a gap of 4 bytes after tensor 'a' (which ends at data byte 4)",
      );
    });

    it('data bytes at the end that belong to no tensor', async () => {
      const short = { a: [0, 12] } as const;
      await expect(file(short)).rejects.toThrow(
        'lie.safetensors: the tensors cover 12 of the 16 data bytes; 4 bytes at the end belong to no tensor',
      );
    });

    it('zero-size tensors take no bytes and break nothing', async () => {
      const h = { e: [8, 8], a: [0, 8], b: [8, 16] } as const;
      expect([...(await file(h)).tensors.keys()]).toEqual(['a', 'e', 'b']);
    });
  });
});
