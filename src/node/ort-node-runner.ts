/** GraphRunner over onnxruntime-node (CPU), for the CLI, the benchmarks and the tests. */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Float32Tensor, GraphRunner, HelperSession } from '../core/pipeline/graph-runner.ts';
import { ortHelperSession } from '../core/pipeline/ort-helper-session.ts';
import { GRAPH_NAMES, type GraphName, type ModelManifest } from '../core/model-package/manifest.ts';

export interface OrtNodeOptions {
  /** Threads per session; default: onnxruntime's choice. */
  readonly intraOpNumThreads?: number;
}

export async function createOrtNodeRunner(
  packageDir: string,
  manifest: ModelManifest,
  options: OrtNodeOptions = {},
): Promise<GraphRunner> {
  const sessions = new Map<GraphName, ort.InferenceSession>();
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
  };
  for (const name of GRAPH_NAMES) {
    const path = join(packageDir, manifest.graphs[name].file);
    try {
      // onnxruntime-node resolves external-data files relative to the model path.
      sessions.set(name, await ort.InferenceSession.create(path, sessionOptions));
    } catch (e) {
      throw new Error(`${path}: onnxruntime-node could not load the ${name} graph: ${(e as Error).message}`);
    }
  }
  const helpers = new Set<HelperSession>();
  return {
    backend: 'onnxruntime-node (cpu)',
    async openHelper(model: Uint8Array): Promise<HelperSession> {
      const helper = await openOrtNodeHelper(model, sessionOptions);
      helpers.add(helper);
      return {
        run: (feeds) => helper.run(feeds),
        release: async () => {
          helpers.delete(helper);
          await helper.release();
        },
      };
    },
    async run(graph: GraphName, input: Float32Tensor): Promise<Float32Tensor> {
      const session = sessions.get(graph)!;
      const spec = manifest.graphs[graph];
      const feeds = { [spec.inputs[0].name]: new ort.Tensor('float32', input.data, [...input.shape]) };
      const results = await session.run(feeds);
      const out = results[spec.outputs[0].name];
      if (!out || out.type !== 'float32')
        throw new Error(`${graph}: output ${spec.outputs[0].name} missing or not float32`);
      const data = out.data as Float32Array;
      const shape = [...out.dims];
      for (const r of Object.values(results)) r.dispose();
      return { data, shape };
    },
    async release() {
      for (const s of sessions.values()) await s.release();
      sessions.clear();
      for (const h of helpers) await h.release();
      helpers.clear();
    },
  };
}

/** A session on ONNX bytes built at run time (float32 inputs; float32 or int32 outputs). */
export async function openOrtNodeHelper(
  model: Uint8Array,
  sessionOptions: ort.InferenceSession.SessionOptions = {},
): Promise<HelperSession> {
  const session = await ort.InferenceSession.create(model, sessionOptions);
  return ortHelperSession(session, (data, dims) => new ort.Tensor('float32', data, dims));
}
