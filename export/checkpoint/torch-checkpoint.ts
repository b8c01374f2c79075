/**
 * Reads a `torch.save` zip checkpoint: finds `<archive>/data.pkl` whatever the archive folder is
 * called, unpickles it safely, and returns the object tree with tensors as lazy TorchTensors
 * whose bytes are read from `<archive>/data/<key>` only when asked for.
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import type { ByteSource } from '../../src/core/bytes/byte-source.ts';
import type { Crc32 } from '../../src/core/bytes/crc32.ts';
import { DTYPE_SIZE } from './dtype.ts';
import { unpickle } from './pickle.ts';
import type { StorageDType } from './state-dict.ts';
import { elementSpan, numelOf, readStridedFloat32 } from './strided-read.ts';
import { torchGlobals, torchPersistentLoad, type TorchTensorLayout } from './torch-pickle.ts';
import { ZipArchive, type ZipEntry } from './zip-reader.ts';

/**
 * The most a data.pkl may inflate to. A released TokenFlow checkpoint's data.pkl is about 1 MB
 * (its size grows with the number of tensors, ~100 bytes each, not with their size); 256 MiB
 * is room for a million-tensor checkpoint while refusing a deflate bomb before allocating.
 */
export const MAX_PICKLE_BYTES = 256 * 1024 * 1024;
/** The byteorder record holds 'little' or 'big'. */
const MAX_BYTEORDER_BYTES = 16;

/** A tensor of a checkpoint; nothing but its layout is known until `readFloat32()`. */
export class TorchTensor {
  readonly dtype: StorageDType;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  /** In elements of `dtype`. */
  readonly storageOffset: number;
  /** The storage record, `<archive>/data/<key>`. */
  readonly record: string;

  constructor(
    private readonly zip: ZipArchive,
    private readonly entry: ZipEntry,
    layout: TorchTensorLayout,
  ) {
    this.dtype = layout.dtype;
    this.shape = layout.shape;
    this.stride = layout.stride;
    this.storageOffset = layout.storageOffset;
    this.record = entry.name;
    // Checked now, not at read time, so a damaged file fails when it is opened.
    const what = `${zip.source.name}: tensor of shape [${layout.shape.join(', ')}] in storage '${layout.storage.key}'`;
    const storageBytes = layout.storage.numel * DTYPE_SIZE[layout.storage.dtype];
    if (storageBytes > entry.size) {
      throw new CheckpointError(
        `${what}: the storage has ${layout.storage.numel} ${layout.storage.dtype} elements (${storageBytes} bytes) ` +
          `but record '${entry.name}' holds ${entry.size} bytes`,
      );
    }
    if (numelOf(layout.shape) > 0) {
      const { last } = elementSpan(layout);
      const endByte = (last + 1) * DTYPE_SIZE[layout.dtype];
      if (endByte > storageBytes) {
        throw new CheckpointError(
          `${what}: offset ${layout.storageOffset} and strides (${layout.stride.join(', ')}) reach byte ${endByte}, ` +
            `past the storage's ${storageBytes} bytes`,
        );
      }
    }
  }

  get numel(): number {
    return numelOf(this.shape);
  }

  /**
   * Reads and converts the tensor to C-contiguous float32 (one read for a contiguous tensor);
   * the record's CRC-32 is checked on the way (see ZipArchive.readRange). `key` names the
   * tensor in a checksum error.
   */
  readFloat32(key?: string): Promise<Float32Array> {
    return readStridedFloat32(
      this,
      (offset, length) =>
        this.zip.readRange(this.entry, offset, length, key === undefined ? undefined : `tensor '${key}'`),
      this.zip.source.freshReads === true,
    );
  }
}

export interface TorchCheckpoint {
  readonly source: string;
  /** The zip's top folder (the file stem at save time; any name is accepted). */
  readonly archiveName: string;
  /**
   * The unpickled object: Map for dicts, arrays for lists/tuples, primitives, TorchTensor for
   * tensors, PyObject for allowed placeholders such as `args` (argparse.Namespace).
   */
  readonly root: unknown;
}

/**
 * Opens a torch.save zip and unpickles its data.pkl; tensors stay on disk until read. `crc32`
 * checks every record read (default: the portable one).
 */
export async function readTorchCheckpoint(source: ByteSource, crc32?: Crc32): Promise<TorchCheckpoint> {
  const zip = await ZipArchive.open(source, crc32);
  const pickles = zip.entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pickles.length === 0) {
    const sample = zip.entries.slice(0, 5).map((e) => e.name);
    const more = zip.entries.length > 5 ? ', …' : '';
    const listed = sample.length ? `: ${sample.join(', ')}${more}` : '';
    throw new CheckpointError(
      `${source.name}: a zip file without a <folder>/data.pkl record, so not a torch.save checkpoint ` +
        `(it has ${zip.entries.length} entries${listed})`,
    );
  }
  if (pickles.length > 1) {
    throw new CheckpointError(
      `${source.name}: several data.pkl records (${pickles.map((e) => e.name).join(', ')}); a torch.save checkpoint has exactly one`,
    );
  }
  const pkl = pickles[0];
  const archiveName = pkl.name.slice(0, -'/data.pkl'.length);
  await checkByteOrder(zip, archiveName);

  const where = `${source.name}: ${pkl.name}`;
  const root = unpickle(await zip.readEntry(pkl, MAX_PICKLE_BYTES), {
    where,
    persistentLoad: torchPersistentLoad(where),
    globals: torchGlobals(where, (layout) => {
      const record = `${archiveName}/data/${layout.storage.key}`;
      const entry = zip.get(record);
      if (!entry)
        throw new CheckpointError(
          `${source.name}: data.pkl refers to storage '${layout.storage.key}' but the zip has no record '${record}'`,
        );
      return new TorchTensor(zip, entry, layout);
    }),
  });
  return { source: source.name, archiveName, root };
}

/** Storages are raw machine-order bytes; only little-endian files can be read as they are. */
async function checkByteOrder(zip: ZipArchive, archiveName: string): Promise<void> {
  const entry = zip.get(`${archiveName}/byteorder`);
  // torch < 2.1 writes no byteorder record; those files were little-endian in practice.
  if (!entry) return;
  if (entry.size > MAX_BYTEORDER_BYTES)
    throw new CheckpointError(
      `${zip.source.name}: record '${entry.name}' is ${entry.size} bytes, not a byte-order name`,
    );
  const order = new TextDecoder().decode(await zip.readEntry(entry, MAX_BYTEORDER_BYTES)).trim();
  if (order === 'little') return;
  if (order === 'big') {
    throw new CheckpointError(
      `${zip.source.name}: the checkpoint was saved on a big-endian machine (byteorder 'big'), ` +
        'which this reader does not support; re-save it on a little-endian machine (x86, ARM)',
    );
  }
  throw new CheckpointError(
    `${zip.source.name}: record '${entry.name}' says byte order '${order}', expected 'little' or 'big'`,
  );
}
