/** The ONNX side of the exporter: graph builders for TokenFlow's three graphs and the streaming writer. */
export { buildSemanticEncoder, SEMANTIC_INPUT, SEMANTIC_OUTPUT } from './semantic-encoder.ts';
export { buildPixelEncoder, PIXEL_BRANCH_INPUT, PIXEL_ENCODER_INPUT, PIXEL_ENCODER_OUTPUT } from './pixel-encoder.ts';
export { buildPixelDecoder, DECODER_RAW, PIXEL_DECODER_INPUT, PIXEL_DECODER_OUTPUT } from './pixel-decoder.ts';
export {
  writeOnnxModel,
  DEFAULT_EXTERNAL_THRESHOLD_BYTES,
  type Precision,
  type WriteOnnxOptions,
  type WriteOnnxResult,
} from './streaming-writer.ts';
export type { WrittenFile } from './hashing-writer.ts';
export type { Graph, GraphIO, GraphNode, WeightInitializer, ConstantInitializer, Value } from './graph-builder.ts';
export type { BuildOptions } from './build-options.ts';
export type { GroupNormImpl } from './group-norm.ts';
