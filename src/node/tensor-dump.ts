/**
 * Writes tensors in the fixtures' layout (`<name>.<f32|i32|u8>.bin`, raw little-endian
 * C-contiguous, plus manifest.json with dtype, shape, bytes, sha256), so any run can be diffed
 * against the official outputs with the same tools.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesOf, type TensorDType } from '../core/tensor.ts';

export interface DumpTensor {
  readonly name: string;
  readonly dtype: TensorDType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array;
  readonly desc?: string;
  readonly segments?: readonly { scale: number; offset: number; shape: readonly number[] }[];
}

const SUFFIX: Record<TensorDType, string> = { float32: 'f32', int32: 'i32', uint8: 'u8' };

export interface DumpManifest {
  readonly generator: string;
  readonly [key: string]: unknown;
}

export async function writeTensorDump(dir: string, tensors: readonly DumpTensor[], meta: DumpManifest): Promise<void> {
  await mkdir(dir, { recursive: true });
  const index: Record<string, unknown> = {};
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new Error(`dump ${t.name}: shape [${t.shape.join(',')}] has ${count} elements, data has ${t.data.length}`);
    const file = `${t.name}.${SUFFIX[t.dtype]}.bin`;
    const bytes = bytesOf(t.data);
    await writeFile(join(dir, file), bytes);
    index[t.name] = {
      file,
      dtype: t.dtype,
      shape: t.shape,
      bytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      ...(t.desc ? { desc: t.desc } : {}),
      ...(t.segments ? { segments: t.segments } : {}),
    };
  }
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({ ...meta, byte_order: 'little-endian; C-contiguous', tensors: index }, null, 1),
  );
}
