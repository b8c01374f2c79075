/**
 * The token file a person downloads, shares and pastes back: which model made the tokens (by
 * the manifest's name and the geometry decoding depends on), the distance weights, and the
 * indices per scale. Indices are only meaningful with the same codebooks, so parsing checks
 * the geometry against the model that will decode them and names any field that is wrong.
 */
import type { ExifOrientation, OrientationUse } from '../../core/image/image-header.ts';
import type { ModelManifest } from '../../core/model-package/manifest.ts';
import type { DistanceWeights } from '../../core/quantizer/nearest-codes.ts';
import { createTokenLayout } from './token-layout.ts';

export const TOKEN_FILE_FORMAT = 'tokenflow-tokens';
export const TOKEN_FILE_VERSION = 1;

export interface TokenFile {
  readonly format: typeof TOKEN_FILE_FORMAT;
  readonly formatVersion: number;
  readonly model: {
    readonly name: string;
    readonly variant: string;
    readonly inputSize: number;
    readonly gridSize: number;
    readonly codebookSize: number;
  };
  /** The scale sides the indices cover (a prefix of the model's list). */
  readonly scales: readonly number[];
  /** One array of s² indices per scale, row-major. */
  readonly indices: readonly (readonly number[])[];
  /** Distance weights the tokens were chosen with (1:1 in the released code). */
  readonly weights?: DistanceWeights;
  /** The source image's file name, when there was one. */
  readonly image?: string;
  /**
   * When the image has an EXIF orientation tag: whether the pixels were turned as displayed
   * (applied) or tokenized as stored, as the official code does. The two give different tokens.
   */
  readonly imageOrientation?: OrientationUse;
  /** True when a person changed tokens by hand after encoding. */
  readonly edited?: boolean;
}

export interface TokenFileInput {
  readonly manifest: ModelManifest;
  /** Scale-major indices covering whole scales. */
  readonly indices: Int32Array;
  readonly weights?: DistanceWeights;
  readonly image?: string;
  readonly imageOrientation?: OrientationUse;
  readonly edited?: boolean;
}

export function createTokenFile(input: TokenFileInput): TokenFile {
  const m = input.manifest;
  const layout = createTokenLayout(m.gridSize, m.scales);
  const covered = layout.tokenOffsets.indexOf(input.indices.length);
  if (covered < 1) throw new Error(`${input.indices.length} indices is not a whole number of scales of ${m.name}`);
  const scales = m.scales.slice(0, covered);
  const indices = scales.map((_, i) =>
    Array.from(input.indices.subarray(layout.tokenOffsets[i], layout.tokenOffsets[i + 1])),
  );
  return {
    format: TOKEN_FILE_FORMAT,
    formatVersion: TOKEN_FILE_VERSION,
    model: {
      name: m.name,
      variant: m.variant,
      inputSize: m.inputSize,
      gridSize: m.gridSize,
      codebookSize: m.codebookSize,
    },
    scales,
    indices,
    ...(input.weights ? { weights: { semantic: input.weights.semantic, pixel: input.weights.pixel } } : {}),
    ...(input.image ? { image: input.image } : {}),
    ...(input.imageOrientation
      ? { imageOrientation: { exif: input.imageOrientation.exif, applied: input.imageOrientation.applied } }
      : {}),
    ...(input.edited ? { edited: true } : {}),
  };
}

/** Compact JSON: one line per scale, so a person can read and edit it. */
export function serializeTokenFile(file: TokenFile): string {
  const { indices, ...head } = file;
  const lines = indices.map((row) => `    [${row.join(',')}]`);
  const headJson = JSON.stringify(head, null, 2);
  return `${headJson.slice(0, -2)},\n  "indices": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

export interface ParsedTokens {
  readonly file: TokenFile;
  /** The indices flattened scale-major, ready for decode-indices. */
  readonly indices: Int32Array;
  /** Differences from the decoding model that do not stop decoding (e.g. another model name). */
  readonly warnings: readonly string[];
}

/**
 * Parses pasted or loaded token JSON and checks it against `manifest`, the model that will
 * decode it. Throws with the field that is wrong; returns warnings for harmless differences.
 */
export function parseTokenFile(text: string, manifest: ModelManifest): ParsedTokens {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`the token JSON does not parse: ${(e as Error).message}`);
  }
  if (Array.isArray(json))
    json = { format: TOKEN_FILE_FORMAT, formatVersion: 1, scales: guessScales(json, manifest), indices: json };
  if (typeof json !== 'object' || json === null)
    throw new Error('the token JSON must be an object with "scales" and "indices"');
  const o = json as Record<string, unknown>;
  if (o.format !== undefined && o.format !== TOKEN_FILE_FORMAT)
    throw new Error(`"format" is ${JSON.stringify(o.format)}, expected "${TOKEN_FILE_FORMAT}"`);
  if (typeof o.formatVersion === 'number' && o.formatVersion > TOKEN_FILE_VERSION) {
    throw new Error(`"formatVersion" is ${o.formatVersion}; this playground reads version ${TOKEN_FILE_VERSION}`);
  }
  const warnings: string[] = [];
  const model = (typeof o.model === 'object' && o.model !== null ? o.model : {}) as Record<string, unknown>;
  const K = manifest.codebookSize;
  if (typeof model.codebookSize === 'number' && model.codebookSize !== K) {
    throw new Error(`the tokens are for a codebook of K=${model.codebookSize} codes, but ${manifest.name} has K=${K}`);
  }
  if (typeof model.gridSize === 'number' && model.gridSize !== manifest.gridSize) {
    throw new Error(
      `the tokens are for a ${model.gridSize}×${model.gridSize} final grid, ` +
        `but ${manifest.name} has ${manifest.gridSize}×${manifest.gridSize}`,
    );
  }
  if (typeof model.name === 'string' && model.name !== manifest.name) {
    warnings.push(
      `the tokens were made by "${model.name}"; decoding them with "${manifest.name}" only makes sense if it has the same codebooks`,
    );
  }

  if (!Array.isArray(o.scales) || !o.scales.every((s) => Number.isInteger(s)))
    throw new Error('"scales" must be an array of integers');
  const scales = o.scales as number[];
  const prefixOk =
    scales.length >= 1 && scales.length <= manifest.scales.length && scales.every((s, i) => s === manifest.scales[i]);
  if (!prefixOk) {
    throw new Error(
      `"scales" is [${scales.join(',')}], which is not a prefix of ${manifest.name}'s scales [${manifest.scales.join(',')}]`,
    );
  }
  if (!Array.isArray(o.indices)) throw new Error('"indices" must be an array with one array per scale');
  if (o.indices.length !== scales.length)
    throw new Error(`"indices" has ${o.indices.length} arrays but "scales" lists ${scales.length}`);
  const total = scales.reduce((a, s) => a + s * s, 0);
  const flat = new Int32Array(total);
  let t = 0;
  scales.forEach((s, i) => {
    const row = (o.indices as unknown[])[i];
    if (!Array.isArray(row) || row.length !== s * s) {
      throw new Error(
        `"indices"[${i}] (scale ${s}×${s}) must hold ${s * s} indices, got ${Array.isArray(row) ? row.length : typeof row}`,
      );
    }
    row.forEach((k, p) => {
      if (!Number.isInteger(k) || (k as number) < 0 || (k as number) >= K) {
        throw new Error(
          `"indices"[${i}][${p}] (scale ${s}×${s}, row ${Math.floor(p / s)}, column ${p % s}) ` +
            `is ${JSON.stringify(k)}, not an integer in [0, ${K})`,
        );
      }
      flat[t++] = k as number;
    });
  });
  const weights = parseWeights(o.weights);
  const orientation = parseOrientation(o.imageOrientation);
  const file: TokenFile = {
    format: TOKEN_FILE_FORMAT,
    formatVersion: TOKEN_FILE_VERSION,
    model: {
      name: typeof model.name === 'string' ? model.name : manifest.name,
      variant: typeof model.variant === 'string' ? model.variant : manifest.variant,
      inputSize: typeof model.inputSize === 'number' ? model.inputSize : manifest.inputSize,
      gridSize: manifest.gridSize,
      codebookSize: K,
    },
    scales,
    indices: (o.indices as number[][]).map((r) => [...r]),
    ...(weights ? { weights } : {}),
    ...(typeof o.image === 'string' ? { image: o.image } : {}),
    ...(orientation ? { imageOrientation: orientation } : {}),
    ...(o.edited === true ? { edited: true } : {}),
  };
  return { file, indices: flat, warnings };
}

/** A bare array of arrays: take the model's first scales, if the lengths fit. */
function guessScales(rows: unknown[], manifest: ModelManifest): number[] {
  return manifest.scales.slice(0, rows.length);
}

function parseWeights(v: unknown): DistanceWeights | undefined {
  if (v === undefined) return undefined;
  const w = v as Record<string, unknown>;
  if (typeof w !== 'object' || w === null || typeof w.semantic !== 'number' || typeof w.pixel !== 'number') {
    throw new Error('"weights" must be {"semantic": number, "pixel": number}');
  }
  return { semantic: w.semantic, pixel: w.pixel };
}

function parseOrientation(v: unknown): OrientationUse | undefined {
  if (v === undefined) return undefined;
  const o = v as Record<string, unknown>;
  if (
    typeof o !== 'object' ||
    o === null ||
    !Number.isInteger(o.exif) ||
    (o.exif as number) < 1 ||
    (o.exif as number) > 8 ||
    typeof o.applied !== 'boolean'
  ) {
    throw new Error('"imageOrientation" must be {"exif": 1…8, "applied": true|false}');
  }
  return { exif: o.exif as ExifOrientation, applied: o.applied };
}
