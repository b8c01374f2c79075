/**
 * What the worker owns and does: the loaded model, its ORT sessions, the GPU device and GPU
 * quantizer (or the CPU quantizer on wasm), and the last encode. It runs the shared pipeline
 * (encodeImage / decodeFHat / decodeIndices) and nothing else numeric. When the GPU device is
 * lost it rebuilds the sessions on wasm from the package cache and re-runs the request that was
 * in flight; earlier results stay valid because they are plain arrays.
 */
import { wasmThreadsFor } from './wasm-threads.ts';
import { assertRgbImage, cloneRgbImage } from '../../core/image/rgb-image.ts';
import { decoderOutputHealth, toImageU8 } from '../../core/image/postprocess.ts';
import type { GraphName, ModelManifest } from '../../core/model-package/manifest.ts';
import type { LoadedModel } from '../../core/pipeline/loaded-model.ts';
import type { PackageReader } from '../../core/pipeline/package-reader.ts';
import {
  decodeFHat,
  encodeImage,
  prepareCpuQuantizer,
  type EncodeResult as PipelineEncodeResult,
  type Quantize,
  type StageTimings,
} from '../../core/pipeline/tokenflow-pipeline.ts';
import { createScalePlan, decodeIndices, scalesCoveredBy } from '../../core/quantizer/index.ts';
import {
  acquireBackend,
  deviceLostChoice,
  webgpuFailedChoice,
  type BackendChoice,
  type BackendRequest,
} from '../backend-choice.ts';
import { createGpuQuantizer, type GpuQuantizer } from '../gpu/gpu-quantizer.ts';
import { loadModel } from '../../core/pipeline/loaded-model.ts';
import { openPackageSource, type OpenedPackage, type PackageSource } from '../package-source.ts';
import { clearPackageCache } from '../package-cache.ts';
import { createOrtWebRunner, type OrtWebRunner } from '../ort-web-runner.ts';
import { configureOrtWasm } from '../ort-module.ts';
import type {
  DecodeResult,
  DecodeTimings,
  EncodeRequest,
  EncodeResult,
  EngineEvent,
  LoadModelRequest,
  LoadModelResult,
  QuantizerKind,
} from './messages.ts';

export interface EngineOptions {
  /** Where ORT's .mjs/.wasm are served (ort-assets.ts). */
  readonly wasmPaths: string;
  readonly emit: (event: EngineEvent) => void;
  /** The runtime's heap size now (wasm-memory.ts), reported after each session is created. */
  readonly heapBytes?: () => number | undefined;
}

interface Loaded {
  readonly pkg: OpenedPackage;
  model: LoadedModel & { readonly runner: OrtWebRunner };
  choice: BackendChoice;
  device?: GPUDevice;
  gpuQuantizer?: GpuQuantizer;
}

interface LastEncode {
  readonly result: PipelineEncodeResult;
}

/** The graphs the tokens need; their sessions are created by load, the decoder's later. */
const TOKEN_GRAPHS: readonly GraphName[] = ['semanticEncoder', 'pixelEncoder'];

const LOST = Symbol('device lost');
/** How long a failed GPU call waits for device.lost before the failure counts as a real error. */
const LOSS_GRACE_MS = 250;

export class TokenFlowEngine {
  private loaded?: Loaded;
  private last?: LastEncode;
  /** Set while sessions are rebuilt on wasm after a device loss; requests wait for it. */
  private switching?: Promise<void>;
  private switchError?: Error;

  constructor(private readonly options: EngineOptions) {}

  async load(request: LoadModelRequest): Promise<LoadModelResult> {
    const t0 = performance.now();
    performance.mark('tokenflow load');
    await this.release();
    const hardware =
      (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
    configureOrtWasm({
      wasmPaths: this.options.wasmPaths,
      numThreads: request.numThreads ?? wasmThreadsFor(hardware),
    });

    const requested: BackendRequest = request.backend ?? 'auto';
    const acquired = await acquireBackend(requested);
    let { choice, device } = acquired;
    const backendMs = performance.now() - t0;
    this.options.emit({ type: 'backend-chosen', choice });

    const t1 = performance.now();
    let webgpuError: string | undefined;
    // Tokens first: the decoder's session (70 % of a released package) is created on the first
    // decode, or on prepare(), while the page already shows the tokens.
    const eager = TOKEN_GRAPHS;
    const createRunner = async (manifest: ModelManifest, reader: PackageReader): Promise<OrtWebRunner> => {
      if (choice.backend !== 'webgpu') return createOrtWebRunner(reader, manifest, { backend: 'wasm', eager });
      try {
        return await createOrtWebRunner(reader, manifest, {
          backend: 'webgpu',
          device,
          wasmGraphs: request.wasmGraphs,
          eager,
        });
      } catch (e) {
        // An op or a limit this GPU lacks: the files are cached by now, so wasm costs no download.
        webgpuError = (e as Error).message;
        return createOrtWebRunner(reader, manifest, { backend: 'wasm', eager });
      }
    };
    let loadedModel: { package: OpenedPackage; model: LoadedModel & { readonly runner: OrtWebRunner } };
    try {
      // One path for every source: the core's loadModel checks each file with readVerified.
      const pkg = await openPackageSource(sourceOf(request), {
        onProgress: (progress) => this.options.emit({ type: 'progress', progress }),
        onCache: (report) => this.options.emit({ type: 'cache', report }),
      });
      // The runner is the one createRunner returned, so its narrower type holds.
      const model = (await loadModel(pkg.reader, (manifest) => createRunner(manifest, pkg.reader))) as LoadedModel & {
        readonly runner: OrtWebRunner;
      };
      this.options.emit({ type: 'progress', progress: { status: 'ready', name: pkg.reader.location } });
      loadedModel = { package: pkg, model };
    } catch (e) {
      device?.destroy();
      throw e;
    }
    if (webgpuError !== undefined) {
      device?.destroy();
      device = undefined;
      choice = webgpuFailedChoice(choice, webgpuError);
      this.options.emit({ type: 'backend-chosen', choice });
    }
    const modelMs = performance.now() - t1;

    const t2 = performance.now();
    const loaded: Loaded = { pkg: loadedModel.package, model: loadedModel.model, choice, device };
    if (device) {
      const m = loaded.model.manifest;
      try {
        loaded.gpuQuantizer = await createGpuQuantizer(device, loaded.model.codebooks, {
          S: m.gridSize,
          scales: m.scales,
        });
      } catch (e) {
        await loaded.model.runner.release();
        device.destroy();
        throw e;
      }
      void device.lost.then((info) => this.onDeviceLost(loaded, device, info.message));
    } else {
      try {
        await prepareCpuQuantizer(loaded.model);
      } catch (e) {
        await loaded.model.runner.release();
        throw e;
      }
    }
    const quantizerSetupMs = performance.now() - t2;
    this.loaded = loaded;
    this.reportMemory(loaded);
    const timings = { backendMs, modelMs, quantizerSetupMs, totalMs: performance.now() - t0 };
    this.options.emit({ type: 'timings', request: 'load-model', backend: choice.backend, timings });
    return {
      manifest: loaded.model.manifest,
      choice,
      placement: loaded.model.runner.placement,
      runtime: loaded.model.runner.backend,
      cache: loaded.pkg.cache(),
      quantizer: loaded.gpuQuantizer ? 'gpu' : 'cpu',
      timings,
    };
  }

  async encode(request: EncodeRequest): Promise<EncodeResult> {
    assertRgbImage(request.image, 'encode: image');
    // The caller's buffer may be transferred or reused; the kept result must not change under us.
    const image = cloneRgbImage(request.image);
    const choice = request.quantizer ?? 'auto';
    if (choice !== 'auto' && choice !== 'gpu' && choice !== 'cpu')
      throw new Error(`encode: quantizer must be 'auto', 'gpu' or 'cpu', got ${JSON.stringify(choice)}`);
    return this.compute(async (s) => {
      const t0 = performance.now();
      const kind: QuantizerKind = choice === 'cpu' || (choice === 'auto' && !s.gpuQuantizer) ? 'cpu' : 'gpu';
      const gpu = s.gpuQuantizer;
      if (kind === 'gpu' && !gpu)
        throw new Error(`encode: quantizer 'gpu' needs the WebGPU backend; this model runs on ${s.choice.backend}`);
      const quantize: Quantize | undefined = kind === 'gpu' ? (h, o) => gpu!.quantize(h, o) : undefined;
      const stages: Partial<StageTimings> = {};
      const result = await encodeImage(
        s.model,
        image,
        { weights: request.weights, topK: request.topK, quantize },
        stages,
      );
      this.last = { result };
      const timings = {
        preprocessMs: stages.preprocessMs ?? 0,
        semanticEncoderMs: stages.semanticEncoderMs ?? 0,
        pixelEncoderMs: stages.pixelEncoderMs ?? 0,
        quantizerMs: stages.quantizerMs ?? 0,
        ...(result.quantization.scaleMs ? { quantizerScaleMs: result.quantization.scaleMs } : {}),
        totalMs: performance.now() - t0,
      };
      this.options.emit({ type: 'timings', request: 'encode', backend: s.choice.backend, timings });
      return {
        backend: s.choice.backend,
        quantizer: kind,
        crop: result.crop,
        semanticFeatures: result.semanticFeatures,
        pixelFeatures: result.pixelFeatures,
        quantization: result.quantization,
        timings,
      };
    });
  }

  /** Decodes the last encode: its own f̂ for all scales (the full reconstruction), or f̂ of the first k scales from its indices. */
  async decode(scalesUsed?: number): Promise<DecodeResult> {
    const last = this.last;
    if (!last) throw new Error('decode: nothing has been encoded yet; send an encode request first');
    const q = last.result.quantization;
    const n = q.scales.length;
    const k = scalesUsed ?? n;
    if (!Number.isInteger(k) || k < 1 || k > n)
      throw new Error(`decode: scalesUsed must be an integer in [1, ${n}], got ${scalesUsed}`);
    return this.compute(async (s) => {
      const t0 = performance.now();
      const fHat = k === n ? q.fHat : decodeIndices(q.indices, q.scales, q.S, s.model.codebooks, { scalesUsed: k });
      return this.decodeFHatTimed(s, fHat, k, performance.now() - t0, 'decode', t0);
    });
  }

  /** Decodes a user-supplied token sequence (whole scales), e.g. edited tokens. */
  async decodeTokens(indices: Int32Array): Promise<DecodeResult> {
    if (!(indices instanceof Int32Array))
      throw new Error(`decode-indices: indices must be an Int32Array, got ${Object.prototype.toString.call(indices)}`);
    return this.compute(async (s) => {
      const t0 = performance.now();
      const m = s.model.manifest;
      const fHat = decodeIndices(indices, m.scales, m.gridSize, s.model.codebooks);
      const covered = scalesCoveredBy(createScalePlan(m.gridSize, m.scales), indices.length);
      return this.decodeFHatTimed(s, fHat, covered, performance.now() - t0, 'decode-indices', t0);
    });
  }

  /** Creates the sessions the first decode would otherwise wait for (the page asks when it has no image yet). */
  async prepare(): Promise<{ readonly sessionMs: number }> {
    return this.compute(async (s) => {
      const t0 = performance.now();
      await s.model.runner.prepare();
      this.reportMemory(s);
      return { sessionMs: performance.now() - t0 };
    });
  }

  async release(): Promise<boolean> {
    const loaded = this.loaded;
    this.loaded = undefined;
    this.last = undefined;
    if (!loaded) return false;
    // Wait out a switch in progress so its new sessions are released too.
    await this.switching?.catch(() => undefined);
    loaded.gpuQuantizer?.destroy();
    await loaded.model.runner.release();
    loaded.device?.destroy();
    return true;
  }

  async clearCache(): Promise<boolean> {
    return clearPackageCache();
  }

  private reportMemory(s: Loaded): void {
    const heapBytes = this.options.heapBytes?.();
    const packageBytes = s.model.manifest.files.reduce((a, f) => a + f.bytes, 0);
    this.options.emit({
      type: 'memory',
      memory: { heapBytes, packageBytes, sessions: Object.keys(s.model.runner.sessionMs) as GraphName[] },
    });
  }

  /** Destroys the GPU device (a test hook for the device-loss path); false when there is none. */
  loseDevice(): boolean {
    const device = this.loaded?.device;
    if (!device) return false;
    device.destroy();
    return true;
  }

  private async decodeFHatTimed(
    s: Loaded,
    fHat: Float32Array,
    scalesUsed: number,
    fHatMs: number,
    request: 'decode' | 'decode-indices',
    t0: number,
  ): Promise<DecodeResult> {
    const m = s.model.manifest;
    // The first decode creates the decoder's session (downloading its file if needed): timed apart.
    const t0s = performance.now();
    await s.model.runner.prepare(['pixelDecoder']);
    const sessionMs = performance.now() - t0s;
    if (sessionMs >= 1) this.reportMemory(s);
    const t1 = performance.now();
    const image = await decodeFHat(s.model, fHat);
    const decoderMs = performance.now() - t1;
    const t2 = performance.now();
    const imageU8 = toImageU8(image, m.outputSize);
    const health = decoderOutputHealth(image);
    const postprocessMs = performance.now() - t2;
    const timings: DecodeTimings = {
      fHatMs,
      ...(sessionMs >= 1 ? { sessionMs } : {}),
      decoderMs,
      postprocessMs,
      totalMs: performance.now() - t0,
    };
    this.options.emit({ type: 'timings', request, backend: s.choice.backend, timings });
    return { backend: s.choice.backend, scalesUsed, fHat, image, imageU8, outputSize: m.outputSize, health, timings };
  }

  /**
   * Runs `fn` on the current backend. If the GPU device is lost while it runs (the call fails,
   * or never settles), waits for the switch to wasm and runs it once more there.
   */
  private async compute<T>(fn: (s: Loaded) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.switching) await this.switching;
      if (this.switchError) throw this.switchError;
      const s = this.loaded;
      if (!s) throw new Error('no model is loaded; send a load-model request first');
      const device = s.device;
      try {
        if (!device) return await fn(s);
        const outcome = await Promise.race([fn(s), device.lost.then(() => LOST)]);
        if (outcome !== LOST) return outcome as T;
      } catch (e) {
        if (!device || attempt > 0) throw e;
        const lost = await Promise.race([device.lost.then(() => true), delay(LOSS_GRACE_MS).then(() => false)]);
        if (!lost) throw e;
      }
      if (attempt > 0) throw new Error('the GPU device was lost and the retry on wasm did not finish');
    }
  }

  private onDeviceLost(loaded: Loaded, device: GPUDevice, message: string): void {
    // A release destroys the device on purpose; only a loss of the live model switches.
    if (this.loaded !== loaded || loaded.device !== device) return;
    const from = loaded.choice.backend;
    this.switching = (async () => {
      loaded.gpuQuantizer?.destroy();
      loaded.gpuQuantizer = undefined;
      await loaded.model.runner.release().catch(() => undefined);
      let runner: OrtWebRunner;
      try {
        runner = await createOrtWebRunner(loaded.pkg.reader, loaded.model.manifest, {
          backend: 'wasm',
          eager: TOKEN_GRAPHS,
        });
      } catch (e) {
        this.switchError = new Error(
          `the GPU device was lost and the model could not be reloaded on wasm: ${(e as Error).message}`,
        );
        throw this.switchError;
      }
      loaded.model = { ...loaded.model, runner };
      loaded.device = undefined;
      loaded.choice = deviceLostChoice(loaded.choice, message);
      this.options.emit({ type: 'backend-switched', from, choice: loaded.choice });
    })().finally(() => {
      this.switching = undefined;
    });
    this.switching.catch(() => undefined);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The request's source; a bare `baseUrl` (the original form of the request) is a URL source. */
function sourceOf(request: LoadModelRequest): PackageSource {
  if (request.source) return request.source;
  if (typeof request.baseUrl !== 'string')
    throw new Error('load-model: the request names neither a source nor a baseUrl');
  return { kind: 'url', baseUrl: request.baseUrl };
}
