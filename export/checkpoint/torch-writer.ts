/**
 * Writes `torch.save`-layout checkpoints of any size for tests and benchmarks: the official
 * trainer dict (model, optimizer, discriminator, optimizer_disc, steps, args, optionally ema)
 * pickled with protocol 2 the way torch 1.13 does it, in a zip whose storages are written one
 * at a time from lazy generators, so a 1.5 GB model never sits in memory whole.
 */
import type { ByteSink } from '../../src/core/bytes/byte-sink.ts';
import { float32ToBfloat16Bits, float32ToFloat16Bits } from './half.ts';
import { OP } from './pickle-opcodes.ts';
import { PickleWriter, PyCustom, type PickleValue } from './pickle-writer.ts';
import { contiguousStride, numelOf } from './strided-read.ts';
import { trainerExtras, type TrainerExtrasSpec } from './trainer-extras.ts';
import { ZipWriter } from './zip-writer.ts';

export type WriterDType = 'float32' | 'float16' | 'bfloat16' | 'int64';

/** A tensor with its own storage; `values` is called once, when its storage is written. */
export interface TensorSpec {
  readonly key: string;
  readonly shape: readonly number[];
  /** Default float32. */
  readonly dtype?: WriterDType;
  readonly values: () => Float32Array | BigInt64Array;
}

/** A tensor that is a view into the storage of another tensor of the same state dict. */
export interface ViewSpec {
  readonly key: string;
  readonly view: {
    /** Key of a TensorSpec in the same state dict. */
    readonly of: string;
    /** In elements. */
    readonly offset: number;
    readonly shape: readonly number[];
    readonly stride: readonly number[];
  };
}

export type StateDictEntrySpec = TensorSpec | ViewSpec;

export interface TorchCheckpointSpec {
  /** The zip's top folder; torch uses the file stem at save time. Default 'checkpoint'. */
  readonly archiveName?: string;
  /** Write `<archive>/byteorder` ('little'), as torch ≥ 2.1 does. Default false (torch 1.13). */
  readonly byteorderRecord?: boolean;
  /** Write `<archive>/version`. Default true. */
  readonly versionRecord?: boolean;
  readonly model?: readonly StateDictEntrySpec[];
  readonly ema?: readonly StateDictEntrySpec[];
  readonly state_dict?: readonly StateDictEntrySpec[];
  /**
   * The trainer's other entries (optimizer, discriminator, optimizer_disc, steps, args).
   * Default: written when `model` is given, as vq_train.py does.
   */
  readonly trainerExtras?: boolean | TrainerExtrasSpec;
  /**
   * `torch.save(model.state_dict())`: the top-level object is this state dict itself;
   * model/ema/state_dict/trainerExtras must then be absent.
   */
  readonly bareStateDict?: readonly StateDictEntrySpec[];
  /** Zip64 records everywhere, even for small files (exercises the reader's Zip64 paths). */
  readonly forceZip64?: boolean;
}

export interface WriteSummary {
  readonly archiveName: string;
  readonly bytes: number;
  readonly storages: number;
  readonly tensors: number;
}

interface PlannedStorage {
  readonly key: string;
  readonly dtype: WriterDType;
  readonly numel: number;
  readonly tensorKey: string;
  readonly values: () => Float32Array | BigInt64Array;
}

const STORAGE_CLASS: Readonly<Record<WriterDType, string>> = {
  float32: 'FloatStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  int64: 'LongStorage',
};

/** Writes the checkpoint to `sink` and closes it. */
export async function writeTorchCheckpoint(sink: ByteSink, spec: TorchCheckpointSpec): Promise<WriteSummary> {
  const archiveName = spec.archiveName ?? 'checkpoint';
  if (!/^[^/\\]+$/.test(archiveName))
    throw new Error(`torch writer: archive name '${archiveName}' must be a single folder name`);
  const storages: PlannedStorage[] = [];
  let tensorCount = 0;

  /** A tensor as pickled by torch 1.13: _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()). */
  const tensorValue = (
    storage: PlannedStorage,
    offset: number,
    shape: readonly number[],
    stride: readonly number[],
  ): PickleValue => {
    tensorCount++;
    return new PyCustom((w) => {
      w.global('torch._utils', '_rebuild_tensor_v2');
      w.mark();
      w.mark();
      w.string('storage');
      w.global('torch', STORAGE_CLASS[storage.dtype]);
      w.string(storage.key);
      w.string('cpu');
      w.int(storage.numel);
      w.byte(OP.TUPLE);
      w.byte(OP.BINPERSID);
      w.int(offset);
      w.tuple(shape);
      w.tuple(stride);
      w.value(false);
      w.global('collections', 'OrderedDict');
      w.byte(OP.EMPTY_TUPLE, OP.REDUCE);
      w.byte(OP.TUPLE, OP.REDUCE);
      w.put();
    });
  };

  const newTensor = (t: TensorSpec): { value: PickleValue; storage: PlannedStorage } => {
    checkShape(t.key, t.shape);
    const storage: PlannedStorage = {
      key: String(storages.length),
      dtype: t.dtype ?? 'float32',
      numel: numelOf(t.shape),
      tensorKey: t.key,
      values: t.values,
    };
    storages.push(storage);
    return { value: tensorValue(storage, 0, t.shape, contiguousStride(t.shape)), storage };
  };

  const stateDict = (entries: readonly StateDictEntrySpec[], what: string): PickleValue => {
    const bases = new Map<string, PlannedStorage>();
    const items: [string, PickleValue][] = [];
    for (const e of entries) {
      if ('view' in e) {
        const base = bases.get(e.view.of);
        if (!base)
          throw new Error(
            `torch writer: ${what} view '${e.key}' refers to '${e.view.of}', which is not an earlier tensor of ${what}`,
          );
        checkView(e, base);
        items.push([e.key, tensorValue(base, e.view.offset, e.view.shape, e.view.stride)]);
      } else {
        const { value, storage } = newTensor(e);
        bases.set(e.key, storage);
        items.push([e.key, value]);
      }
    }
    return orderedDictWithMetadata(items);
  };

  const top: [string, PickleValue][] = [];
  if (spec.bareStateDict) {
    if (spec.model || spec.ema || spec.state_dict || spec.trainerExtras) {
      throw new Error('torch writer: bareStateDict excludes model, ema, state_dict and trainerExtras');
    }
  } else {
    if (spec.state_dict) top.push(['state_dict', stateDict(spec.state_dict, 'state_dict')]);
    if (spec.model) top.push(['model', stateDict(spec.model, 'model')]);
    const extras = spec.trainerExtras ?? !!spec.model;
    if (extras) {
      const options = typeof extras === 'object' ? extras : {};
      const modelParams = (spec.model ?? []).flatMap((e) =>
        'view' in e || e.dtype === 'int64' ? [] : [{ key: e.key, shape: e.shape }],
      );
      for (const entry of trainerExtras(modelParams, options, (t) => newTensor(t).value, orderedDictWithMetadata))
        top.push(entry);
    }
    // vq_train.py adds `ema` last, after building the rest of the dict.
    if (spec.ema) top.push(['ema', stateDict(spec.ema, 'ema')]);
    if (top.length === 0) throw new Error('torch writer: the spec has no model, ema, state_dict or bareStateDict');
  }

  const w = new PickleWriter(2);
  if (spec.bareStateDict) w.value(stateDict(spec.bareStateDict, 'the state dict'));
  else w.value(new Map<PickleValue, PickleValue>(top));
  const pickle = w.finish();

  const zip = new ZipWriter(sink, { forceZip64: spec.forceZip64 });
  await zip.addStored(`${archiveName}/data.pkl`, pickle);
  if (spec.byteorderRecord) await zip.addStored(`${archiveName}/byteorder`, new TextEncoder().encode('little'));
  // torch writes storage records sorted by key as strings (0, 1, 10, 100, …).
  const sorted = [...storages].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const s of sorted) await zip.addStored(`${archiveName}/data/${s.key}`, storageBytes(s));
  if (spec.versionRecord ?? true) await zip.addStored(`${archiveName}/version`, new TextEncoder().encode('3\n'));
  await zip.finish();
  await sink.close();
  return { archiveName, bytes: zip.position, storages: storages.length, tensors: tensorCount };
}

/** An OrderedDict the way `state_dict()` pickles it, with its `_metadata` attribute set by BUILD. */
function orderedDictWithMetadata(items: readonly (readonly [string, PickleValue])[]): PickleValue {
  return new PyCustom((w) => {
    w.global('collections', 'OrderedDict');
    w.byte(OP.EMPTY_TUPLE, OP.REDUCE);
    w.put();
    w.setItems(items);
    w.byte(OP.EMPTY_DICT); // the instance __dict__
    w.put();
    w.string('_metadata');
    w.global('collections', 'OrderedDict');
    w.byte(OP.EMPTY_TUPLE, OP.REDUCE);
    w.put();
    w.setItems([['', new Map<PickleValue, PickleValue>([['version', 1]])]]);
    w.byte(OP.SETITEM);
    w.byte(OP.BUILD);
  });
}

function checkShape(key: string, shape: readonly number[]): void {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new Error(`torch writer: tensor '${key}' has shape [${shape.join(', ')}]`);
}

function checkView(e: ViewSpec, base: PlannedStorage): void {
  const { offset, shape, stride } = e.view;
  checkShape(e.key, shape);
  if (
    stride.length !== shape.length ||
    !stride.every((s) => Number.isSafeInteger(s) && s >= 0) ||
    !Number.isSafeInteger(offset) ||
    offset < 0
  ) {
    throw new Error(
      `torch writer: view '${e.key}' has offset ${offset} and stride (${stride.join(', ')}) for shape [${shape.join(', ')}]`,
    );
  }
  if (numelOf(shape) === 0) return;
  const last = offset + shape.reduce((acc, d, i) => acc + (d - 1) * stride[i], 0);
  if (last >= base.numel)
    throw new Error(
      `torch writer: view '${e.key}' reaches element ${last} of '${base.tensorKey}', which has ${base.numel}`,
    );
}

/** Generates a storage's values and encodes them in its dtype (one tensor in memory at a time). */
function storageBytes(s: PlannedStorage): Uint8Array {
  const values = s.values();
  if (values.length !== s.numel)
    throw new Error(`torch writer: tensor '${s.tensorKey}' generated ${values.length} values for ${s.numel} elements`);
  let out: Float32Array | Uint16Array | BigInt64Array;
  if (s.dtype === 'int64') {
    if (values instanceof BigInt64Array) out = values;
    else {
      out = new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i]))
          throw new Error(`torch writer: int64 tensor '${s.tensorKey}' got ${values[i]}`);
        out[i] = BigInt(Math.trunc(values[i]));
      }
    }
  } else {
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values, (v) => Number(v));
    out = s.dtype === 'float32' ? f32 : s.dtype === 'float16' ? float32ToFloat16Bits(f32) : float32ToBfloat16Bits(f32);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
