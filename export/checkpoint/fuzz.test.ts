/**
 * Property-based fuzzing of the checkpoint readers (zip + pickle, safetensors, the unpickler on
 * its own) with a fixed seed and a fixed budget, so it runs in `npm test` in a few seconds and
 * fails the same way every time. Inputs are real files (the fixtures' checkpoint.pt) and files
 * our writer synthesises, with bytes overwritten, fields set to extreme values, truncated,
 * inserted or deleted. The property: the reader returns or throws a CheckpointError — never a
 * raw RangeError/TypeError, never a hang, never a read past the end of the file, never a tensor
 * larger than the file could hold.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { memorySink } from '../../src/core/bytes/byte-sink.ts';
import type { ByteSource } from '../../src/core/bytes/byte-source.ts';
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { unpickle } from './pickle.ts';
import { OP } from './pickle-opcodes.ts';
import { PickleWriter, PyFloat, PyTupleValue, type PickleValue } from './pickle-writer.ts';
import { torchGlobals, torchPersistentLoad } from './torch-pickle.ts';
import { writeTorchCheckpoint } from './torch-writer.ts';
import { ZipArchive } from './zip-reader.ts';
import { ZipWriter } from './zip-writer.ts';
import { concatBytes } from '../../src/test-support/concat-bytes.ts';
import { FIXTURE_NAMES, fixturePath } from '../../src/test-support/fixtures.ts';

const SEED = 20261203;
/** Per-run limit: a reader that loops or waits forever fails here instead of stalling the suite. */
const RUN_TIMEOUT_MS = 5000;

/** An edit of a file: overwrite bytes at `at`, or cut the file, or insert/delete bytes. */
type Mutation =
  | { readonly kind: 'overwrite'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number };

/** Values that hit length and offset fields where they hurt: 0, all ones, sign bits, 2^31. */
const extremeField = fc.constantFrom(
  Uint8Array.of(0, 0, 0, 0),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0xff, 0xff, 0xff, 0x7f),
  Uint8Array.of(0, 0, 0, 0x80),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
  Uint8Array.of(0xff, 0xff),
  Uint8Array.of(0x80),
);
const someBytes = fc.oneof(extremeField, fc.uint8Array({ minLength: 1, maxLength: 8 }));

/** Positions anywhere, and more often inside the regions that hold structure. */
function position(size: number, hot: readonly (readonly [number, number])[]): fc.Arbitrary<number> {
  return fc.oneof(
    fc.nat(size - 1),
    ...hot.filter(([a, b]) => b > a).map(([a, b]) => fc.integer({ min: a, max: Math.min(b, size) - 1 })),
  );
}

function mutations(
  size: number,
  hot: readonly (readonly [number, number])[],
  shifting: boolean,
): fc.Arbitrary<Mutation[]> {
  const at = position(size, hot);
  // Mostly overwrites: a truncated or shifted file is refused early, an overwritten one goes deep.
  const one: fc.WeightedArbitrary<Mutation>[] = [
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('overwrite' as const), at, bytes: someBytes }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at }) },
  ];
  if (shifting) {
    one.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, bytes: someBytes }) });
    one.push({
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 16 }) }),
    });
  }
  return fc.array(fc.oneof(...one), { minLength: 1, maxLength: 3 });
}

function applyAll(file: Uint8Array, edits: readonly Mutation[]): Uint8Array {
  let out = file;
  for (const m of edits) {
    const at = Math.min(m.at, out.length);
    if (m.kind === 'overwrite') {
      out = out.slice();
      out.set(m.bytes.subarray(0, out.length - at), at);
    } else if (m.kind === 'truncate') out = out.subarray(0, at);
    else if (m.kind === 'insert') out = concatBytes(out.subarray(0, at), m.bytes, out.subarray(at));
    else out = concatBytes(out.subarray(0, at), out.subarray(Math.min(out.length, at + m.count)));
  }
  return out;
}

/**
 * A source over a big file with in-place edits (overwrite, truncate) applied on the fly, so
 * mutating a 23 MB fixture costs no copy. A read past the end is a reader bug (every length is
 * validated against the file first), so it is recorded, not just refused.
 */
class FuzzSource implements ByteSource {
  readonly size: number;
  overreads = 0;
  largestRead = 0;

  constructor(
    private readonly base: Uint8Array,
    private readonly edits: readonly Mutation[],
    readonly name = 'fuzz.pt',
  ) {
    this.size = edits.reduce((n, m) => (m.kind === 'truncate' ? Math.min(n, m.at) : n), base.length);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.largestRead = Math.max(this.largestRead, length);
    if (!(offset >= 0 && length >= 0 && offset + length <= this.size)) {
      this.overreads++;
      throw new Error(`${this.name}: the reader asked for ${length} bytes at ${offset} of ${this.size}`);
    }
    const out = this.base.slice(offset, offset + length);
    for (const m of this.edits) {
      if (m.kind !== 'overwrite') continue;
      for (let i = 0; i < m.bytes.length; i++) {
        const p = m.at + i - offset;
        if (p >= 0 && p < length) out[p] = m.bytes[i];
      }
    }
    return out;
  }
}

/** Loads and reads tensors; resolves, or rejects with what the reader threw. */
async function readCheckpoint(source: FuzzSource, maxTensors = Infinity, pick = 0): Promise<void> {
  const ckpt = await loadCheckpoint(source);
  const entries = [...ckpt.stateDict.values()];
  const chosen =
    entries.length <= maxTensors ? entries : [entries[0], entries[entries.length - 1], entries[pick % entries.length]];
  for (const entry of chosen) {
    const values = await entry.readFloat32();
    // Never more elements than the file has bytes: shapes are checked against records before reading.
    if (values.length > source.size)
      throw new Error(`tensor '${entry.key}' has ${values.length} values from a ${source.size}-byte file`);
  }
}

/** The property every fuzz case checks. */
async function expectReturnsOrCheckpointError(run: () => Promise<void>, source?: FuzzSource): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!(e instanceof CheckpointError))
      throw new Error(`expected a CheckpointError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  if (source && source.overreads > 0)
    throw new Error(`the reader read past the end of the file ${source.overreads} times`);
  if (source && source.largestRead > source.size)
    throw new Error(`a read of ${source.largestRead} bytes from a ${source.size}-byte file`);
}

async function zipLayout(file: Uint8Array): Promise<[number, number][]> {
  const zip = await ZipArchive.open(new FuzzSource(file, []));
  const pkl = zip.entries.find((e) => e.name.endsWith('/data.pkl'))!;
  const pklStart = await zip.dataOffset(pkl);
  // The central directory and end records follow the last record's data.
  let cdStart = 0;
  for (const e of zip.entries) cdStart = Math.max(cdStart, (await zip.dataOffset(e)) + e.compressedSize);
  // The first local headers, data.pkl (a mutation there mostly fails its CRC), the directory.
  return [
    [0, 256],
    [pklStart, pklStart + pkl.size],
    [cdStart, file.length],
    [cdStart, file.length],
  ];
}

async function synthesised(options: { zip64?: boolean; extras?: boolean } = {}): Promise<Uint8Array> {
  const sink = memorySink();
  await writeTorchCheckpoint(sink, {
    byteorderRecord: true,
    forceZip64: options.zip64,
    model: [
      { key: 'a.weight', shape: [3, 4], values: () => Float32Array.from({ length: 12 }, (_, i) => i - 5) },
      { key: 'a.bias', shape: [3], dtype: 'float16', values: () => Float32Array.of(0.5, -1, 2) },
      { key: 'b.weight', shape: [2, 2], dtype: 'bfloat16', values: () => Float32Array.of(1, 2, 3, 4) },
      { key: 'steps', shape: [1], dtype: 'int64', values: () => BigInt64Array.of(7n) },
      { key: 'a.t', view: { of: 'a.weight', offset: 1, shape: [4, 2], stride: [1, 4] } },
    ],
    trainerExtras: options.extras ?? false,
  });
  return sink.bytes();
}

/** A checkpoint's data.pkl record, inflated. */
async function readPickle(file: Uint8Array): Promise<Uint8Array> {
  const zip = await ZipArchive.open(new FuzzSource(file, []));
  return zip.readEntry(
    zip.entries.find((e) => e.name.endsWith('/data.pkl'))!,
    file.length,
  );
}

/** The same checkpoint with its data.pkl replaced (and its CRC-32 right), so a mutated pickle gets past the zip layer. */
async function withPickle(file: Uint8Array, pickle: Uint8Array): Promise<Uint8Array> {
  const zip = await ZipArchive.open(new FuzzSource(file, []));
  const sink = memorySink();
  const out = new ZipWriter(sink);
  for (const e of zip.entries) {
    await out.addStored(e.name, e.name.endsWith('/data.pkl') ? pickle : await zip.readRange(e, 0, e.size));
  }
  await out.finish();
  return sink.bytes();
}

function safetensorsFile(
  tensors: readonly { key: string; dtype: string; shape: number[]; bytes: number }[],
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let at = 0;
  for (const t of tensors) {
    header[t.key] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.bytes] };
    at += t.bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + at);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  for (let i = 8 + json.length; i < out.length; i++) out[i] = (i * 37) & 0xff;
  return out;
}

const fuzzOptions = (numRuns: number) => ({ seed: SEED, numRuns, timeout: RUN_TIMEOUT_MS, endOnFailure: true });

describe('fuzz: torch.save zip checkpoints', () => {
  let small: Uint8Array;
  let small64: Uint8Array;
  let trainer: Uint8Array;
  beforeAll(async () => {
    small = await synthesised();
    small64 = await synthesised({ zip64: true });
    trainer = await synthesised({ extras: true });
  });

  it.each([
    ['a small synthesised checkpoint', () => small],
    ['the same with Zip64 records everywhere', () => small64],
    ['a trainer checkpoint (optimizer, args, discriminator)', () => trainer],
  ])('%s, mutated: returns or throws a CheckpointError', async (_, file) => {
    const bytes = file();
    const hot = await zipLayout(bytes);
    await fc.assert(
      fc.asyncProperty(mutations(bytes.length, hot, true), async (edits) => {
        const source = new FuzzSource(applyAll(bytes, edits), []);
        await expectReturnsOrCheckpointError(() => readCheckpoint(source), source);
      }),
      fuzzOptions(150),
    );
  });

  it('a trainer checkpoint whose data.pkl is mutated (with a matching CRC-32): returns or throws a CheckpointError', async () => {
    const pkl = await readPickle(trainer);
    await fc.assert(
      fc.asyncProperty(mutations(pkl.length, [[0, pkl.length]], true), async (edits) => {
        const source = new FuzzSource(await withPickle(trainer, applyAll(pkl, edits)), []);
        await expectReturnsOrCheckpointError(() => readCheckpoint(source), source);
      }),
      fuzzOptions(150),
    );
  });

  it('the fixtures’ real checkpoints, mutated in place: returns or throws a CheckpointError', async () => {
    const names = FIXTURE_NAMES.filter((n) => {
      try {
        return readFileSync(fixturePath(n, 'checkpoint.pt')).length > 0;
      } catch {
        return false;
      }
    });
    for (const name of names) {
      const bytes = new Uint8Array(readFileSync(fixturePath(name, 'checkpoint.pt')));
      const hot = await zipLayout(bytes);
      await fc.assert(
        fc.asyncProperty(mutations(bytes.length, hot, false), fc.nat(), async (edits, pick) => {
          const source = new FuzzSource(bytes, edits, `${name}/checkpoint.pt`);
          await expectReturnsOrCheckpointError(() => readCheckpoint(source, 3, pick), source);
        }),
        fuzzOptions(8),
      );
    }
  });
});

describe('fuzz: safetensors', () => {
  const tensor = fc.record({
    key: fc.string({ minLength: 1, maxLength: 6 }),
    dtype: fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  });
  const SIZE: Record<string, number> = {
    F32: 4,
    F16: 2,
    BF16: 2,
    F64: 8,
    I64: 8,
    I32: 4,
    I16: 2,
    I8: 1,
    U8: 1,
    BOOL: 1,
  };

  it('synthesised files, mutated (header, lengths, offsets, data): returns or throws a CheckpointError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(tensor, { minLength: 1, maxLength: 5, selector: (t) => t.key }),
        fc.nat(),
        async (tensors, seed) => {
          const file = safetensorsFile(
            tensors.map((t) => ({ ...t, bytes: t.shape.reduce((a, d) => a * d, 1) * SIZE[t.dtype] })),
          );
          const headerEnd = 8 + new DataView(file.buffer).getUint32(0, true);
          const edits = fc.sample(
            mutations(
              file.length,
              [
                [0, 8],
                [8, headerEnd],
              ],
              true,
            ),
            { seed, numRuns: 1 },
          )[0];
          const source = new FuzzSource(applyAll(file, edits), [], 'fuzz.safetensors');
          await expectReturnsOrCheckpointError(() => readCheckpoint(source), source);
        },
      ),
      fuzzOptions(150),
    );
  });

  it('headers whose offsets lie (shifted, overlapping, out of range): returns or throws a CheckpointError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: -64, max: 2 ** 40 }), fc.integer({ min: -64, max: 2 ** 40 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (offsets) => {
          const header: Record<string, unknown> = {};
          offsets.forEach(
            ([b, e], i) => (header[`t${i}`] = { dtype: 'U8', shape: [Math.max(0, e - b)], data_offsets: [b, e] }),
          );
          const json = new TextEncoder().encode(JSON.stringify(header));
          const file = new Uint8Array(8 + json.length + 64);
          new DataView(file.buffer).setUint32(0, json.length, true);
          file.set(json, 8);
          const source = new FuzzSource(file, [], 'lie.safetensors');
          await expectReturnsOrCheckpointError(() => readCheckpoint(source), source);
        },
      ),
      fuzzOptions(150),
    );
  });
});

describe('fuzz: the unpickler', () => {
  const where = 'fuzz.pt: archive/data.pkl';
  const leaf: fc.Arbitrary<PickleValue> = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
    fc.double().map((x) => new PyFloat(x)),
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 12 }),
  );
  const value: fc.Arbitrary<PickleValue> = fc.letrec<{ v: PickleValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('v'), { maxLength: 4 }),
      fc.array(tie('v'), { maxLength: 4 }).map((items) => new PyTupleValue(...items)),
      fc
        .array(fc.tuple(fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), tie('v')), { maxLength: 4 })
        .map((pairs) => new Map<PickleValue, PickleValue>(pairs)),
    ),
  })).v;

  const unpickleTorch = (data: Uint8Array) => () => {
    unpickle(data, {
      where,
      persistentLoad: torchPersistentLoad(where),
      globals: torchGlobals(where, (layout) => layout),
    });
    return Promise.resolve();
  };

  it('pickles of random data, mutated: returns or throws a CheckpointError', async () => {
    await fc.assert(
      fc.asyncProperty(value, fc.nat(), async (v, seed) => {
        const w = new PickleWriter(2);
        w.value(v);
        const data = w.finish();
        const edits = fc.sample(mutations(data.length, [[0, data.length]], true), { seed, numRuns: 1 })[0];
        await expectReturnsOrCheckpointError(unpickleTorch(applyAll(data, edits)));
      }),
      fuzzOptions(300),
    );
  });

  it('a real data.pkl with tensors, storages and globals, mutated: returns or throws a CheckpointError', async () => {
    const pkl = await readPickle(await synthesised({ extras: true }));
    await fc.assert(
      fc.asyncProperty(mutations(pkl.length, [[0, pkl.length]], true), async (edits) => {
        await expectReturnsOrCheckpointError(unpickleTorch(applyAll(pkl, edits)));
      }),
      fuzzOptions(300),
    );
  });

  it('random opcode soup after a protocol header: returns or throws a CheckpointError', async () => {
    // Opcodes the reader knows, with small arguments, so most runs get past the first byte.
    const known = fc.constantFrom(...Object.values(OP));
    const token = fc.oneof(
      { weight: 3, arbitrary: known.map((op) => [op]) },
      { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => [...b]) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 40 }), async (tokens) => {
        await expectReturnsOrCheckpointError(unpickleTorch(Uint8Array.from([OP.PROTO, 2, ...tokens.flat()])));
      }),
      fuzzOptions(600),
    );
  });
});

it('the fuzz source itself sees edits and truncation (so the properties above test something)', async () => {
  const base = Uint8Array.of(1, 2, 3, 4, 5, 6);
  const s = new FuzzSource(base, [
    { kind: 'overwrite', at: 2, bytes: Uint8Array.of(9, 9) },
    { kind: 'truncate', at: 5 },
  ]);
  expect(s.size).toBe(5);
  expect([...(await s.read(1, 4))]).toEqual([2, 9, 9, 5]);
  await expect(s.read(3, 3)).rejects.toThrow(/asked for 3 bytes at 3 of 5/);
  expect(s.overreads).toBe(1);
  expect([
    ...applyAll(base, [
      { kind: 'insert', at: 1, bytes: Uint8Array.of(7) },
      { kind: 'delete', at: 4, count: 2 },
    ]),
  ]).toEqual([1, 7, 2, 3, 6]);
});
