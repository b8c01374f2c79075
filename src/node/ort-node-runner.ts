/** GraphRunner over onnxruntime-node (CPU), for the CLI, the benchmarks and the tests. */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Float32Tensor, GraphRunner } from '../core/pipeline/graph-runner.ts';
import { GRAPH_NAMES, type GraphName, type ModelManifest } from '../core/model-package/manifest.ts';

export interface OrtNodeOptions {
  /** Threads per session; default: onnxruntime's choice. */
  readonly intraOpNumThreads?: number;
}

export async function createOrtNodeRunner(packageDir: string, manifest: ModelManifest, options: OrtNodeOptions = {}): Promise<GraphRunner> {
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
  return {
    backend: 'onnxruntime-node (cpu)',
    async run(graph: GraphName, input: Float32Tensor): Promise<Float32Tensor> {
      const session = sessions.get(graph)!;
      const spec = manifest.graphs[graph];
      const feeds = { [spec.inputs[0].name]: new ort.Tensor('float32', input.data, [...input.shape]) };
      const results = await session.run(feeds);
      const out = results[spec.outputs[0].name];
      if (!out || out.type !== 'float32') throw new Error(`${graph}: output ${spec.outputs[0].name} missing or not float32`);
      const data = out.data as Float32Array;
      const shape = [...out.dims];
      for (const r of Object.values(results)) r.dispose();
      return { data, shape };
    },
    async release() {
      for (const s of sessions.values()) await s.release();
      sessions.clear();
    },
  };
}
