/** The dtypes a model package and a tensor dump carry; names follow the fixtures' manifests. */
export type TensorDType = 'float32' | 'int32' | 'uint8';

export type TensorData<D extends TensorDType> = D extends 'float32'
  ? Float32Array
  : D extends 'int32'
    ? Int32Array
    : Uint8Array;

/** A dense little-endian C-contiguous tensor. */
export interface Tensor<D extends TensorDType = TensorDType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: TensorData<D>;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function tensor<D extends TensorDType>(dtype: D, shape: readonly number[], data: TensorData<D>): Tensor<D> {
  if (data.length !== numel(shape)) {
    throw new Error(`tensor data has ${data.length} elements but shape [${shape.join(',')}] needs ${numel(shape)}`);
  }
  return { dtype, shape: [...shape], data };
}

/** Bytes of a typed array as stored on disk (little-endian hosts only, which is every JS engine we target). */
export function bytesOf(data: Float32Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
