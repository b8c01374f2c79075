/**
 * Reads one tensor out of a storage: honours storage offset, sizes and strides, and converts to
 * C-contiguous float32. A contiguous tensor is one `read` of exactly its bytes; a strided view
 * is one `read` of the span it touches, then a gather.
 */
import { DTYPE_SIZE, aligned, decodeToFloat32 } from './dtype.ts';
import type { StorageDType } from './state-dict.ts';

export interface StridedLayout {
  readonly dtype: StorageDType;
  /** In elements of `dtype`. */
  readonly storageOffset: number;
  readonly shape: readonly number[];
  /** In elements of `dtype`; never negative in PyTorch. */
  readonly stride: readonly number[];
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** C-contiguous strides of `shape`. */
export function contiguousStride(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = s;
    s *= shape[i];
  }
  return stride;
}

/** True when the layout is C-contiguous; the stride of a size-1 dimension does not matter. */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** Element range [first, last] of the storage a non-empty layout touches. */
export function elementSpan(layout: StridedLayout): { first: number; last: number } {
  let last = layout.storageOffset;
  for (let i = 0; i < layout.shape.length; i++) last += (layout.shape[i] - 1) * layout.stride[i];
  return { first: layout.storageOffset, last };
}

/**
 * Reads the layout's elements through `readBytes(byteOffset, byteLength)` (offsets relative
 * to the storage start) and returns them as C-contiguous float32. `freshReads`: readBytes
 * returns buffers nothing else holds (see ByteSource.freshReads), which may become the result.
 */
export async function readStridedFloat32(
  layout: StridedLayout,
  readBytes: (byteOffset: number, byteLength: number) => Promise<Uint8Array>,
  freshReads = false,
): Promise<Float32Array> {
  const count = numelOf(layout.shape);
  if (count === 0) return new Float32Array(0);
  const size = DTYPE_SIZE[layout.dtype];
  if (isContiguous(layout.shape, layout.stride)) {
    const bytes = await readBytes(layout.storageOffset * size, count * size);
    return decodeToFloat32(bytes, layout.dtype, count, freshReads);
  }
  const { first, last } = elementSpan(layout);
  const span = aligned(await readBytes(first * size, (last - first + 1) * size), size);
  // The gathered elements are a new array of our own, whatever the source.
  return decodeToFloat32(gather(span, size, layout, first, count), layout.dtype, count, true);
}

/** Copies the elements of a strided layout out of `span` (which starts at element `first`). */
function gather(
  span: Uint8Array,
  size: 1 | 2 | 4 | 8,
  layout: StridedLayout,
  first: number,
  count: number,
): Uint8Array {
  // Elements are moved as whole words of their size; 8-byte elements as two 32-bit words.
  const words = size === 8 ? 2 : 1;
  const view =
    size === 1
      ? span
      : size === 2
        ? new Uint16Array(span.buffer, span.byteOffset, span.byteLength / 2)
        : new Uint32Array(span.buffer, span.byteOffset, span.byteLength / 4);
  const out = size === 1 ? new Uint8Array(count) : size === 2 ? new Uint16Array(count) : new Uint32Array(count * words);
  const { shape, stride } = layout;
  const rank = shape.length;
  const innerSize = shape[rank - 1];
  const innerStride = stride[rank - 1] * words;
  const index = new Array<number>(rank).fill(0);
  let base = (layout.storageOffset - first) * words;
  let o = 0;
  for (;;) {
    let s = base;
    if (words === 1) {
      for (let j = 0; j < innerSize; j++, s += innerStride) out[o++] = view[s];
    } else {
      for (let j = 0; j < innerSize; j++, s += innerStride) {
        out[o++] = view[s];
        out[o++] = view[s + 1];
      }
    }
    // Odometer over the outer dimensions, moving `base` by the strides as digits roll over.
    let d = rank - 2;
    for (; d >= 0; d--) {
      index[d]++;
      base += stride[d] * words;
      if (index[d] < shape[d]) break;
      base -= shape[d] * stride[d] * words;
      index[d] = 0;
    }
    if (d < 0) break;
  }
  return new Uint8Array(out.buffer, 0, count * size);
}
