/**
 * The one seam between the DOM-free pipeline and an ONNX runtime: onnxruntime-node in the CLI
 * and tests, onnxruntime-web (WebGPU or wasm) in the browser.
 */
import type { GraphName } from '../model-package/manifest.ts';

export interface Float32Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export interface GraphRunner {
  /** Which runtime and device run the graphs, for reports (e.g. "onnxruntime-node cpu"). */
  readonly backend: string;
  /** Runs one graph with its single input; returns its single output. */
  run(graph: GraphName, input: Float32Tensor): Promise<Float32Tensor>;
  release(): Promise<void>;
}
