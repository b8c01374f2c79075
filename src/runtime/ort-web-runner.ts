/**
 * The one adapter for onnxruntime-web: a GraphRunner (the pipeline's seam) over three
 * InferenceSessions, on the WebGPU or the wasm execution provider. Graph bytes come from a
 * PackageReader and are checked against the manifest (readVerified) before ORT sees them;
 * ONNX external data is handed over under the relative path the graph refers to.
 */
import type * as ort from 'onnxruntime-web/webgpu';
import { GRAPH_NAMES, type GraphName, type ModelManifest } from '../core/model-package/manifest.ts';
import type { Float32Tensor, GraphRunner, HelperSession } from '../core/pipeline/graph-runner.ts';
import { ortHelperSession } from '../core/pipeline/ort-helper-session.ts';
import { readVerified, type PackageReader } from '../core/pipeline/package-reader.ts';
import { graphPlacement, type Backend } from './backend-choice.ts';
import { ortFor, ortWasmSettings } from './ort-module.ts';

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
  /** The execution provider of each graph (a lazily created WebGPU graph that failed runs on wasm). */
  readonly placement: Readonly<Record<GraphName, Backend>>;
  /** Creates the sessions not created yet, e.g. the decoder's while the page shows the tokens. */
  prepare(graphs?: readonly GraphName[]): Promise<void>;
  /** Milliseconds spent reading files and creating each session created so far. */
  readonly sessionMs: Readonly<Partial<Record<GraphName, number>>>;
}

export interface LazyGraphs {
  /**
   * Graphs whose sessions are created now; the others on first use (or prepare()). Default all.
   * The decoder is 70 % of a released package: the tokens need only the encoders.
   */
  readonly eager?: readonly GraphName[];
}

export async function createOrtWebRunner(
  reader: PackageReader,
  manifest: ModelManifest,
  options: OrtWebRunnerOptions & LazyGraphs,
): Promise<OrtWebRunner> {
  const { backend, device } = options;
  if (backend === 'webgpu' && !device) throw new Error('createOrtWebRunner: the webgpu backend needs a GPUDevice');
  const placement: Record<GraphName, Backend> = { ...graphPlacement(backend, options.wasmGraphs) };
  // One module for every session and tensor of this runner: a Tensor of one build is foreign to the other.
  const runtime = await ortFor(backend);
  const threads = ortWasmSettings()!.numThreads;
  const eager = new Set(options.eager ?? GRAPH_NAMES);
  const executionProvider = (ep: Backend): ort.InferenceSession.ExecutionProviderConfig =>
    ep === 'webgpu'
      ? {
          name: 'webgpu',
          // NCHW avoids layout transposes around every conv; 3–4× faster here than NHWC.
          preferredLayout: 'NCHW',
          device: device as unknown as ort.InferenceSession.WebGpuExecutionProviderOption['device'],
        }
      : 'wasm';

  const sessions = new Map<GraphName, Promise<ort.InferenceSession>>();
  const helpers = new Set<ort.InferenceSession>();
  const sessionMs: Partial<Record<GraphName, number>> = {};
  let released = false;

  const createOn = async (graph: GraphName, ep: Backend, retried = false): Promise<ort.InferenceSession> => {
    const entry = manifest.graphs[graph];
    const t0 = performance.now();
    // Read errors (network, size, sha256) name the file already and propagate as they are.
    let model: Uint8Array | undefined = await readVerified(reader, manifest, entry.file);
    let externalData: { path: string; data: Uint8Array }[] | undefined = [];
    for (const path of entry.externalData)
      externalData.push({ path, data: await readVerified(reader, manifest, path) });
    const t1 = performance.now();
    try {
      const session = await runtime.InferenceSession.create(model, {
        executionProviders: [executionProvider(ep)],
        graphOptimizationLevel: 'all',
        externalData,
        logSeverityLevel: options.logSeverityLevel ?? 3,
      });
      // User Timing entries: DevTools and the released-size benchmark read them from the worker.
      performance.measure(`tokenflow ${graph}: files`, { start: t0, end: t1 });
      performance.measure(`tokenflow ${graph}: ${ep} session`, { start: t1 });
      // ORT has copied the bytes into its heap: free ours now rather than at some later garbage
      // collection, so the next graph's file never sits beside this one's (1.6 GB for SigLIP).
      freeNow(model);
      for (const d of externalData) freeNow(d.data);
      return session;
    } catch (e) {
      model = undefined;
      externalData = undefined;
      // A stored file trusted without hashing may be damaged on disk: check, fetch again, retry once.
      if (!retried && reader.recheck) {
        let damaged = false;
        for (const path of [entry.file, ...entry.externalData]) damaged = (await reader.recheck(path)) || damaged;
        if (damaged) return createOn(graph, ep, true);
      }
      throw new OrtLoadError(
        `${reader.location}/${entry.file}: onnxruntime-web (${ep}) could not load the ${graph} graph: ${errorText(e)}`,
      );
    }
  };

  const create = async (graph: GraphName): Promise<ort.InferenceSession> => {
    const t0 = performance.now();
    let session: ort.InferenceSession;
    try {
      session = await createOn(graph, placement[graph]);
    } catch (e) {
      // An op or a limit this GPU lacks in a graph created after load: that graph runs on wasm.
      if (placement[graph] !== 'webgpu' || !(e instanceof OrtLoadError) || eager.has(graph)) throw e;
      placement[graph] = 'wasm';
      session = await createOn(graph, 'wasm');
    }
    sessionMs[graph] = performance.now() - t0;
    return session;
  };

  const sessionFor = (graph: GraphName): Promise<ort.InferenceSession> => {
    if (released) return Promise.reject(new Error(`${graph}: its ${placement[graph]} session was released`));
    let s = sessions.get(graph);
    if (!s) {
      s = create(graph);
      sessions.set(graph, s);
      // A failed creation may be retried by the next run.
      s.catch(() => sessions.delete(graph));
    }
    return s;
  };

  const release = async () => {
    released = true;
    for (const s of sessions.values()) await (await s.catch(() => undefined))?.release().catch(() => undefined);
    for (const h of helpers) await h.release().catch(() => undefined);
    sessions.clear();
    helpers.clear();
  };

  try {
    // One at a time: two sessions created together would hold two graphs' bytes at once.
    for (const graph of GRAPH_NAMES) if (eager.has(graph)) await sessionFor(graph);
  } catch (e) {
    await release();
    throw e;
  }

  return {
    get backend() {
      return describePlacement(placement, threads);
    },
    placement,
    sessionMs,
    async prepare(graphs = GRAPH_NAMES) {
      for (const graph of graphs) await sessionFor(graph);
    },
    // Helpers (the quantizer's code search) run on wasm whatever the backend: they are small
    // CPU-side searches whose results the host loop needs at once.
    async openHelper(model: Uint8Array): Promise<HelperSession> {
      let session: ort.InferenceSession;
      try {
        session = await runtime.InferenceSession.create(model, {
          executionProviders: ['wasm'],
          graphOptimizationLevel: 'all',
          logSeverityLevel: 3,
        });
      } catch (e) {
        throw new Error(`onnxruntime-web (wasm) could not load a helper graph: ${errorText(e)}`);
      }
      helpers.add(session);
      const helper = ortHelperSession(session, (data, dims) => new runtime.Tensor('float32', data, dims));
      return {
        run: helper.run,
        release: async () => {
          helpers.delete(session);
          await helper.release();
        },
      };
    },
    async run(graph: GraphName, input: Float32Tensor): Promise<Float32Tensor> {
      const session = await sessionFor(graph);
      const spec = manifest.graphs[graph];
      const feeds = { [spec.inputs[0].name]: new runtime.Tensor('float32', input.data, [...input.shape]) };
      let results: ort.InferenceSession.OnnxValueMapType;
      try {
        results = await session.run(feeds);
      } catch (e) {
        throw new Error(`${graph} on onnxruntime-web (${placement[graph]}) failed: ${errorText(e)}`);
      }
      const out = results[spec.outputs[0].name];
      try {
        if (!out || out.type !== 'float32')
          throw new Error(`${graph}: output ${spec.outputs[0].name} missing or not float32`);
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

/**
 * Releases a buffer this module owns at once: `ArrayBuffer.prototype.transfer(0)` detaches it
 * and lets the engine free its backing store. Views over part of a buffer are left alone.
 */
function freeNow(bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && typeof buffer.transfer === 'function')
    buffer.transfer(0);
}

/** ORT refused a graph (as opposed to its file failing to read). */
class OrtLoadError extends Error {}

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
