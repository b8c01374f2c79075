/**
 * The model package manifest: what a runtime (browser or Node) needs to run a TokenFlow model,
 * and nothing else. Written by the exporter, read by every runtime; format documented in
 * docs/model-package.md. Parsing validates every field so a hand-edited or truncated manifest
 * fails with the field's name instead of a black image later.
 */

export const PACKAGE_FORMAT = 'tokenflow-model-package';
export const PACKAGE_FORMAT_VERSION = 1;

export type GraphName = 'semanticEncoder' | 'pixelEncoder' | 'pixelDecoder';
export const GRAPH_NAMES: readonly GraphName[] = ['semanticEncoder', 'pixelEncoder', 'pixelDecoder'];

export interface TensorSpec {
  readonly name: string;
  readonly dtype: 'float32';
  readonly shape: readonly number[];
}

export interface GraphEntry {
  /** The .onnx file, relative to the manifest. */
  readonly file: string;
  /** ONNX external-data files the graph refers to (by the same relative path), if any. */
  readonly externalData: readonly string[];
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

export interface CodebookEntry {
  readonly file: string;
  readonly dtype: 'float32';
  /** [K, dim], rows L2-normalised by the exporter (F.normalize, eps 1e-12). */
  readonly shape: readonly [number, number];
  readonly normalized: true;
}

export interface PackageFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** How a package stores its weights: fp16 halves the download; compute stays float32. */
export type Precision = 'fp32' | 'fp16';

export interface ModelManifest {
  readonly format: typeof PACKAGE_FORMAT;
  readonly formatVersion: number;
  /** A human name shown in the UI, e.g. "TokenFlow CLIP-B enhanced (32k)". */
  readonly name: string;
  readonly description: string;
  readonly variant: 'clip' | 'siglip';
  /** Where the weights came from: the checkpoint file name and the top-level key used. */
  readonly source: { readonly file: string; readonly bytes: number; readonly weightsKey: string };
  /** Weights precision in the graphs; compute is float32 either way. */
  readonly precision: Precision;
  readonly inputSize: number;
  readonly gridSize: number;
  readonly pixelBranchSize: number;
  readonly outputSize: number;
  readonly scales: readonly number[];
  readonly numTokens: number;
  readonly codebookSize: number;
  readonly semanticCodeDim: number;
  readonly pixelCodeDim: number;
  /** The released code sums the two squared distances 1:1. */
  readonly distanceWeights: { readonly semantic: number; readonly pixel: number };
  readonly preprocess: {
    /** ADM center_crop_arr: PIL BOX halving while the short side ≥ 2R, PIL BICUBIC to R, center crop. */
    readonly crop: 'adm-center-crop';
    /** x = (p/255 − 0.5)/0.5, NCHW float32 in [-1, 1], fed unchanged to both encoders. */
    readonly normalize: 'minus-one-to-one';
  };
  readonly postprocess: {
    /** uint8 = trunc(clamp(127.5·y + 128, 0, 255)) in float32. */
    readonly toUint8: 'clamp-127.5y+128';
  };
  readonly graphs: { readonly [G in GraphName]: GraphEntry };
  readonly codebooks: { readonly semantic: CodebookEntry; readonly pixel: CodebookEntry };
  /** Every file of the package except the manifest itself. */
  readonly files: readonly PackageFile[];
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Parses and checks a manifest; `where` names it in errors (a path or URL). */
export function parseManifest(json: unknown, where = 'manifest.json'): ModelManifest {
  const m = obj(json, where);
  const at = (field: string) => `${where}: ${field}`;
  if (m.format !== PACKAGE_FORMAT)
    throw new ManifestError(`${at('format')} is ${JSON.stringify(m.format)}, expected "${PACKAGE_FORMAT}"`);
  const version = int(m.formatVersion, at('formatVersion'));
  if (version > PACKAGE_FORMAT_VERSION) {
    throw new ManifestError(
      `${at('formatVersion')} is ${version}; this build reads version ${PACKAGE_FORMAT_VERSION} — update the playground`,
    );
  }
  const variant = oneOf(m.variant, ['clip', 'siglip'] as const, at('variant'));
  const scales = intArray(m.scales, at('scales'));
  const gridSize = int(m.gridSize, at('gridSize'));
  if (scales.length === 0 || scales[scales.length - 1] !== gridSize) {
    throw new ManifestError(`${at('scales')} must end with gridSize ${gridSize}, got [${scales.join(', ')}]`);
  }
  const numTokens = int(m.numTokens, at('numTokens'));
  const expectedTokens = scales.reduce((a, s) => a + s * s, 0);
  if (numTokens !== expectedTokens)
    throw new ManifestError(`${at('numTokens')} is ${numTokens}, but the scales give ${expectedTokens}`);
  const files = arr(m.files, at('files')).map((f, i) => {
    const o = obj(f, at(`files[${i}]`));
    return {
      path: str(o.path, at(`files[${i}].path`)),
      bytes: int(o.bytes, at(`files[${i}].bytes`)),
      sha256: sha(o.sha256, at(`files[${i}].sha256`)),
    };
  });
  const listed = new Set(files.map((f) => f.path));
  const needFile = (path: string, field: string) => {
    if (!listed.has(path)) throw new ManifestError(`${at(field)} names ${path}, which is not listed in files`);
    return path;
  };
  const graphs = obj(m.graphs, at('graphs'));
  const graph = (g: GraphName): GraphEntry => {
    const o = obj(graphs[g], at(`graphs.${g}`));
    return {
      file: needFile(str(o.file, at(`graphs.${g}.file`)), `graphs.${g}.file`),
      externalData: arr(o.externalData ?? [], at(`graphs.${g}.externalData`)).map((x, i) =>
        needFile(str(x, at(`graphs.${g}.externalData[${i}]`)), `graphs.${g}.externalData[${i}]`),
      ),
      inputs: tensorSpecs(o.inputs, at(`graphs.${g}.inputs`)),
      outputs: tensorSpecs(o.outputs, at(`graphs.${g}.outputs`)),
    };
  };
  const codebooks = obj(m.codebooks, at('codebooks'));
  const K = int(m.codebookSize, at('codebookSize'));
  const codebook = (c: 'semantic' | 'pixel', dim: number): CodebookEntry => {
    const o = obj(codebooks[c], at(`codebooks.${c}`));
    const shape = intArray(o.shape, at(`codebooks.${c}.shape`));
    if (shape.length !== 2 || shape[0] !== K || shape[1] !== dim) {
      throw new ManifestError(`${at(`codebooks.${c}.shape`)} is [${shape.join(', ')}], expected [${K}, ${dim}]`);
    }
    if (o.normalized !== true)
      throw new ManifestError(`${at(`codebooks.${c}.normalized`)} must be true (rows L2-normalised by the exporter)`);
    oneOf(o.dtype, ['float32'] as const, at(`codebooks.${c}.dtype`));
    return {
      file: needFile(str(o.file, at(`codebooks.${c}.file`)), `codebooks.${c}.file`),
      dtype: 'float32',
      shape: [shape[0], shape[1]],
      normalized: true,
    };
  };
  const semanticCodeDim = int(m.semanticCodeDim, at('semanticCodeDim'));
  const pixelCodeDim = int(m.pixelCodeDim, at('pixelCodeDim'));
  const weights = obj(m.distanceWeights, at('distanceWeights'));
  const source = obj(m.source, at('source'));
  const pre = obj(m.preprocess, at('preprocess'));
  const post = obj(m.postprocess, at('postprocess'));
  return {
    format: PACKAGE_FORMAT,
    formatVersion: version,
    name: str(m.name, at('name')),
    description: typeof m.description === 'string' ? m.description : '',
    variant,
    source: {
      file: str(source.file, at('source.file')),
      bytes: int(source.bytes, at('source.bytes')),
      weightsKey: str(source.weightsKey, at('source.weightsKey')),
    },
    precision: oneOf(m.precision, ['fp32', 'fp16'] as const, at('precision')),
    inputSize: int(m.inputSize, at('inputSize')),
    gridSize,
    pixelBranchSize: int(m.pixelBranchSize, at('pixelBranchSize')),
    outputSize: int(m.outputSize, at('outputSize')),
    scales,
    numTokens,
    codebookSize: K,
    semanticCodeDim,
    pixelCodeDim,
    distanceWeights: {
      semantic: num(weights.semantic, at('distanceWeights.semantic')),
      pixel: num(weights.pixel, at('distanceWeights.pixel')),
    },
    preprocess: {
      crop: oneOf(pre.crop, ['adm-center-crop'] as const, at('preprocess.crop')),
      normalize: oneOf(pre.normalize, ['minus-one-to-one'] as const, at('preprocess.normalize')),
    },
    postprocess: { toUint8: oneOf(post.toUint8, ['clamp-127.5y+128'] as const, at('postprocess.toUint8')) },
    graphs: {
      semanticEncoder: graph('semanticEncoder'),
      pixelEncoder: graph('pixelEncoder'),
      pixelDecoder: graph('pixelDecoder'),
    },
    codebooks: { semantic: codebook('semantic', semanticCodeDim), pixel: codebook('pixel', pixelCodeDim) },
    files,
  };
}

export function fileEntry(manifest: ModelManifest, path: string): PackageFile {
  const f = manifest.files.find((x) => x.path === path);
  if (!f) throw new ManifestError(`${manifest.name}: no file ${path} in the package`);
  return f;
}

function tensorSpecs(v: unknown, where: string): TensorSpec[] {
  return arr(v, where).map((t, i) => {
    const o = obj(t, `${where}[${i}]`);
    return {
      name: str(o.name, `${where}[${i}].name`),
      dtype: oneOf(o.dtype, ['float32'] as const, `${where}[${i}].dtype`),
      shape: intArray(o.shape, `${where}[${i}].shape`),
    };
  });
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ManifestError(`${where} must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}
function arr(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new ManifestError(`${where} must be an array, got ${describe(v)}`);
  return v;
}
function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new ManifestError(`${where} must be a non-empty string, got ${describe(v)}`);
  return v;
}
function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ManifestError(`${where} must be a finite number, got ${describe(v)}`);
  return v;
}
function int(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new ManifestError(`${where} must be a non-negative integer, got ${describe(v)}`);
  return v;
}
function intArray(v: unknown, where: string): number[] {
  return arr(v, where).map((x, i) => int(x, `${where}[${i}]`));
}
function sha(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v))
    throw new ManifestError(`${where} must be a lowercase hex sha256, got ${describe(v)}`);
  return v;
}
function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new ManifestError(
      `${where} is ${describe(v)}, expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
    );
  }
  return v as T;
}
function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
