/**
 * Checkpoint → model package: the exporter's one orchestration, used by the CLI and (later)
 * by the browser worker that converts a dropped `.pt` file. Browser-safe: all I/O goes through
 * a ByteSource (the checkpoint) and a PackageDirectory (where files are written).
 */
import type { ByteSink } from './checkpoint/byte-sink.ts';
import type { ByteSource } from './checkpoint/byte-source.ts';
import { loadCheckpoint } from './checkpoint/load-checkpoint.ts';
import type { LoadedCheckpoint } from './checkpoint/state-dict.ts';
import { detectConfig } from './detect-config.ts';
import type { ModelConfig } from './model-config.ts';
import { buildPixelDecoder, buildPixelEncoder, buildSemanticEncoder, writeOnnxModel } from './onnx/index.ts';
import type { Graph } from './onnx/graph-builder.ts';
import type { Precision } from './onnx/streaming-writer.ts';
import { sha256Hex } from './sha256.ts';
import { validateStateDict } from './validate-state-dict.ts';
import { normalizeRows } from '../src/core/quantizer/codebook.ts';
import {
  PACKAGE_FORMAT,
  PACKAGE_FORMAT_VERSION,
  parseManifest,
  type GraphEntry,
  type GraphName,
  type ModelManifest,
  type PackageFile,
} from '../src/core/model-package/manifest.ts';

/** Where a package's files are written: a folder in Node, OPFS or memory in the browser. */
export interface PackageDirectory {
  open(path: string): Promise<ByteSink>;
}

export interface ExportOptions {
  readonly precision?: Precision;
  /** R; defaults to the official loaders' choice for the variant (CLIP enhanced: 256). */
  readonly inputSize?: number;
  /** Scale list of a model trained outside the official code (see DetectOptions.scales). */
  readonly scales?: readonly number[];
  /** Display name; defaults to one derived from the architecture. */
  readonly name?: string;
  /** ONNX external data: 'auto' (default) for graphs with more than EXTERNAL_DATA_ABOVE_BYTES of weights. */
  readonly externalData?: boolean | 'auto';
  readonly onProgress?: (event: ExportProgress) => void;
}

export type ExportProgress =
  | { readonly stage: 'read-checkpoint'; readonly message: string }
  | { readonly stage: 'graph'; readonly graph: GraphName; readonly message: string }
  | { readonly stage: 'codebooks'; readonly message: string }
  | { readonly stage: 'done'; readonly message: string };

export interface ExportResult {
  readonly manifest: ModelManifest;
  readonly config: ModelConfig;
  readonly checkpoint: Pick<LoadedCheckpoint, 'format' | 'weightsKey' | 'topLevelKeys'>;
}

/**
 * Released-size graphs keep their weights in a `.onnx.data` file beside the graph: onnxruntime-web
 * then copies each weight once into its heap, where an inline graph is copied whole and parsed
 * into a second copy first (browser peak 2.9× instead of 3.5× the package, npm run
 * bench:released). Small models (the embedded one, the test fixtures) stay in one file.
 */
export const EXTERNAL_DATA_ABOVE_BYTES = 64_000_000;

const GRAPH_FILES: Record<GraphName, string> = {
  semanticEncoder: 'semantic_encoder.onnx',
  pixelEncoder: 'pixel_encoder.onnx',
  pixelDecoder: 'pixel_decoder.onnx',
};
const BUILDERS: Record<GraphName, (config: ModelConfig, sd: LoadedCheckpoint['stateDict']) => Graph> = {
  semanticEncoder: buildSemanticEncoder,
  pixelEncoder: buildPixelEncoder,
  pixelDecoder: buildPixelDecoder,
};

export async function exportPackage(source: ByteSource, out: PackageDirectory, options: ExportOptions = {}): Promise<ExportResult> {
  const progress = options.onProgress ?? (() => {});
  const precision = options.precision ?? 'fp32';
  progress({ stage: 'read-checkpoint', message: `reading ${source.name} (${(source.size / 1e6).toFixed(1)} MB)` });
  const checkpoint = await loadCheckpoint(source);
  const sd = checkpoint.stateDict;
  const config = detectConfig(sd, { inputSize: options.inputSize, scales: options.scales, sourceName: source.name });
  validateStateDict(sd, config, source.name);

  const files: PackageFile[] = [];
  const graphs = {} as Record<GraphName, GraphEntry>;
  for (const name of Object.keys(GRAPH_FILES) as GraphName[]) {
    progress({ stage: 'graph', graph: name, message: `building ${GRAPH_FILES[name]}` });
    const graph = BUILDERS[name](config, sd);
    const written = await writeOnnxModel(graph, await out.open(GRAPH_FILES[name]), {
      fileName: GRAPH_FILES[name],
      precision,
      externalData: options.externalData ?? 'auto',
      autoExternalThresholdBytes: EXTERNAL_DATA_ABOVE_BYTES,
      openDataSink: (fileName) => out.open(fileName),
      docString: `TokenFlow ${name} exported from ${source.name} by tokenflow-playground`,
    });
    for (const f of written.files) files.push({ path: f.name, bytes: f.bytes, sha256: f.sha256 });
    graphs[name] = {
      file: written.files[0].name,
      externalData: written.files.slice(1).map((f) => f.name),
      inputs: written.inputs.map((io) => ({ name: io.name, dtype: 'float32', shape: [...io.shape] })),
      outputs: written.outputs.map((io) => ({ name: io.name, dtype: 'float32', shape: [...io.shape] })),
    };
  }

  progress({ stage: 'codebooks', message: 'normalising and writing the codebooks' });
  const codebookFile = async (key: string, path: string, dim: number) => {
    const raw = await sd.get(key)!.readFloat32();
    // Normalised once here with the quantizer's own F.normalize, so runtimes never redo it.
    const rows = normalizeRows(raw, dim);
    files.push(await writeWhole(out, path, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength)));
    return path;
  };
  const K = config.codebookSize;
  const semanticFile = await codebookFile('quantize.embedding_vqkd.weight', 'codebook_semantic.f32.bin', config.semanticCodeDim);
  const pixelFile = await codebookFile('quantize.embedding_vqgan.weight', 'codebook_pixel.f32.bin', config.pixelCodeDim);

  // Only the file's own name: a local path says nothing to whoever receives the package.
  const fileName = source.name.split(/[\\/]/).pop()!;
  const manifestJson = {
    format: PACKAGE_FORMAT,
    formatVersion: PACKAGE_FORMAT_VERSION,
    name: options.name ?? defaultName(config),
    description: `Exported from ${fileName} ('${checkpoint.weightsKey}' weights) by the tokenflow-playground exporter.`,
    variant: config.variant,
    source: { file: fileName, bytes: source.size, weightsKey: checkpoint.weightsKey },
    precision,
    inputSize: config.inputSize,
    gridSize: config.gridSize,
    pixelBranchSize: config.pixelBranchSize,
    outputSize: config.outputSize,
    scales: [...config.scales],
    numTokens: config.scales.reduce((a, s) => a + s * s, 0),
    codebookSize: K,
    semanticCodeDim: config.semanticCodeDim,
    pixelCodeDim: config.pixelCodeDim,
    distanceWeights: { semantic: 1, pixel: 1 },
    preprocess: { crop: 'adm-center-crop', normalize: 'minus-one-to-one' },
    postprocess: { toUint8: 'clamp-127.5y+128' },
    graphs,
    codebooks: {
      semantic: { file: semanticFile, dtype: 'float32', shape: [K, config.semanticCodeDim], normalized: true },
      pixel: { file: pixelFile, dtype: 'float32', shape: [K, config.pixelCodeDim], normalized: true },
    },
    files,
  };
  // Parse what we are about to write: the exporter and every runtime agree on one schema.
  const manifest = parseManifest(manifestJson, 'exported manifest');
  await writeWhole(out, 'manifest.json', new TextEncoder().encode(JSON.stringify(manifestJson, null, 2) + '\n'));
  progress({ stage: 'done', message: `wrote ${files.length + 1} files` });
  return { manifest, config, checkpoint: { format: checkpoint.format, weightsKey: checkpoint.weightsKey, topLevelKeys: checkpoint.topLevelKeys } };
}

function defaultName(config: ModelConfig): string {
  const k = config.codebookSize % 1024 === 0 ? `${config.codebookSize / 1024}k` : String(config.codebookSize);
  const tower = config.variant === 'clip' ? 'CLIP' : 'SigLIP';
  return `TokenFlow ${tower}${config.pixelDecoder.enhanced ? ' enhanced' : ''} ${k} @${config.inputSize}`;
}

async function writeWhole(out: PackageDirectory, path: string, bytes: Uint8Array): Promise<PackageFile> {
  const sink = await out.open(path);
  await sink.write(bytes);
  await sink.close();
  return { path, bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
}
