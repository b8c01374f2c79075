/**
 * Serialises a Graph to an ONNX ModelProto without ever holding the model in memory: the
 * skeleton (nodes, inputs, outputs, small constants) is encoded by onnx-proto, and each
 * weight's TensorProto is written one at a time with its raw_data appended. Every length
 * prefix is computed up front from the known shapes, because protobuf needs the graph's
 * total length before its first byte.
 *
 * Layout written (protobuf accepts fields in any order and merges repeated ones):
 *   ModelProto{ir_version, opset_import, producer…}  field 7 (graph) header
 *   GraphProto skeleton bytes                         then per weight: field 5 header,
 *   TensorProto{name, dims, data_type[, external_data, data_location]}  [field 9 header, bytes]
 */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import type { ByteSink } from '../../src/core/bytes/byte-sink.ts';
import type { Attr, ConstantInitializer, Graph, GraphIO, GraphNode, WeightInitializer } from './graph-builder.ts';
import { fmtShape } from './graph-builder.ts';
import { HashingWriter, type WrittenFile } from './hashing-writer.ts';
import type { Sha256Factory } from '../../src/core/bytes/sha256.ts';
import type { Precision } from '../../src/core/model-package/manifest.ts';
import { lengthDelimitedHeader, lengthDelimitedSize } from './protobuf-wire.ts';
import { numel } from './weight-transforms.ts';
import { float32ToFloat16Bits } from '../checkpoint/half.ts';

const { onnx } = onnxProto;

const MODEL_GRAPH_FIELD = 7;
const GRAPH_INITIALIZER_FIELD = 5;
const TENSOR_RAW_DATA_FIELD = 9;

/** Protobuf messages are limited to 2 GiB; stay clear of it with the skeleton's overhead. */
export const DEFAULT_EXTERNAL_THRESHOLD_BYTES = 1_900_000_000;

export type { Precision };

export interface WriteOnnxOptions {
  /** Name of the model file (e.g. `pixel_decoder.onnx`); external data goes to `<fileName>.data`. */
  readonly fileName: string;
  /** fp16 stores matrix weights as FLOAT16 followed by a Cast to float: compute stays fp32. */
  readonly precision?: Precision;
  /** true: all weights in the data file; 'auto': only when the model would pass the protobuf limit. */
  readonly externalData?: boolean | 'auto';
  /** Opens the sibling data file; required whenever external data is (or may be) written. */
  readonly openDataSink?: (fileName: string) => Promise<ByteSink>;
  /** Threshold for 'auto' (default 1.9e9 bytes). */
  readonly autoExternalThresholdBytes?: number;
  readonly docString?: string;
  readonly producerVersion?: string;
  /** How the written files are hashed; default hash-wasm's SHA-256 (browser and Node). */
  readonly sha256?: Sha256Factory;
  /**
   * Start loading the next weight as soon as one is loaded, so its read overlaps this one's
   * hashing and writing (Node's exporter). Costs one more weight in memory; default off.
   */
  readonly readAhead?: boolean;
}

export interface WriteOnnxResult {
  /** The model file first, then its data file when external data was used. */
  readonly files: readonly WrittenFile[];
  readonly inputs: readonly GraphIO[];
  readonly outputs: readonly GraphIO[];
  readonly precision: Precision;
  readonly externalData: boolean;
  /** Bytes of weight data written (inline raw_data or data file). */
  readonly weightBytes: number;
}

interface PlannedWeight {
  readonly weight: WeightInitializer;
  readonly storedName: string;
  readonly half: boolean;
  readonly dataBytes: number;
  /** Encoded TensorProto without raw_data. */
  header: Uint8Array;
}

/**
 * Writes `graph` to `sink` (and, for external data, to a sink from `options.openDataSink`).
 * Closes every sink it writes to. Weights are loaded, converted and written one at a time.
 */
export async function writeOnnxModel(
  graph: Graph,
  sink: ByteSink,
  options: WriteOnnxOptions,
): Promise<WriteOnnxResult> {
  const precision = options.precision ?? 'fp32';
  const readAhead = options.readAhead ?? false;
  const plan = graph.weights.map((weight): PlannedWeight => {
    const half = precision === 'fp16' && weight.halfEligible;
    return {
      weight,
      storedName: half ? `${weight.name}::fp16` : weight.name,
      half,
      dataBytes: numel(weight.dims) * (half ? 2 : 4),
      header: new Uint8Array(0),
    };
  });
  const weightBytes = plan.reduce((s, p) => s + p.dataBytes, 0);

  const skeleton = onnx.GraphProto.encode(skeletonGraph(graph, plan)).finish();
  const modelHead = onnx.ModelProto.encode({
    irVersion: graph.irVersion,
    opsetImport: [{ domain: '', version: graph.opsetVersion }],
    producerName: 'tokenflow-playground',
    producerVersion: options.producerVersion ?? '',
    docString: options.docString ?? '',
  }).finish();

  const inlineTotal = inlineModelSize(modelHead.length, skeleton.length, plan);
  const external = decideExternal(options, inlineTotal);
  const dataFileName = `${options.fileName}.data`;
  const location = dataFileName.split(/[\\/]/).pop() as string;

  let offset = 0;
  for (const p of plan) {
    p.header = onnx.TensorProto.encode(tensorHeader(p, external ? { location, offset } : null)).finish();
    offset += p.dataBytes;
  }
  const graphLength = graphSize(skeleton.length, plan, external);
  const total = modelHead.length + lengthDelimitedSize(MODEL_GRAPH_FIELD, graphLength);

  const model = await HashingWriter.open(sink, options.fileName, options.sha256);
  const files: WrittenFile[] = [];
  try {
    // Checked before the first byte, so a misconfigured call writes nothing.
    if (external && !options.openDataSink) {
      throw new Error(`${options.fileName}: external data needs options.openDataSink to open ${dataFileName}`);
    }
    files.push(await writeModelFile(model, modelHead, skeleton, plan, graphLength, external, total, readAhead));
  } catch (e) {
    await model.abort();
    throw e;
  }

  if (external && options.openDataSink) {
    const data = await HashingWriter.open(await options.openDataSink(dataFileName), dataFileName, options.sha256);
    try {
      for await (const bytes of weightBytesInOrder(plan, readAhead)) await data.write(bytes);
      if (data.bytes !== weightBytes)
        throw new Error(`${dataFileName}: wrote ${data.bytes} bytes but planned ${weightBytes} (writer bug)`);
      files.push(await data.finish());
    } catch (e) {
      await data.abort();
      throw e;
    }
  }

  return { files, inputs: graph.inputs, outputs: graph.outputs, precision, externalData: external, weightBytes };
}

async function writeModelFile(
  model: HashingWriter,
  modelHead: Uint8Array,
  skeleton: Uint8Array,
  plan: readonly PlannedWeight[],
  graphLength: number,
  external: boolean,
  total: number,
  readAhead: boolean,
): Promise<WrittenFile> {
  await model.write(modelHead);
  await model.write(lengthDelimitedHeader(MODEL_GRAPH_FIELD, graphLength));
  await model.write(skeleton);
  const inlineBytes = external ? undefined : weightBytesInOrder(plan, readAhead);
  try {
    for (const p of plan) {
      await model.write(lengthDelimitedHeader(GRAPH_INITIALIZER_FIELD, tensorSize(p, external)));
      await model.write(p.header);
      if (inlineBytes) {
        await model.write(lengthDelimitedHeader(TENSOR_RAW_DATA_FIELD, p.dataBytes));
        const next = await inlineBytes.next();
        if (next.done) throw new Error(`${model.name}: weight ${p.storedName} has no data (writer bug)`);
        await model.write(next.value);
      }
    }
  } finally {
    await inlineBytes?.return(undefined);
  }
  if (model.bytes !== total)
    throw new Error(`${model.name}: wrote ${model.bytes} bytes but planned ${total} (writer bug)`);
  return model.finish();
}

function decideExternal(options: WriteOnnxOptions, inlineTotal: number): boolean {
  const mode = options.externalData ?? 'auto';
  if (mode !== 'auto') return mode;
  return inlineTotal > (options.autoExternalThresholdBytes ?? DEFAULT_EXTERNAL_THRESHOLD_BYTES);
}

function tensorSize(p: PlannedWeight, external: boolean): number {
  return p.header.length + (external ? 0 : lengthDelimitedSize(TENSOR_RAW_DATA_FIELD, p.dataBytes));
}

function graphSize(skeletonBytes: number, plan: readonly PlannedWeight[], external: boolean): number {
  return plan.reduce(
    (s, p) => s + lengthDelimitedSize(GRAPH_INITIALIZER_FIELD, tensorSize(p, external)),
    skeletonBytes,
  );
}

/** Size of the model with every weight inline, to decide 'auto'. */
function inlineModelSize(headBytes: number, skeletonBytes: number, plan: readonly PlannedWeight[]): number {
  const inline = plan.map((p) => ({ ...p, header: onnx.TensorProto.encode(tensorHeader(p, null)).finish() }));
  return headBytes + lengthDelimitedSize(MODEL_GRAPH_FIELD, graphSize(skeletonBytes, inline, false));
}

/**
 * Each planned weight's stored bytes, in plan order. With `readAhead`, the next weight starts
 * loading once the previous one is loaded (never earlier, so weights are still read, checked
 * and counted one after another), and runs while the caller writes the one handed out.
 */
async function* weightBytesInOrder(plan: readonly PlannedWeight[], readAhead: boolean): AsyncGenerator<Uint8Array> {
  if (!readAhead) {
    for (const p of plan) yield await weightBytesOf(p);
    return;
  }
  let pending: Promise<Uint8Array> | undefined;
  const start = (i: number): Promise<Uint8Array> | undefined => {
    if (i >= plan.length) return undefined;
    const load = weightBytesOf(plan[i]);
    // Observed at once: if the caller stops early, its failure must not surface as unhandled.
    load.catch(() => undefined);
    return load;
  };
  try {
    pending = start(0);
    for (let i = 0; pending; i++) {
      const bytes = await pending;
      pending = start(i + 1);
      yield bytes;
    }
  } finally {
    // A caller that stopped (a write failed) returns only once the load it started has settled.
    await pending?.catch(() => undefined);
  }
}

async function weightBytesOf(p: PlannedWeight): Promise<Uint8Array> {
  const w = p.weight;
  const data = await w.load();
  const expected = numel(w.dims);
  if (data.length !== expected) {
    throw new Error(
      `weight ${w.name} (from ${w.sourceKeys.join(', ')}): loaded ${data.length} values, expected ${expected} for dims ${fmtShape(w.dims)}`,
    );
  }
  // Raw data is little-endian; so is every JS engine we target.
  const stored = p.half ? float32ToFloat16Bits(data) : data;
  return new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
}

function tensorHeader(p: PlannedWeight, external: { location: string; offset: number } | null): P.ITensorProto {
  const header: P.ITensorProto = {
    name: p.storedName,
    dims: [...p.weight.dims],
    dataType: p.half ? onnx.TensorProto.DataType.FLOAT16 : onnx.TensorProto.DataType.FLOAT,
  };
  if (external) {
    header.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    header.externalData = [
      { key: 'location', value: external.location },
      { key: 'offset', value: String(external.offset) },
      { key: 'length', value: String(p.dataBytes) },
    ];
  }
  return header;
}

function skeletonGraph(graph: Graph, plan: readonly PlannedWeight[]): P.IGraphProto {
  // fp16 weights are stored under another name and cast back, so the graph body never changes.
  const casts: P.INodeProto[] = plan
    .filter((p) => p.half)
    .map((p) => ({
      name: `${p.weight.name}/Cast`,
      opType: 'Cast',
      input: [p.storedName],
      output: [p.weight.name],
      attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT }],
    }));
  return {
    name: graph.name,
    node: [...casts, ...graph.nodes.map(nodeProto)],
    input: graph.inputs.map(valueInfo),
    output: graph.outputs.map(valueInfo),
    initializer: graph.constants.map(constantProto),
  };
}

function valueInfo(io: GraphIO): P.IValueInfoProto {
  return {
    name: io.name,
    type: {
      tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: io.shape.map((d) => ({ dimValue: d })) } },
    },
  };
}

function nodeProto(n: GraphNode): P.INodeProto {
  return {
    name: n.name,
    opType: n.opType,
    input: [...n.inputs],
    output: [...n.outputs],
    attribute: Object.entries(n.attributes).map(([name, a]) => attributeProto(name, a)),
  };
}

function attributeProto(name: string, a: Attr): P.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function constantProto(c: ConstantInitializer): P.ITensorProto {
  return {
    name: c.name,
    dims: [...c.dims],
    dataType: c.dtype === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength),
  };
}
