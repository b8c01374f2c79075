/**
 * The one adapter for onnxruntime-web: a GraphRunner (the pipeline's seam) over three
 * InferenceSessions, on the WebGPU or the wasm execution provider. Graph bytes come from a
 * PackageReader and are checked against the manifest (readVerified) before ORT sees them;
 * ONNX external data is handed over under the relative path the graph refers to.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { GRAPH_NAMES, type GraphName, type ModelManifest } from '../core/model-package/manifest.ts';
import type { Float32Tensor, GraphRunner, HelperSession } from '../core/pipeline/graph-runner.ts';
import { ortHelperSession } from '../core/pipeline/ort-helper-session.ts';
import { readVerified, type PackageReader } from '../core/pipeline/package-reader.ts';
import { graphPlacement, type Backend } from './backend-choice.ts';

export interface OrtWasmSettings {
  /** The folder serving ORT's .mjs/.wasm (see ort-assets.ts), ending in '/'. */
  readonly wasmPaths: string;
  /** wasm threads; needs cross-origin isolation above 1. */
  readonly numThreads: number;
}

let applied: OrtWasmSettings | undefined;

/**
 * Sets ORT's process-wide wasm settings. ORT reads them once, when the first session starts its
 * wasm module, so a later call with other values is refused instead of silently ignored.
 */
export function configureOrtWasm(settings: OrtWasmSettings): void {
  if (!Number.isInteger(settings.numThreads) || settings.numThreads < 1) {
    throw new Error(`numThreads must be a positive integer, got ${settings.numThreads}`);
  }
  if (applied) {
    if (applied.wasmPaths !== settings.wasmPaths || applied.numThreads !== settings.numThreads) {
      throw new Error(
        `onnxruntime-web is already set up with wasmPaths ${applied.wasmPaths} and ${applied.numThreads} threads; ` +
          `it cannot switch to ${settings.wasmPaths} and ${settings.numThreads} threads without reloading the page`,
      );
    }
    return;
  }
  ort.env.wasm.wasmPaths = settings.wasmPaths;
  ort.env.wasm.numThreads = settings.numThreads;
  ort.env.logLevel = 'warning';
  applied = settings;
}

export function ortWasmSettings(): OrtWasmSettings | undefined {
  return applied;
}

export interface OrtWebRunnerOptions {
  readonly backend: Backend;
  /**
   * Graphs kept on wasm although the backend is WebGPU: a hybrid placement for GPUs on which
   * some graph is slow (on a software adapter the convolutional pixel graphs take minutes).
   */
  readonly wasmGraphs?: readonly GraphName[];
  /** For 'webgpu': the device to run on, shared with the GPU quantizer so one loss is seen by both. */
  readonly device?: GPUDevice;
  /** ORT's log level for session creation; 0 (verbose) logs which EP each node runs on. */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

export interface OrtWebRunner extends GraphRunner {
  /** The execution provider of each graph. */
  readonly placement: Readonly<Record<GraphName, Backend>>;
}

export async function createOrtWebRunner(reader: PackageReader, manifest: ModelManifest, options: OrtWebRunnerOptions): Promise<OrtWebRunner> {
  if (!applied) throw new Error('createOrtWebRunner: call configureOrtWasm first (ORT needs to know where its wasm files are served)');
  const { backend, device } = options;
  if (backend === 'webgpu' && !device) throw new Error('createOrtWebRunner: the webgpu backend needs a GPUDevice');
  const placement = graphPlacement(backend, options.wasmGraphs);
  const executionProvider = (ep: Backend): ort.InferenceSession.ExecutionProviderConfig =>
    ep === 'webgpu'
      ? {
          name: 'webgpu',
          // NCHW avoids layout transposes around every conv; 3–4× faster here than NHWC.
          preferredLayout: 'NCHW',
          device: device as unknown as ort.InferenceSession.WebGpuExecutionProviderOption['device'],
        }
      : 'wasm';

  const sessions = new Map<GraphName, ort.InferenceSession>();
  const helpers = new Set<ort.InferenceSession>();
  const release = async () => {
    for (const s of [...sessions.values(), ...helpers]) await s.release().catch(() => undefined);
    sessions.clear();
    helpers.clear();
  };
  try {
    for (const graph of GRAPH_NAMES) {
      const entry = manifest.graphs[graph];
      const model = await readVerified(reader, manifest, entry.file);
      const externalData = [];
      for (const path of entry.externalData) externalData.push({ path, data: await readVerified(reader, manifest, path) });
      try {
        sessions.set(
          graph,
          await ort.InferenceSession.create(model, {
            executionProviders: [executionProvider(placement[graph])],
            graphOptimizationLevel: 'all',
            externalData,
            logSeverityLevel: options.logSeverityLevel ?? 3,
          }),
        );
      } catch (e) {
        throw new Error(`${reader.location}/${entry.file}: onnxruntime-web (${placement[graph]}) could not load the ${graph} graph: ${errorText(e)}`);
      }
    }
  } catch (e) {
    await release();
    throw e;
  }

  return {
    backend: describePlacement(placement, applied.numThreads),
    placement,
    // Helpers (the quantizer's code search) run on wasm whatever the backend: they are small
    // CPU-side searches whose results the host loop needs at once.
    async openHelper(model: Uint8Array): Promise<HelperSession> {
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
      } catch (e) {
        throw new Error(`onnxruntime-web (wasm) could not load a helper graph: ${errorText(e)}`);
      }
      helpers.add(session);
      const helper = ortHelperSession(session, (data, dims) => new ort.Tensor('float32', data, dims));
      return {
        run: helper.run,
        release: async () => {
          helpers.delete(session);
          await helper.release();
        },
      };
    },
    async run(graph: GraphName, input: Float32Tensor): Promise<Float32Tensor> {
      const session = sessions.get(graph);
      if (!session) throw new Error(`${graph}: its ${placement[graph]} session was released`);
      const spec = manifest.graphs[graph];
      const feeds = { [spec.inputs[0].name]: new ort.Tensor('float32', input.data, [...input.shape]) };
      let results: ort.InferenceSession.OnnxValueMapType;
      try {
        results = await session.run(feeds);
      } catch (e) {
        throw new Error(`${graph} on onnxruntime-web (${placement[graph]}) failed: ${errorText(e)}`);
      }
      const out = results[spec.outputs[0].name];
      try {
        if (!out || out.type !== 'float32') throw new Error(`${graph}: output ${spec.outputs[0].name} missing or not float32`);
        // getData copies GPU-resident outputs to the CPU; CPU outputs come back as they are.
        const data = (await out.getData()) as Float32Array;
        return { data, shape: [...out.dims] };
      } finally {
        for (const r of Object.values(results)) r.dispose();
      }
    },
    release,
  };
}

function describePlacement(placement: Record<GraphName, Backend>, threads: number): string {
  const wasm = `wasm, ${threads} thread${threads > 1 ? 's' : ''}`;
  const gpu = GRAPH_NAMES.filter((g) => placement[g] === 'webgpu');
  if (gpu.length === 0) return `onnxruntime-web (${wasm})`;
  if (gpu.length === GRAPH_NAMES.length) return 'onnxruntime-web (webgpu)';
  return `onnxruntime-web (webgpu: ${gpu.join(', ')}; ${wasm}: ${GRAPH_NAMES.filter((g) => placement[g] === 'wasm').join(', ')})`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
