/**
 * The nearest-code search as a small ONNX graph, built at run time from a model's codebooks, so
 * onnxruntime's matrix-product and TopK kernels do the K-wide scan instead of a scalar loop.
 *
 * For unit-norm (or zero) code rows, per branch d = ‖ẑ‖² + ‖ê_k‖² − 2 ẑ·ê_k, so ordering codes
 * by d is ordering by score_k = 2 ẑ·ê_k − ‖ê_k‖² (largest first). Both terms come out of one
 * product by appending a −1 column to the queries and the row's ‖ê_k‖² to the code matrix,
 * which keeps PyTorch's order for an all-zero code row (d = ‖ẑ‖²) where the plain dot-product
 * form would not. The joint score folds the weights into the query side:
 *   [2w_s ẑ_s, 2w_p ẑ_p, −w_s, −w_p] · [ê_s, ê_p, ‖ê_s‖², ‖ê_p‖²]ᵀ = ‖ẑ‖²-terms − d_joint.
 *
 * The graph returns only candidate indices (the k best per query for the joint, semantic and
 * pixel scores); float32 rounding may reorder codes whose distances differ by ~1e-6, so the
 * caller re-ranks them in float64 (graph-nearest-codes.ts). It lives in core, not in the
 * exporter: it depends on the codebooks only, so every package gets it without a new file.
 */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import type { CodebookNorms, Codebooks } from './codebook.ts';

const { onnx } = onnxProto;

/** Opset 17 like the package graphs: TopK takes k as an input, every op runs on ORT-web wasm. */
const OPSET = 17;
const IR_VERSION = 8;

export const CODE_SEARCH_INPUTS = { joint: 'z_joint', semantic: 'z_semantic', pixel: 'z_pixel', k: 'k' } as const;
export const CODE_SEARCH_OUTPUTS = {
  joint: 'joint_candidates',
  semantic: 'semantic_candidates',
  pixel: 'pixel_candidates',
} as const;

/** Query columns per branch: the normalised half(s) plus one −w column per half. */
export function codeSearchWidths(codebooks: Codebooks): { joint: number; semantic: number; pixel: number } {
  const { semanticDim: ds, pixelDim: dp } = codebooks;
  return { joint: ds + dp + 2, semantic: ds + 1, pixel: dp + 1 };
}

/** ONNX ModelProto bytes: three MatMul → TopK(k) → Cast(int32) chains over a dynamic query count n. */
export function buildCodeSearchGraph(codebooks: Codebooks, norms: CodebookNorms): Uint8Array {
  const { size: K, semanticDim: ds, pixelDim: dp } = codebooks;
  const widths = codeSearchWidths(codebooks);
  const sem = codeMatrix(K, [{ rows: codebooks.semantic, dim: ds }], [norms.semantic]);
  const pix = codeMatrix(K, [{ rows: codebooks.pixel, dim: dp }], [norms.pixel]);
  const joint = codeMatrix(
    K,
    [
      { rows: codebooks.semantic, dim: ds },
      { rows: codebooks.pixel, dim: dp },
    ],
    [norms.semantic, norms.pixel],
  );

  const nodes: P.INodeProto[] = [];
  const initializer: P.ITensorProto[] = [];
  // k arrives as float32 so every input has one dtype (the runners' helper seam is float32 in).
  const inputs: P.IValueInfoProto[] = [valueInfo(CODE_SEARCH_INPUTS.k, onnx.TensorProto.DataType.FLOAT, [1])];
  const outputs: P.IValueInfoProto[] = [];
  nodes.push({
    name: 'k_int64',
    opType: 'Cast',
    input: [CODE_SEARCH_INPUTS.k],
    output: ['k64'],
    attribute: [castTo(onnx.TensorProto.DataType.INT64)],
  });
  const branches = [
    ['joint', joint, widths.joint],
    ['semantic', sem, widths.semantic],
    ['pixel', pix, widths.pixel],
  ] as const;
  for (const [branch, matrix, width] of branches) {
    const input = CODE_SEARCH_INPUTS[branch];
    const codes = `${branch}_codes`;
    inputs.push(valueInfo(input, onnx.TensorProto.DataType.FLOAT, ['n', width]));
    initializer.push({
      name: codes,
      dims: [width, K],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(matrix.buffer),
    });
    nodes.push({ name: `${branch}_score`, opType: 'MatMul', input: [input, codes], output: [`${branch}_scores`] });
    nodes.push({
      name: `${branch}_topk`,
      opType: 'TopK',
      input: [`${branch}_scores`, 'k64'],
      output: [`${branch}_values`, `${branch}_indices64`],
      attribute: [
        { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 },
        { name: 'largest', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
        { name: 'sorted', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
      ],
    });
    nodes.push({
      name: `${branch}_cast`,
      opType: 'Cast',
      input: [`${branch}_indices64`],
      output: [CODE_SEARCH_OUTPUTS[branch]],
      attribute: [castTo(onnx.TensorProto.DataType.INT32)],
    });
    outputs.push(valueInfo(CODE_SEARCH_OUTPUTS[branch], onnx.TensorProto.DataType.INT32, ['n', 'k']));
  }
  return onnx.ModelProto.encode({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'tokenflow-playground code search',
    graph: { name: 'code_search', node: nodes, initializer, input: inputs, output: outputs },
  }).finish();
}

/**
 * (Σdim + parts) × K, column k = [ê_k of each part…, ‖ê_k‖² of each part…]: the right operand
 * of queries laid out as [normalised halves…, −weight per half…].
 */
function codeMatrix(
  K: number,
  parts: readonly { rows: Float32Array; dim: number }[],
  squaredNorms: readonly Float64Array[],
): Float32Array {
  const width = parts.reduce((a, p) => a + p.dim, 0) + parts.length;
  const m = new Float32Array(width * K);
  let r = 0;
  for (const { rows, dim } of parts) {
    for (let j = 0; j < dim; j++, r++) {
      for (let k = 0; k < K; k++) m[r * K + k] = rows[k * dim + j];
    }
  }
  for (const norms of squaredNorms) {
    for (let k = 0; k < K; k++) m[r * K + k] = norms[k];
    r++;
  }
  return m;
}

function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): P.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function castTo(dataType: number): P.IAttributeProto {
  return { name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: dataType };
}
