/** What the exporter sees of a checkpoint: named tensors whose bytes are read only on demand. */

export type StorageDType =
  'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export interface TensorEntry {
  readonly key: string;
  readonly dtype: StorageDType;
  readonly shape: readonly number[];
  /**
   * Reads the tensor (honouring storage offset and strides) and converts it to float32,
   * C-contiguous. float16/bfloat16 are widened exactly; integer dtypes are converted by value.
   */
  readFloat32(): Promise<Float32Array>;
}

export type StateDict = ReadonlyMap<string, TensorEntry>;

/** Which top-level entry of a trainer checkpoint the weights came from (official priority ema > model > state_dict). */
export type WeightsKey = 'ema' | 'model' | 'state_dict' | '(top level)';

export interface LoadedCheckpoint {
  readonly format: 'torch-zip' | 'safetensors';
  readonly source: string;
  /** Keys of the top-level dict (torch) or [] for safetensors. */
  readonly topLevelKeys: readonly string[];
  readonly weightsKey: WeightsKey;
  readonly stateDict: StateDict;
}
