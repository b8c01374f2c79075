/**
 * A GraphRunner wrapper that summarises each graph's output as it passes (tensor-stats.ts) and
 * remembers how far the pipeline got. The one pipeline (tokenflow-pipeline.ts) runs unchanged
 * on top of it; when it throws, the probe still knows which stage produced the first NaN,
 * e.g. the pixel encoder's NaN that the quantizer then refused. It keeps stats, never tensors.
 */
import type { GraphName } from '../../core/model-package/manifest.ts';
import type { Float32Tensor, GraphRunner } from '../../core/pipeline/graph-runner.ts';
import type { PipelineStage } from '../../core/metrics/health.ts';
import { featureMapStats, type FeatureMapStats } from '../../core/metrics/tensor-stats.ts';

export const GRAPH_STAGE: Readonly<Record<GraphName, PipelineStage>> = {
  semanticEncoder: 'semantic encoder',
  pixelEncoder: 'pixel encoder',
  pixelDecoder: 'decoder',
};

export interface StageProbe {
  readonly runner: GraphRunner;
  /** Output stats of each graph run since the last reset. */
  readonly outputs: ReadonlyMap<GraphName, FeatureMapStats>;
  /** The graphs started since the last reset, in order. */
  readonly started: readonly GraphName[];
  /** The graph whose run threw, if one did. */
  readonly failedGraph: GraphName | undefined;
  reset(): void;
}

export function createStageProbe(inner: GraphRunner): StageProbe {
  const outputs = new Map<GraphName, FeatureMapStats>();
  const started: GraphName[] = [];
  let failedGraph: GraphName | undefined;
  const runner: GraphRunner = {
    backend: inner.backend,
    async run(graph: GraphName, input: Float32Tensor): Promise<Float32Tensor> {
      started.push(graph);
      let out: Float32Tensor;
      try {
        out = await inner.run(graph, input);
      } catch (e) {
        failedGraph = graph;
        throw e;
      }
      if (out.shape.length === 4) outputs.set(graph, featureMapStats(out.data, out.shape));
      return out;
    },
    release: () => inner.release(),
  };
  return {
    runner,
    outputs,
    started,
    get failedGraph() {
      return failedGraph;
    },
    reset() {
      outputs.clear();
      started.length = 0;
      failedGraph = undefined;
    },
  };
}

/**
 * Which stage threw, given how far the pipeline got: a graph that threw is its own stage; after
 * both encoders and before the decoder it is the quantizer; before any graph it is preprocessing;
 * after the decoder, the uint8 conversion.
 */
export function failingStage(probe: StageProbe): PipelineStage {
  if (probe.failedGraph) return GRAPH_STAGE[probe.failedGraph];
  if (probe.started.length === 0) return 'preprocess';
  if (probe.started.includes('pixelDecoder')) return 'postprocess';
  if (probe.started.includes('pixelEncoder')) return 'quantizer';
  return 'semantic encoder';
}
