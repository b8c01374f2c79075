/** Where a tensor's bytes lie in a torch.save file, for tests that damage them on disk. */
import { memorySource } from '../core/bytes/byte-source.ts';
import { DTYPE_SIZE } from '../../export/checkpoint/dtype.ts';
import { readTorchCheckpoint, TorchTensor } from '../../export/checkpoint/torch-checkpoint.ts';
import { ZipArchive } from '../../export/checkpoint/zip-reader.ts';

/** The file offset of element `index` of `model[key]` (counted in the storage), and its record. */
export async function locateTensorElement(
  file: Uint8Array,
  key: string,
  index: number,
): Promise<{ at: number; record: string }> {
  const source = memorySource(file, 'checkpoint');
  const root = (await readTorchCheckpoint(source)).root as Map<string, unknown>;
  const tensor = (root.get('model') as Map<string, unknown> | undefined)?.get(key);
  if (!(tensor instanceof TorchTensor)) throw new Error(`locateTensorElement: no tensor model['${key}']`);
  const zip = await ZipArchive.open(source);
  const entry = zip.get(tensor.record)!;
  return { at: (await zip.dataOffset(entry)) + index * DTYPE_SIZE[tensor.dtype], record: tensor.record };
}

/** A copy of `file` with float32 element `index` of `model[key]` set to `value`. */
export async function withFloatWritten(
  file: Uint8Array,
  key: string,
  index: number,
  value: number,
): Promise<{ bytes: Uint8Array; record: string }> {
  const { at, record } = await locateTensorElement(file, key, index);
  const bytes = file.slice();
  new DataView(bytes.buffer).setFloat32(at, value, true);
  return { bytes, record };
}
