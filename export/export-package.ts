/**
 * Checkpoint → model package: the exporter's one orchestration, used by the CLI and (later)
 * by the browser worker that converts a dropped `.pt` file. Browser-safe: all I/O goes through
 * a ByteSource (the checkpoint) and a PackageDirectory (where files are written).
 */
import type { ByteSink } from '../src/core/bytes/byte-sink.ts';
import type { ByteSource } from '../src/core/bytes/byte-source.ts';
import type { Crc32 } from '../src/core/bytes/crc32.ts';
import { sha256Hex, type Sha256Factory } from '../src/core/bytes/sha256.ts';
import { loadCheckpoint } from './checkpoint/load-checkpoint.ts';
import type { LoadedCheckpoint } from './checkpoint/state-dict.ts';
import { detectConfig } from './detect-config.ts';
import { NonFiniteWatch, NonFiniteWeightsError } from './nonfinite-weights.ts';
import type { ModelConfig } from './model-config.ts';
import { buildPixelDecoder, buildPixelEncoder, buildSemanticEncoder, writeOnnxModel } from './onnx/index.ts';
import type { Graph } from './onnx/graph-builder.ts';
import type { Precision } from './onnx/streaming-writer.ts';
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
  /**
   * Export weights holding NaN or ±Inf with a warning instead of failing. For inspecting a
   * damaged model only: such a package decodes to black or broken images.
   */
  readonly allowNonfinite?: boolean;
  /** ONNX external data: 'auto' (default) for graphs with more than EXTERNAL_DATA_ABOVE_BYTES of weights. */
  readonly externalData?: boolean | 'auto';
  readonly onProgress?: (event: ExportProgress) => void;
  /** How the streamed graph files are hashed (default hash-wasm; Node passes node:crypto's). */
  readonly sha256?: Sha256Factory;
  /** Load each weight while the previous one is written (Node; see WriteOnnxOptions.readAhead). */
  readonly readAhead?: boolean;
  /** How the checkpoint's records are checksummed (default the portable CRC-32; Node passes zlib's). */
  readonly crc32?: Crc32;
}

export type ExportProgress =
  | { readonly stage: 'read-checkpoint'; readonly message: string }
  | { readonly stage: 'graph'; readonly graph: GraphName; readonly message: string }
  | { readonly stage: 'codebooks'; readonly message: string }
  | { readonly stage: 'warning'; readonly message: string }
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
const CODEBOOK_FILES = { semantic: 'codebook_semantic.f32.bin', pixel: 'codebook_pixel.f32.bin' } as const;
const MANIFEST_FILE = 'manifest.json';

/**
 * Every name the exporter may write into a package folder: the graphs, their ONNX external data
 * (`<graph>.data`, named by the streaming writer), the codebooks and the manifest. Lets a folder
 * writer tell a half-written package of ours from someone else's files.
 */
export const EXPORTER_FILE_NAMES: ReadonlySet<string> = new Set([
  ...Object.values(GRAPH_FILES).flatMap((f) => [f, `${f}.data`]),
  ...Object.values(CODEBOOK_FILES),
  MANIFEST_FILE,
]);

const BUILDERS: Record<GraphName, (config: ModelConfig, sd: LoadedCheckpoint['stateDict']) => Graph> = {
  semanticEncoder: buildSemanticEncoder,
  pixelEncoder: buildPixelEncoder,
  pixelDecoder: buildPixelDecoder,
};

export async function exportPackage(
  source: ByteSource,
  out: PackageDirectory,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const progress = options.onProgress ?? (() => {});
  const precision = options.precision ?? 'fp32';
  progress({ stage: 'read-checkpoint', message: `reading ${source.name} (${(source.size / 1e6).toFixed(1)} MB)` });
  const checkpoint = await loadCheckpoint(source, { crc32: options.crc32 });
  const nonFinite = new NonFiniteWatch();
  const sd = nonFinite.watch(checkpoint.stateDict);
  const config = detectConfig(sd, { inputSize: options.inputSize, scales: options.scales, sourceName: source.name });
  validateStateDict(sd, config, source.name);

  // Only the file's own name, in the graphs as in the manifest: a local path says nothing to whoever
  // receives the package, and the same checkpoint exports to the same bytes from any folder (or the page).
  const fileName = source.name.split(/[\\/]/).pop()!;
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
      openDataSink: (dataFile) => out.open(dataFile),
      docString: `TokenFlow ${name} exported from ${fileName} by tokenflow-playground`,
      sha256: options.sha256,
      readAhead: options.readAhead,
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
  const semanticFile = await codebookFile(
    'quantize.embedding_vqkd.weight',
    CODEBOOK_FILES.semantic,
    config.semanticCodeDim,
  );
  const pixelFile = await codebookFile('quantize.embedding_vqgan.weight', CODEBOOK_FILES.pixel, config.pixelCodeDim);

  // Every weight the package holds has been read once by now; this is where NaN/Inf can be listed in full.
  const nonFiniteReport = nonFinite.describe(source.name);
  if (nonFiniteReport !== undefined && !options.allowNonfinite) {
    throw new NonFiniteWeightsError(
      `${nonFiniteReport}. A package made from them decodes to black or broken images; ` +
        'the checkpoint is damaged (re-download it) or its training diverged; no package was made',
      nonFinite.found,
    );
  }
  if (nonFiniteReport !== undefined)
    progress({ stage: 'warning', message: `${nonFiniteReport}; exported anyway (allowNonfinite)` });

  const manifestJson = {
    format: PACKAGE_FORMAT,
    formatVersion: PACKAGE_FORMAT_VERSION,
    name: options.name ?? defaultName(config),
    description:
      `Exported from ${fileName} ('${checkpoint.weightsKey}' weights) by the tokenflow-playground exporter.` +
      (nonFiniteReport !== undefined
        ? ` ${nonFinite.found.length} of its weight tensors hold NaN or ±Inf (exported on purpose, allowNonfinite).`
        : ''),
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
  await writeWhole(out, MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifestJson, null, 2) + '\n'));
  progress({ stage: 'done', message: `wrote ${files.length + 1} files` });
  return {
    manifest,
    config,
    checkpoint: { format: checkpoint.format, weightsKey: checkpoint.weightsKey, topLevelKeys: checkpoint.topLevelKeys },
  };
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
  return { path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) };
}
