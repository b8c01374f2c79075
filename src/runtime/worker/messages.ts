/**
 * The contract between the page and the TokenFlow worker: what can be asked, what comes back,
 * and what the worker says unprompted. Plain structured-cloneable data only (typed arrays,
 * arrays, objects), so it crosses postMessage unchanged.
 */
import type { CenterCropResult } from '../../core/image/center-crop.ts';
import type { DecoderOutputHealth } from '../../core/image/postprocess.ts';
import type { RgbImage } from '../../core/image/rgb-image.ts';
import type { GraphName, ModelManifest } from '../../core/model-package/manifest.ts';
import type { DistanceWeights, MultiscaleQuantization } from '../../core/quantizer/index.ts';
import type { Backend, BackendChoice, BackendRequest } from '../backend-choice.ts';
import type { LoadProgress } from '../model-loader.ts';
import type { CacheReport } from '../package-cache.ts';
import type { PackageSource } from '../package-source.ts';

/** Which quantizer an encode uses: 'auto' = the GPU one on the WebGPU backend, the CPU reference on wasm. */
export type QuantizerChoice = 'auto' | 'gpu' | 'cpu';
export type QuantizerKind = 'gpu' | 'cpu';

export interface LoadModelRequest {
  readonly type: 'load-model';
  /** The package folder's URL (its manifest.json is `${baseUrl}/manifest.json`); ignored when `source` is given. */
  readonly baseUrl?: string;
  /** Where the package is: a URL, a converted package in OPFS, or picked files. Default: `baseUrl`. */
  readonly source?: PackageSource;
  /** Default 'auto'. */
  readonly backend?: BackendRequest;
  /** wasm threads for this page's life (the first load decides); default wasmThreadsFor(hardwareConcurrency). */
  readonly numThreads?: number;
  /** Graphs kept on wasm when WebGPU is chosen (a hybrid placement, for GPUs on which some graph is slow). */
  readonly wasmGraphs?: readonly GraphName[];
}

export interface EncodeRequest {
  readonly type: 'encode';
  readonly image: RgbImage;
  /** Default: the manifest's (1:1, as released). */
  readonly weights?: DistanceWeights;
  /** Joint candidates kept per token for an inspector; default 0. */
  readonly topK?: number;
  /** Default 'auto'; 'gpu'/'cpu' are for comparisons and benchmarks. */
  readonly quantizer?: QuantizerChoice;
}

export interface DecodeRequest {
  readonly type: 'decode';
  /** Decode f̂ of the first k scales of the last encode's tokens; default: all (the full reconstruction). */
  readonly scalesUsed?: number;
}

export interface DecodeIndicesRequest {
  readonly type: 'decode-indices';
  /** A scale-major token sequence covering whole scales (e.g. edited tokens). */
  readonly indices: Int32Array;
}

/** Creates the sessions load left for later (the decoder's), so the first decode does not wait for them. */
export interface PrepareRequest {
  readonly type: 'prepare';
}

export interface ReleaseRequest {
  readonly type: 'release';
}

export interface ClearCacheRequest {
  readonly type: 'clear-cache';
}

/** Test hook: destroys the GPU device, as a driver reset would, to exercise the switch to wasm. */
export interface DebugLoseDeviceRequest {
  readonly type: 'debug-lose-device';
}

export type WorkerRequest =
  | LoadModelRequest
  | EncodeRequest
  | DecodeRequest
  | DecodeIndicesRequest
  | PrepareRequest
  | ReleaseRequest
  | ClearCacheRequest
  | DebugLoseDeviceRequest;

export type RequestType = WorkerRequest['type'];

export interface LoadTimings {
  /** Probing WebGPU and requesting a device. */
  readonly backendMs: number;
  /** Manifest, files, codebooks and the encoders' ORT sessions (the decoder's comes with the first decode). */
  readonly modelMs: number;
  /** Uploading codebooks and compiling the GPU quantizer (0 on wasm). */
  readonly quantizerSetupMs: number;
  readonly totalMs: number;
}

export interface EncodeTimings {
  readonly preprocessMs: number;
  readonly semanticEncoderMs: number;
  readonly pixelEncoderMs: number;
  /** All scales together. */
  readonly quantizerMs: number;
  /** Per scale, from the CPU quantizer; absent for the GPU one, which submits every scale at once. */
  readonly quantizerScaleMs?: readonly number[];
  readonly totalMs: number;
}

export interface DecodeTimings {
  /** Building f̂ from the tokens (0 when the encode's own f̂ is reused). */
  readonly fHatMs: number;
  /** Creating the decoder's session (reading or downloading its file), on the first decode only. */
  readonly sessionMs?: number;
  readonly decoderMs: number;
  readonly postprocessMs: number;
  readonly totalMs: number;
}

export interface LoadModelResult {
  readonly manifest: ModelManifest;
  readonly choice: BackendChoice;
  /** The execution provider of each graph (all the chosen backend's unless wasmGraphs says otherwise). */
  readonly placement: Readonly<Record<GraphName, Backend>>;
  /** The runner's own description, e.g. "onnxruntime-web (wasm, 2 threads)". */
  readonly runtime: string;
  readonly cache: CacheReport;
  readonly quantizer: QuantizerKind;
  readonly timings: LoadTimings;
}

export interface EncodeResult {
  readonly backend: Backend;
  readonly quantizer: QuantizerKind;
  /** The official crop (its image is input_u8) and where it came from in the source. */
  readonly crop: CenterCropResult;
  /** (1,Ds,S,S) and (1,Dp,S,S) encoder features before quantization. */
  readonly semanticFeatures: Float32Array;
  readonly pixelFeatures: Float32Array;
  /** Indices ×3, margins ×3, candidates, per-scale token/feature offsets, quant input/output and f̂. */
  readonly quantization: MultiscaleQuantization;
  readonly timings: EncodeTimings;
}

export interface DecodeResult {
  readonly backend: Backend;
  /** How many leading scales f̂ sums. */
  readonly scalesUsed: number;
  /** (1,Ds+Dp,S,S) the decoder's input (it reads the pixel half). */
  readonly fHat: Float32Array;
  /** (1,3,R,R) decoder output, unbounded. */
  readonly image: Float32Array;
  /** (R,R,3) uint8 RGB, the official conversion. */
  readonly imageU8: Uint8Array;
  readonly outputSize: number;
  /** NaN/Inf/clamping counts of the decoder output: a black image explains itself here. */
  readonly health: DecoderOutputHealth;
  readonly timings: DecodeTimings;
}

export interface ResultOf {
  readonly 'load-model': LoadModelResult;
  readonly encode: EncodeResult;
  readonly decode: DecodeResult;
  readonly 'decode-indices': DecodeResult;
  readonly prepare: { readonly sessionMs: number };
  readonly release: { readonly released: boolean };
  readonly 'clear-cache': { readonly deleted: boolean };
  readonly 'debug-lose-device': { readonly destroyed: boolean };
}

export type RequestOf<T extends RequestType> = Extract<WorkerRequest, { type: T }>;

export interface RequestMessage {
  readonly kind: 'request';
  readonly id: number;
  readonly request: WorkerRequest;
}

/** The requests whose work a newer one makes useless, and which can therefore be cancelled. */
export const CANCELLABLE: ReadonlySet<RequestType> = new Set<RequestType>(['encode', 'decode', 'decode-indices']);

/** Page to worker, besides requests: the shared cancel board (once), and cancels (cancel-board.ts). */
export type ControlMessage =
  | { readonly kind: 'cancel-board'; readonly board: Int32Array<SharedArrayBuffer> }
  | { readonly kind: 'cancel'; readonly id: number };

export type PageToWorker = RequestMessage | ControlMessage;

export type ResponseMessage =
  | {
      readonly kind: 'response';
      readonly id: number;
      readonly ok: true;
      readonly type: RequestType;
      readonly result: ResultOf[RequestType];
    }
  | {
      readonly kind: 'response';
      readonly id: number;
      readonly ok: false;
      readonly type: RequestType;
      readonly error: { readonly name: string; readonly message: string };
    };

/** What the model takes in the worker, for the model card. */
export interface ModelMemory {
  /** The onnxruntime-web wasm heap (its high-water mark: a wasm heap never shrinks); undefined when it cannot be observed. */
  readonly heapBytes?: number;
  /** The package's files, for comparison. */
  readonly packageBytes: number;
  /** The graphs with a session so far (the decoder's comes with the first decode). */
  readonly sessions: readonly GraphName[];
}

export type EngineEvent =
  /** Loading progress, one file at a time (transformers.js vocabulary). */
  | { readonly type: 'progress'; readonly progress: LoadProgress }
  /** Where model files are kept, and why not Cache Storage when it is memory. */
  | { readonly type: 'cache'; readonly report: CacheReport }
  | { readonly type: 'backend-chosen'; readonly choice: BackendChoice }
  /** After each session is created: how big the model is in memory. */
  | { readonly type: 'memory'; readonly memory: ModelMemory }
  /** The GPU device was lost; sessions now run on wasm, earlier results are kept. */
  | { readonly type: 'backend-switched'; readonly from: Backend; readonly choice: BackendChoice }
  | {
      readonly type: 'timings';
      readonly request: 'load-model';
      readonly backend: Backend;
      readonly timings: LoadTimings;
    }
  | { readonly type: 'timings'; readonly request: 'encode'; readonly backend: Backend; readonly timings: EncodeTimings }
  | {
      readonly type: 'timings';
      readonly request: 'decode' | 'decode-indices';
      readonly backend: Backend;
      readonly timings: DecodeTimings;
    };

export type EngineEventType = EngineEvent['type'];

export interface EventMessage {
  readonly kind: 'event';
  readonly event: EngineEvent;
}

/** A wasm heap in which the page may set run-stop flags (numbered as the cancel board says). */
export interface HeapMessage {
  readonly kind: 'heap';
  readonly heap: number;
  readonly memory: WebAssembly.Memory;
}

export type WorkerToPage = ResponseMessage | EventMessage | HeapMessage;
