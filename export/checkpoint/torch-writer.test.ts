import { describe, expect, it } from 'vitest';
import { memorySink } from '../../src/core/bytes/byte-sink.ts';
import { memorySource } from '../../src/core/bytes/byte-source.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { PyObject } from './pickle.ts';
import type { LoadedCheckpoint } from './state-dict.ts';
import { readTorchCheckpoint, TorchTensor } from './torch-checkpoint.ts';
import { writeTorchCheckpoint, type StateDictEntrySpec, type TorchCheckpointSpec } from './torch-writer.ts';
import { ZipArchive } from './zip-reader.ts';

async function write(spec: TorchCheckpointSpec): Promise<Uint8Array> {
  const sink = memorySink();
  await writeTorchCheckpoint(sink, spec);
  expect(sink.closed).toBe(true);
  return sink.bytes();
}

async function roundTrip(spec: TorchCheckpointSpec, name = 'written.pt'): Promise<LoadedCheckpoint> {
  return loadCheckpoint(memorySource(await write(spec), name));
}

async function read(ckpt: LoadedCheckpoint, key: string): Promise<number[]> {
  const entry = ckpt.stateDict.get(key);
  if (!entry) throw new Error(`no tensor '${key}' (have ${[...ckpt.stateDict.keys()].join(', ')})`);
  return [...(await entry.readFloat32())];
}

const ramp = (n: number, start = 0): Float32Array => Float32Array.from({ length: n }, (_, i) => start + i);

describe('torch writer → reader round trip', () => {
  it('float32 values, shapes and key order survive; the trainer extras are there', async () => {
    const ckpt = await roundTrip({
      model: [
        { key: 'encoder.conv_in.weight', shape: [4, 3, 2, 2], values: () => ramp(48, -10.25) },
        { key: 'encoder.conv_in.bias', shape: [4], values: () => Float32Array.of(0.1, -0, Infinity, -3e-39) },
        { key: 'scalar', shape: [], values: () => Float32Array.of(42.5) },
        { key: 'empty', shape: [0, 3], values: () => new Float32Array(0) },
      ],
    });
    expect(ckpt.weightsKey).toBe('model');
    expect(ckpt.topLevelKeys).toEqual(['model', 'optimizer', 'discriminator', 'optimizer_disc', 'steps', 'args']);
    expect([...ckpt.stateDict.keys()]).toEqual(['encoder.conv_in.weight', 'encoder.conv_in.bias', 'scalar', 'empty']);
    expect(ckpt.stateDict.get('encoder.conv_in.weight')!.shape).toEqual([4, 3, 2, 2]);
    expect(await read(ckpt, 'encoder.conv_in.weight')).toEqual([...ramp(48, -10.25)]);
    const bias = await read(ckpt, 'encoder.conv_in.bias');
    expect(bias).toEqual([Math.fround(0.1), -0, Infinity, Math.fround(-3e-39)]);
    expect(Object.is(bias[1], -0)).toBe(true);
    expect(await read(ckpt, 'scalar')).toEqual([42.5]);
    expect(ckpt.stateDict.get('scalar')!.shape).toEqual([]);
    expect(await read(ckpt, 'empty')).toEqual([]);
  });

  it('float16 and bfloat16 storages widen exactly to the rounded values', async () => {
    const values = Float32Array.of(0.1, 1 / 3, -65504, 70000, 2 ** -24, 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, NaN);
    const ckpt = await roundTrip({
      model: [
        { key: 'h', shape: [values.length], dtype: 'float16', values: () => values },
        { key: 'b', shape: [values.length], dtype: 'bfloat16', values: () => values },
      ],
    });
    expect(ckpt.stateDict.get('h')!.dtype).toBe('float16');
    expect(ckpt.stateDict.get('b')!.dtype).toBe('bfloat16');
    // float16 by hand: nearest representable, ties to even, overflow → -Inf/+Inf.
    expect(await read(ckpt, 'h')).toEqual([
      0.0999755859375,
      0.333251953125,
      -65504,
      Infinity,
      2 ** -24,
      0,
      1,
      1 + 4 * 2 ** -11,
      NaN,
    ]);
    // bfloat16 keeps 8 mantissa bits.
    expect(await read(ckpt, 'b')).toEqual([0.10009765625, 0.333984375, -65536, 70144, 2 ** -24, 2 ** -25, 1, 1, NaN]);
  });

  it('int64 storages convert by value (beyond 2^24 rounding like tensor.float())', async () => {
    const ckpt = await roundTrip({
      model: [
        {
          key: 'n',
          shape: [5],
          dtype: 'int64',
          values: () => BigInt64Array.of(0n, -1n, 123456789n, 2n ** 40n + 1n, -(2n ** 62n)),
        },
      ],
    });
    expect(ckpt.stateDict.get('n')!.dtype).toBe('int64');
    expect(await read(ckpt, 'n')).toEqual([0, -1, Math.fround(123456789), 2 ** 40, -(2 ** 62)]);
  });

  it('views into a shared storage honour storage offset and strides', async () => {
    // base[i][j] = 10 * i + j, 4 x 6
    const base = Float32Array.from({ length: 24 }, (_, k) => 10 * Math.floor(k / 6) + (k % 6));
    const cube = ramp(2 * 3 * 4); // [2,3,4]
    const model: StateDictEntrySpec[] = [
      { key: 'base', shape: [4, 6], values: () => base },
      { key: 'transposed', view: { of: 'base', offset: 0, shape: [6, 4], stride: [1, 6] } },
      { key: 'row2', view: { of: 'base', offset: 12, shape: [6], stride: [1] } },
      { key: 'every_other_col_rows_1_3', view: { of: 'base', offset: 7, shape: [2, 3], stride: [12, 2] } },
      { key: 'element_3_5', view: { of: 'base', offset: 23, shape: [], stride: [] } },
      { key: 'broadcast', view: { of: 'base', offset: 2, shape: [3, 2], stride: [0, 1] } },
      { key: 'cube', shape: [2, 3, 4], values: () => cube },
      { key: 'cube_permuted', view: { of: 'cube', offset: 0, shape: [4, 2, 3], stride: [1, 12, 4] } },
      { key: 'int_base', shape: [6], dtype: 'int64', values: () => BigInt64Array.of(5n, 6n, 7n, 8n, 9n, 10n) },
      { key: 'int_view', view: { of: 'int_base', offset: 1, shape: [2], stride: [3] } },
      { key: 'int_grid', view: { of: 'int_base', offset: 1, shape: [2, 2], stride: [3, 1] } },
      { key: 'int_transposed', view: { of: 'int_base', offset: 0, shape: [2, 2], stride: [1, 3] } },
      { key: 'half_base', shape: [4], dtype: 'float16', values: () => Float32Array.of(1, 2, 3, 4) },
      { key: 'half_view', view: { of: 'half_base', offset: 1, shape: [2], stride: [2] } },
    ];
    const ckpt = await roundTrip({ model });
    expect(await read(ckpt, 'transposed')).toEqual([
      0, 10, 20, 30, 1, 11, 21, 31, 2, 12, 22, 32, 3, 13, 23, 33, 4, 14, 24, 34, 5, 15, 25, 35,
    ]);
    expect(await read(ckpt, 'row2')).toEqual([20, 21, 22, 23, 24, 25]);
    expect(await read(ckpt, 'every_other_col_rows_1_3')).toEqual([11, 13, 15, 31, 33, 35]);
    expect(await read(ckpt, 'element_3_5')).toEqual([35]);
    expect(await read(ckpt, 'broadcast')).toEqual([2, 3, 2, 3, 2, 3]);
    const permuted: number[] = [];
    for (let k = 0; k < 4; k++)
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) permuted.push(cube[i * 12 + j * 4 + k]);
    expect(await read(ckpt, 'cube_permuted')).toEqual(permuted);
    expect(await read(ckpt, 'int_view')).toEqual([6, 9]);
    expect(await read(ckpt, 'int_grid')).toEqual([6, 7, 9, 10]);
    expect(await read(ckpt, 'int_transposed')).toEqual([5, 8, 6, 9]);
    expect(await read(ckpt, 'half_view')).toEqual([2, 4]);
    // Views share their base's storage record, as in a real torch.save file.
    const raw = await readTorchCheckpoint(memorySource(await write({ model, trainerExtras: false }), 'v.pt'));
    const sd = (raw.root as Map<string, unknown>).get('model') as Map<string, TorchTensor>;
    expect(sd.get('transposed')!.record).toBe(sd.get('base')!.record);
    expect(sd.get('row2')!.storageOffset).toBe(12);
    expect(sd.get('transposed')!.stride).toEqual([1, 6]);
  });

  it('any archive folder name, with and without byteorder and version records', async () => {
    for (const spec of [
      { archiveName: 'tokenflow_clipb_32k_enhanced', byteorderRecord: true },
      { archiveName: 'archive', byteorderRecord: false, versionRecord: false },
      { archiveName: 'ünïcode name', byteorderRecord: true, versionRecord: false },
    ]) {
      const bytes = await write({ ...spec, model: [{ key: 'w', shape: [2], values: () => Float32Array.of(1, 2) }] });
      const zip = await ZipArchive.open(memorySource(bytes, 'x.pt'));
      expect(zip.get(`${spec.archiveName}/data.pkl`)).toBeDefined();
      expect(!!zip.get(`${spec.archiveName}/byteorder`)).toBe(spec.byteorderRecord);
      expect(!!zip.get(`${spec.archiveName}/version`)).toBe(spec.versionRecord ?? true);
      const raw = await readTorchCheckpoint(memorySource(bytes, 'x.pt'));
      expect(raw.archiveName).toBe(spec.archiveName);
      const ckpt = await loadCheckpoint(memorySource(bytes, 'x.pt'));
      expect(await read(ckpt, 'w')).toEqual([1, 2]);
    }
  });

  it('every storage record starts on a 64-byte boundary and carries a correct CRC-32', async () => {
    const bytes = await write({
      model: Array.from({ length: 7 }, (_, i) => ({ key: `t${i}`, shape: [i + 1], values: () => ramp(i + 1) })),
      byteorderRecord: true,
    });
    const zip = await ZipArchive.open(memorySource(bytes, 'x.pt'));
    for (const e of zip.entries) {
      if (e.name.includes('/data/')) expect((await zip.dataOffset(e)) % 64, e.name).toBe(0);
      await expect(zip.readEntry(e, e.size)).resolves.toBeInstanceOf(Uint8Array); // checks the CRC
    }
  });

  it('ema wins over model, as in the official readers', async () => {
    const ckpt = await roundTrip({
      model: [{ key: 'w', shape: [2], values: () => Float32Array.of(1, 2) }],
      ema: [{ key: 'w', shape: [2], values: () => Float32Array.of(3, 4) }],
    });
    expect(ckpt.weightsKey).toBe('ema');
    expect(ckpt.topLevelKeys).toEqual([
      'model',
      'optimizer',
      'discriminator',
      'optimizer_disc',
      'steps',
      'args',
      'ema',
    ]);
    expect(await read(ckpt, 'w')).toEqual([3, 4]);
  });

  it('model wins over state_dict; state_dict alone is used; a bare state dict is the top level', async () => {
    const both = await roundTrip({
      state_dict: [{ key: 'w', shape: [1], values: () => Float32Array.of(9) }],
      model: [{ key: 'w', shape: [1], values: () => Float32Array.of(1) }],
      trainerExtras: false,
    });
    expect(both.weightsKey).toBe('model');
    expect(await read(both, 'w')).toEqual([1]);

    const onlySd = await roundTrip({ state_dict: [{ key: 'w', shape: [1], values: () => Float32Array.of(9) }] });
    expect(onlySd.weightsKey).toBe('state_dict');
    expect(onlySd.topLevelKeys).toEqual(['state_dict']);
    expect(await read(onlySd, 'w')).toEqual([9]);

    const bare = await roundTrip({
      bareStateDict: [{ key: 'a.weight', shape: [1], values: () => Float32Array.of(5) }],
    });
    expect(bare.weightsKey).toBe('(top level)');
    expect(bare.topLevelKeys).toEqual(['a.weight']);
    expect(await read(bare, 'a.weight')).toEqual([5]);
  });

  it('strips DDP `module.` and torch.compile `_orig_mod.` prefixes only when every key has them', async () => {
    const ddp = await roundTrip({
      model: [
        { key: 'module.encoder.w', shape: [1], values: () => Float32Array.of(1) },
        { key: 'module.decoder.w', shape: [1], values: () => Float32Array.of(2) },
      ],
    });
    expect([...ddp.stateDict.keys()]).toEqual(['encoder.w', 'decoder.w']);
    expect(ddp.stateDict.get('decoder.w')!.key).toBe('decoder.w');
    expect(await read(ddp, 'decoder.w')).toEqual([2]);

    const compiled = await roundTrip({
      model: [{ key: '_orig_mod.module.x', shape: [1], values: () => Float32Array.of(3) }],
    });
    expect([...compiled.stateDict.keys()]).toEqual(['x']);

    const partial = await roundTrip({
      model: [
        { key: 'module.w', shape: [1], values: () => Float32Array.of(1) },
        { key: 'other.w', shape: [1], values: () => Float32Array.of(2) },
      ],
    });
    expect([...partial.stateDict.keys()]).toEqual(['module.w', 'other.w']);
  });

  it('the trainer extras mirror vq_train.py: Namespace args, Adam state, int64 counter, steps', async () => {
    const bytes = await write({
      model: [
        { key: 'a', shape: [3], values: () => ramp(3) },
        { key: 'b', shape: [2, 2], values: () => ramp(4) },
      ],
      trainerExtras: { steps: 1234, args: { image_size: 256, teacher: 'siglip_384' } },
    });
    const root = (await readTorchCheckpoint(memorySource(bytes, 'x.pt'))).root as Map<string, unknown>;
    expect(root.get('steps')).toBe(1234);
    const args = root.get('args') as PyObject;
    expect(args).toBeInstanceOf(PyObject);
    expect(args.className).toBe('argparse.Namespace');
    expect(args.attributes.get('image_size')).toBe(256);
    expect(args.attributes.get('teacher')).toBe('siglip_384');
    expect(args.attributes.get('lr')).toBe(1e-4);
    const opt = root.get('optimizer') as Map<string, unknown>;
    const group = (opt.get('param_groups') as Map<string, unknown>[])[0];
    expect(group.get('params')).toEqual([0, 1]);
    expect(group.get('betas')).toEqual([0.9, 0.95]);
    expect(group.get('amsgrad')).toBe(false);
    const state = (opt.get('state') as Map<number, Map<string, TorchTensor>>).get(1)!;
    expect(state.get('step')!.shape).toEqual([]);
    expect([...(await state.get('step')!.readFloat32())]).toEqual([1234]);
    expect(state.get('exp_avg')!.shape).toEqual([2, 2]);
    const counter = (root.get('discriminator') as Map<string, TorchTensor>).get('main.3.num_batches_tracked')!;
    expect(counter.dtype).toBe('int64');
    expect([...(await counter.readFloat32())]).toEqual([1234]);
  });

  it('forced Zip64 records are read back', async () => {
    const ckpt = await roundTrip({
      forceZip64: true,
      byteorderRecord: true,
      model: [{ key: 'w', shape: [3], values: () => Float32Array.of(7, 8, 9) }],
    });
    expect(await read(ckpt, 'w')).toEqual([7, 8, 9]);
  });

  it('refuses specs that cannot be written', async () => {
    await expect(write({ model: [{ key: 'w', shape: [3], values: () => Float32Array.of(1) }] })).rejects.toThrow(
      /'w' generated 1 values for 3/,
    );
    await expect(
      write({ model: [{ key: 'v', view: { of: 'nope', offset: 0, shape: [1], stride: [1] } }] }),
    ).rejects.toThrow(/'nope'/);
    await expect(
      write({
        model: [
          { key: 'w', shape: [3], values: () => ramp(3) },
          { key: 'v', view: { of: 'w', offset: 2, shape: [2], stride: [1] } },
        ],
      }),
    ).rejects.toThrow(/reaches element 3 of 'w'/);
    await expect(write({})).rejects.toThrow(/no model/);
  });
});
