/**
 * The playground's state, as plain data the components render. Model work happens in the
 * TokenFlow workers (one per loaded model, src/runtime/worker/); results land here.
 */
import type { ModelManifest } from '../../core/model-package/manifest.ts';
import type { RgbImage } from '../../core/image/rgb-image.ts';
import type { Codebooks } from '../../core/quantizer/codebook.ts';
import type { DistanceWeights } from '../../core/quantizer/nearest-codes.ts';
import type { Backend, BackendChoice } from '../../runtime/backend-choice.ts';
import type { LoadSource } from '../../runtime/model-loader.ts';
import type { CacheReport } from '../../runtime/package-cache.ts';
import type { PackageSource } from '../../runtime/package-source.ts';
import type { StoredPackage } from '../../runtime/convert/stored-packages.ts';
import type {
  DecodeResult,
  EncodeResult,
  LoadModelResult,
  LoadTimings,
  ModelMemory,
  QuantizerKind,
} from '../../runtime/worker/messages.ts';
import type { CodebookName, CodeColours } from '../logic/code-colours.ts';
import type { ImageFormat, OrientationUse } from '../../core/image/image-header.ts';
import type { Metrics } from '../logic/reconstruction-metrics.ts';
import type { TokenLayout } from '../logic/token-layout.ts';
import type { BackendParam } from '../logic/url-state.ts';

export type Phase = 'idle' | 'running' | 'done' | 'error';

export interface SourceImage {
  readonly name: string;
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** The RGB bytes every model encodes. */
  readonly data: Uint8Array;
  readonly translucentPixels: number;
  /** fnv1a32 of data (computed in the decoder worker). */
  readonly checksum: string;
  /** Downscaled copy for display. */
  readonly preview: ImageBitmap;
  /** Bundled example id, when it is one (goes into shared links). */
  readonly example?: string;
  /** Present when the file has an EXIF orientation other than 1. */
  readonly orientation?: OrientationUse;
}

/** One file of a model package while it loads. */
export interface FileProgress {
  readonly file: string;
  readonly loaded: number;
  readonly total: number;
  readonly done: boolean;
  readonly from?: LoadSource;
}

export interface Reconstruction {
  readonly scalesUsed: number;
  readonly result: DecodeResult;
  /** Present when there is a crop to compare with (not for pasted tokens). */
  readonly metrics?: Metrics;
  /** The tokens it was decoded from: 'encoded' uses the encode's own f̂ at all scales. */
  readonly from: TokenSource;
}

/** Where the tokens shown come from. */
export type TokenSource = 'encoded' | 'edited' | 'pasted';

export interface SessionUsage {
  readonly encodes: number;
  readonly tokens: number;
  readonly distinct: number;
  /** exp(entropy) of the code distribution. */
  readonly perplexity: number;
}

export interface ModelView {
  /** Stable id of this slot (also names its worker). */
  readonly id: number;
  /** The package URL, or for a local source its description (describeSource). */
  readonly url: string;
  /** Set for packages not loaded by URL (converted in OPFS, a picked folder); never put in links. */
  readonly source?: PackageSource;
  readonly phase: 'loading' | 'ready' | 'error';
  readonly error?: string;
  readonly files: readonly FileProgress[];
  readonly manifest?: ModelManifest;
  readonly layout?: TokenLayout;
  readonly choice?: BackendChoice;
  /** Set when the GPU device was lost and the worker moved to wasm. */
  readonly switchedFrom?: Backend;
  readonly cache?: CacheReport;
  readonly quantizer?: QuantizerKind;
  /** Which execution provider runs each graph, and the runner's own description. */
  readonly placement?: LoadModelResult['placement'];
  readonly runtime?: string;
  readonly loadTimings?: LoadTimings;
  /** The model's memory in its worker, updated as sessions are created. */
  readonly memory?: ModelMemory;
  /** The package's codebooks, read on the page for colours, the inspector and the codebook view. */
  readonly codebooks?: Codebooks;
  readonly colours: Partial<Record<CodebookName, CodeColours>>;
  readonly codebooksError?: string;

  readonly encodePhase: Phase;
  readonly encodeError?: string;
  readonly encoded?: EncodeResult;
  /** The distance weights `encoded` was quantized with. */
  readonly encodedWith?: DistanceWeights;
  /** The indices shown and decoded: the encode's, edited, or pasted. */
  readonly tokens?: Int32Array;
  readonly tokenSource?: TokenSource;
  /** Positions edited by hand (flat token → original code). */
  readonly edits: ReadonlyMap<number, number>;
  /** Notes about pasted tokens (e.g. made by another model). */
  readonly tokenNotes: readonly string[];

  readonly reconPhase: Phase;
  readonly reconError?: string;
  readonly recon?: Reconstruction;
  /** Codebook usage over every encode with this model in this session (core CodebookTally). */
  readonly session?: SessionUsage;
}

/** A checkpoint being converted in the browser (or the last one that failed). */
export interface ConversionView {
  readonly fileName: string;
  readonly fileBytes: number;
  readonly phase: 'running' | 'done' | 'error';
  /** The exporter's current stage and its message. */
  readonly stage: string;
  readonly message: string;
  readonly bytesWritten: number;
  readonly error?: string;
  /** Why the converted package is in memory only (OPFS unavailable or full). */
  readonly memoryReason?: string;
}

/** A reconstruction kept aside so weight changes and edits can be compared with it. */
export interface PinnedResult {
  /** What it was: model, depth, weights, edits, in words. */
  readonly label: string;
  readonly image: RgbImage;
  readonly metrics?: Metrics;
}

/** One depth of the strip: the reconstruction from scales 1…k. */
export interface DepthResult {
  readonly k: number;
  readonly image: RgbImage;
  /** Against the crop; absent for pasted tokens. */
  readonly psnr?: number;
}

/** Every depth 1…n of the active model's tokens, filled in one decode at a time. */
export interface DepthStrip {
  readonly modelId: number;
  /** The token array they were decoded from (identity: a new array means a stale strip). */
  readonly tokens: Int32Array;
  readonly depths: readonly (DepthResult | undefined)[];
}

export interface PlaygroundState {
  readonly conversion?: ConversionView;
  /** Converted packages in OPFS; undefined until listed. */
  readonly storedModels?: readonly StoredPackage[];
  /** Why the stored list could not be read or changed. */
  readonly storedError?: string;
  readonly imagePhase: Phase;
  readonly imageError?: string;
  readonly image?: SourceImage;
  readonly models: readonly ModelView[];
  /** Which model the token views show (a ModelView id). */
  readonly activeModel?: number;
  /** Scale shown in the token grid, as an index into the active model's scale list; undefined = the finest. */
  readonly scaleIndex?: number;
  /** Selected token of the active model, flat index. */
  readonly selected?: number;
  /** Reconstruct after the first k scales; undefined = all. */
  readonly reconScales?: number;
  readonly weights: DistanceWeights;
  readonly colourBy: CodebookName;
  readonly backend: BackendParam;
  /** Chosen code in the codebook view. */
  readonly chosenCode?: number;
  /** Zoom of the reconstruction views (1, 2, 4). */
  readonly zoom: number;
  /** Why the last model URL entered was refused. */
  readonly modelUrlError?: string;
  /** Messages about the page itself (bad link parameters, no embedded model). */
  readonly notices: readonly string[];
  /** Token under the pointer (flat index of the active model), outlined on the images. */
  readonly hovered?: number;
  /** Draw the shown scale's token grid over the images. */
  readonly gridOverlay: boolean;
  /** Show the crop through the token grid (the code colours faded over it). */
  readonly gridOverImage: boolean;
  /** Side by side, or one before/after slider. */
  readonly resultView: 'side-by-side' | 'slider';
  /** What the slider compares with the crop (logic/compare-choices.ts key). */
  readonly compareWith?: string;
  readonly pinned?: PinnedResult;
  readonly depthStrip?: DepthStrip;
  /** Patches of codes that occur nowhere in the image, decoded alone; key `${modelId}:${code}`. */
  readonly codePatches: ReadonlyMap<string, RgbImage>;
  /** Whether an embedded default model was looked for and what was found. */
  readonly defaultModel: 'unknown' | 'present' | 'absent';
}
