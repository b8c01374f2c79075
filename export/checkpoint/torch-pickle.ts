/**
 * The PyTorch part of the unpickler allowlist: storage classes and dtypes as inert markers,
 * persistent ids as storage references, and the tensor rebuild functions re-implemented as
 * plain data constructors. Nothing from torch is run; the names only tell us how to read bytes.
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import { PyCallable, isTuple, type GlobalResolver } from './pickle.ts';
import type { StorageDType } from './state-dict.ts';

/** A storage class named in a persistent id (`torch.FloatStorage`, `torch.UntypedStorage`, …). */
export class TorchStorageClass {
  constructor(
    readonly qualifiedName: string,
    readonly dtype: StorageDType,
  ) {}
}

/** A dtype global such as `torch.float32` (used by `_rebuild_tensor_v3`). */
export class TorchDType {
  constructor(
    readonly qualifiedName: string,
    readonly dtype: StorageDType,
  ) {}
}

/** What a persistent id ('storage', class, key, location, numel) points at: `<archive>/data/<key>`. */
export interface TorchStorageRef {
  readonly key: string;
  readonly dtype: StorageDType;
  /** Elements of `dtype` (bytes for an untyped storage). */
  readonly numel: number;
  /** Device at save time ('cpu', 'cuda:0'); the bytes on disk are the same either way. */
  readonly location: string;
}

/** A tensor as the rebuild functions describe it: a view into a storage. */
export interface TorchTensorLayout {
  readonly storage: TorchStorageRef;
  /** The tensor's element type; differs from the storage's only for untyped storages (v3). */
  readonly dtype: StorageDType;
  /** In elements of `dtype`. */
  readonly storageOffset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

const STORAGE_CLASSES: Readonly<Record<string, StorageDType>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  // Newer torch may reference raw byte storages; the tensor's dtype then comes from v3's argument.
  UntypedStorage: 'uint8',
};

const DTYPE_NAMES: Readonly<Record<string, StorageDType>> = {
  float32: 'float32',
  float: 'float32',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  float64: 'float64',
  double: 'float64',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  short: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Resolves the torch globals a checkpoint may name. `onTensor` turns each rebuilt layout into
 * the object the caller wants in the tree (the reader makes lazily-readable tensors).
 */
export function torchGlobals(where: string, onTensor: (layout: TorchTensorLayout) => unknown): GlobalResolver {
  const requireTensor = (v: unknown, what: string): unknown => {
    if (v === undefined || v === null) throw new CheckpointError(`${where}: ${what} got no tensor`);
    return v;
  };
  const rebuild = (fn: string, args: readonly unknown[], dtypeArg?: unknown): unknown => {
    const [storage, storageOffset, size, stride] = args;
    if (!isStorageRef(storage))
      throw new CheckpointError(`${where}: ${fn} got ${String(storage)} where a storage belongs`);
    if (!isNonNegInt(storageOffset))
      throw new CheckpointError(`${where}: ${fn} got storage offset ${String(storageOffset)}`);
    if (!isTuple(size) || !size.every(isNonNegInt))
      throw new CheckpointError(`${where}: ${fn} got size ${String(size)}, not a tuple of sizes`);
    if (!isTuple(stride) || stride.length !== size.length || !stride.every(isNonNegInt)) {
      throw new CheckpointError(`${where}: ${fn} got stride ${String(stride)} for size (${size.join(', ')})`);
    }
    let dtype = storage.dtype;
    if (dtypeArg !== undefined) {
      if (!(dtypeArg instanceof TorchDType))
        throw new CheckpointError(`${where}: ${fn} got ${String(dtypeArg)} where a dtype belongs`);
      dtype = dtypeArg.dtype;
    }
    return onTensor({
      storage,
      dtype,
      storageOffset,
      shape: [...(size as number[])],
      stride: [...(stride as number[])],
    });
  };
  return (module, name) => {
    const qualified = `${module}.${name}`;
    if (module === 'torch._utils') {
      switch (name) {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        case '_rebuild_tensor_v2':
        case '_rebuild_tensor':
          return new PyCallable(qualified, (args) => rebuild(qualified, args));
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])
        case '_rebuild_tensor_v3':
          return new PyCallable(qualified, (args) => rebuild(qualified, args, args[6]));
        // A Parameter is its data plus autograd flags; the flags do not matter for weights.
        case '_rebuild_parameter':
        case '_rebuild_parameter_with_state':
          return new PyCallable(qualified, (args) => requireTensor(args[0], qualified));
        default:
          return undefined;
      }
    }
    if (module === 'torch' || module === 'torch.storage') {
      const storageDType = STORAGE_CLASSES[name];
      if (storageDType && (module === 'torch' || name === 'UntypedStorage'))
        return new TorchStorageClass(qualified, storageDType);
      const dtype = module === 'torch' ? DTYPE_NAMES[name] : undefined;
      if (dtype) return new TorchDType(qualified, dtype);
    }
    return undefined;
  };
}

function isStorageRef(v: unknown): v is TorchStorageRef {
  return typeof v === 'object' && v !== null && 'key' in v && 'numel' in v && 'dtype' in v && 'location' in v;
}

/**
 * Turns persistent ids ('storage', storage_class, key, location, numel) into storage
 * references, the same object for the same key so views share their storage.
 */
export function torchPersistentLoad(where: string): (pid: unknown) => TorchStorageRef {
  const cache = new Map<string, TorchStorageRef>();
  return (pid) => {
    if (!isTuple(pid) || pid.length !== 5 || pid[0] !== 'storage') {
      throw new CheckpointError(
        `${where}: persistent id ${describePid(pid)} is not a torch storage reference ('storage', type, key, location, numel)`,
      );
    }
    const [, cls, key, location, numel] = pid;
    if (!(cls instanceof TorchStorageClass))
      throw new CheckpointError(`${where}: storage reference ${describePid(pid)} names no storage class`);
    if (typeof key !== 'string' || key === '' || key.includes('/') || key.includes('..')) {
      throw new CheckpointError(`${where}: storage key ${JSON.stringify(key)} is not a plain record name`);
    }
    if (typeof location !== 'string')
      throw new CheckpointError(`${where}: storage '${key}' has location ${String(location)}, not a device string`);
    if (!isNonNegInt(numel)) throw new CheckpointError(`${where}: storage '${key}' has ${String(numel)} elements`);
    const cacheKey = `${key}\u0000${cls.dtype}`;
    const known = cache.get(cacheKey);
    if (known) {
      if (known.numel !== numel)
        throw new CheckpointError(`${where}: storage '${key}' is referenced with ${known.numel} and ${numel} elements`);
      return known;
    }
    const ref: TorchStorageRef = { key, dtype: cls.dtype, numel, location };
    cache.set(cacheKey, ref);
    return ref;
  };
}

function describePid(pid: unknown): string {
  const part = (p: unknown): string =>
    typeof p === 'string' ? `'${p}'` : p instanceof TorchStorageClass ? p.qualifiedName : String(p);
  if (Array.isArray(pid)) return `(${pid.map(part).join(', ')})`;
  return typeof pid === 'string' ? `'${pid}'` : String(pid);
}
