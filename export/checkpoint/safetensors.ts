/**
 * Reads a safetensors file: an 8-byte little-endian header length, a JSON header mapping names
 * to {dtype, shape, data_offsets}, then the raw little-endian data. Tensors are read lazily.
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import type { ByteSource } from '../../src/core/bytes/byte-source.ts';
import { DTYPE_SIZE } from './dtype.ts';
import type { StateDict, StorageDType, TensorEntry } from './state-dict.ts';
import { contiguousStride, numelOf, readStridedFloat32 } from './strided-read.ts';

const SAFETENSORS_DTYPES: Readonly<Record<string, StorageDType>> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/** The reference implementation refuses larger headers too; it bounds what a bad file can make us allocate. */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

export interface SafetensorsFile {
  readonly source: string;
  /** The free-form `__metadata__` strings, if any (not used for loading). */
  readonly metadata: Readonly<Record<string, string>>;
  /** In file order (by data offset). */
  readonly tensors: StateDict;
}

/** The header length a safetensors file declares, or undefined if it cannot be one. */
export async function plausibleSafetensorsHeader(source: ByteSource): Promise<number | undefined> {
  if (source.size < 10) return undefined;
  const head = await source.read(0, 9);
  const view = new DataView(head.buffer, head.byteOffset, 9);
  const hi = view.getUint32(4, true);
  const length = view.getUint32(0, true);
  if (hi !== 0 || length < 2 || length > MAX_SAFETENSORS_HEADER || 8 + length > source.size) return undefined;
  return head[8] === 0x7b /* '{' */ ? length : undefined;
}

export async function readSafetensors(source: ByteSource): Promise<SafetensorsFile> {
  const name = source.name;
  if (source.size < 8) throw new CheckpointError(`${name}: ${source.size} bytes, too short for a safetensors header`);
  const lengthBytes = await source.read(0, 8);
  const lv = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8);
  const headerLength = lv.getUint32(4, true) * 4294967296 + lv.getUint32(0, true);
  if (headerLength > MAX_SAFETENSORS_HEADER)
    throw new CheckpointError(
      `${name}: safetensors header of ${headerLength} bytes is larger than the ${MAX_SAFETENSORS_HEADER} allowed`,
    );
  if (8 + headerLength > source.size) {
    throw new CheckpointError(
      `${name}: the safetensors header (${headerLength} bytes) runs past the end of the file (${source.size} bytes); the file is truncated`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await source.read(8, headerLength)));
  } catch (e) {
    throw new CheckpointError(`${name}: the safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new CheckpointError(`${name}: the safetensors header is not a JSON object`);
  const dataStart = 8 + headerLength;
  const dataLength = source.size - dataStart;
  let metadata: Record<string, string> = {};
  const entries: { key: string; begin: number; end: number; entry: TensorEntry }[] = [];
  for (const [key, info] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      metadata = (typeof info === 'object' && info !== null ? info : {}) as Record<string, string>;
      continue;
    }
    const where = `${name}: tensor '${key}'`;
    if (typeof info !== 'object' || info === null)
      throw new CheckpointError(`${where} has no {dtype, shape, data_offsets} entry`);
    const { dtype: rawDtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const dtype = typeof rawDtype === 'string' ? SAFETENSORS_DTYPES[rawDtype] : undefined;
    if (!dtype)
      throw new CheckpointError(
        `${where} has dtype ${JSON.stringify(rawDtype)}; supported: ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`,
      );
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new CheckpointError(`${where} has shape ${JSON.stringify(shape)}`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      throw new CheckpointError(`${where} has data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = numelOf(shape) * DTYPE_SIZE[dtype];
    if (end - begin !== expected)
      throw new CheckpointError(
        `${where}: shape [${shape.join(', ')}] ${rawDtype} needs ${expected} bytes but data_offsets span ${end - begin}`,
      );
    if (end > dataLength) {
      throw new CheckpointError(
        `${where} ends at data byte ${end}, past the end of the file (${dataLength} data bytes); the file is truncated`,
      );
    }
    const dims = shape as number[];
    const entry: TensorEntry = {
      key,
      dtype,
      shape: dims,
      readFloat32: () =>
        readStridedFloat32(
          { dtype, storageOffset: 0, shape: dims, stride: contiguousStride(dims) },
          (offset, length) => source.read(dataStart + begin + offset, length),
          source.freshReads === true,
        ),
    };
    entries.push({ key, begin, end, entry });
  }
  // JSON object order puts integer-like keys first; the data order is the file's real order.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkLayout(entries, dataLength, name);
  return { source: name, metadata, tensors: new Map(entries.map((e) => [e.key, e.entry])) };
}

/**
 * The format requires the tensors to tile the data buffer exactly: sorted by offset, each
 * starting where the previous ended, the last ending at the end of the file. A header that
 * lets two tensors share bytes, or leaves a gap (offsets shifted by a few bytes), describes
 * garbage weights; the reference reader refuses both, and so do we.
 */
function checkLayout(
  entries: readonly { key: string; begin: number; end: number }[],
  dataLength: number,
  name: string,
): void {
  let covered = 0;
  let previous: { key: string; begin: number; end: number } | undefined;
  for (const e of entries) {
    const span = `tensor '${e.key}' (data bytes ${e.begin}..${e.end})`;
    if (e.begin < covered) {
      throw new CheckpointError(
        `${name}: ${span} overlaps tensor '${previous!.key}' (data bytes ${previous!.begin}..${previous!.end}); ` +
          'the safetensors header is corrupt',
      );
    }
    if (e.begin > covered) {
      const after = previous
        ? `tensor '${previous.key}' (which ends at data byte ${previous.end})`
        : 'the start of the data';
      throw new CheckpointError(
        `${name}: ${span} leaves a gap of ${e.begin - covered} bytes after ${after}; the safetensors header is corrupt`,
      );
    }
    covered = e.end;
    previous = e;
  }
  if (covered !== dataLength) {
    throw new CheckpointError(
      `${name}: the tensors cover ${covered} of the ${dataLength} data bytes; ` +
        `${dataLength - covered} bytes at the end belong to no tensor, so the safetensors header is corrupt`,
    );
  }
}
