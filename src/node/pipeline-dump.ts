/** The tensors of one pipeline run, named and shaped like the official fixtures' image folders. */
import type { ReconstructResult } from '../core/pipeline/tokenflow-pipeline.ts';
import type { LoadedModel } from '../core/pipeline/loaded-model.ts';
import { decodeIndices } from '../core/quantizer/decode-indices.ts';
import type { DumpTensor } from './tensor-dump.ts';

export function pipelineDumpTensors(model: LoadedModel, r: ReconstructResult): DumpTensor[] {
  const m = model.manifest;
  const R = m.inputSize;
  const S = m.gridSize;
  const C = m.semanticCodeDim + m.pixelCodeDim;
  const q = r.quantization;
  const n = q.indices.length;
  const segments = m.scales.map((s, i) => ({ scale: s, offset: q.featureOffsets[i], shape: [1, C, s, s] }));
  const fHatFromIndices = decodeIndices(q.indices, m.scales, S, model.codebooks);
  return [
    {
      name: 'input_u8',
      dtype: 'uint8',
      shape: [1, R, R, 3],
      data: r.inputU8,
      desc: 'official center crop (ADM center_crop_arr), HWC RGB',
    },
    { name: 'input', dtype: 'float32', shape: [1, 3, R, R], data: r.input, desc: 'model input in [-1,1], NCHW' },
    { name: 'semantic_features', dtype: 'float32', shape: [1, m.semanticCodeDim, S, S], data: r.semanticFeatures },
    { name: 'pixel_features', dtype: 'float32', shape: [1, m.pixelCodeDim, S, S], data: r.pixelFeatures },
    {
      name: 'quant_input',
      dtype: 'float32',
      shape: [q.quantInput.length],
      data: q.quantInput,
      segments,
      desc: 'per scale the area-downsampled residual',
    },
    {
      name: 'quant_output',
      dtype: 'float32',
      shape: [q.quantOutput.length],
      data: q.quantOutput,
      segments,
      desc: 'per scale the quantized map',
    },
    {
      name: 'indices',
      dtype: 'int32',
      shape: [1, n],
      data: q.indices,
      desc: 'joint indices, scale-major, row-major within a scale',
    },
    { name: 'indices_semantic_only', dtype: 'int32', shape: [n], data: q.indicesSemanticOnly },
    { name: 'indices_pixel_only', dtype: 'int32', shape: [n], data: q.indicesPixelOnly },
    { name: 'margin', dtype: 'float32', shape: [n], data: q.margin },
    { name: 'margin_semantic', dtype: 'float32', shape: [n], data: q.marginSemantic },
    { name: 'margin_pixel', dtype: 'float32', shape: [n], data: q.marginPixel },
    { name: 'f_hat', dtype: 'float32', shape: [1, C, S, S], data: q.fHat },
    { name: 'f_hat_from_indices', dtype: 'float32', shape: [1, C, S, S], data: fHatFromIndices },
    {
      name: 'image',
      dtype: 'float32',
      shape: [1, 3, m.outputSize, m.outputSize],
      data: r.image,
      desc: 'pixel decoder output',
    },
    {
      name: 'image_u8',
      dtype: 'uint8',
      shape: [1, m.outputSize, m.outputSize, 3],
      data: r.imageU8,
      desc: 'clamp(127.5*y+128,0,255) truncated, fp32',
    },
  ];
}
