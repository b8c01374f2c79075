/**
 * The one seam between the DOM-free pipeline and an ONNX runtime: onnxruntime-node in the CLI
 * and tests, onnxruntime-web (WebGPU or wasm) in the browser.
 */
import type { GraphName } from '../model-package/manifest.ts';

export interface Float32Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** What a helper graph returns: float32 values or int32 indices. */
export interface NumericTensor {
  readonly data: Float32Array | Int32Array;
  readonly shape: readonly number[];
}

/** A session on a graph built at run time (e.g. the quantizer's code search), float32 in. */
export interface HelperSession {
  run(feeds: Readonly<Record<string, Float32Tensor>>): Promise<Record<string, NumericTensor>>;
  release(): Promise<void>;
}

export interface GraphRunner {
  /** Which runtime and device run the graphs, for reports (e.g. "onnxruntime-node cpu"). */
  readonly backend: string;
  /** Runs one graph with its single input; returns its single output. */
  run(graph: GraphName, input: Float32Tensor): Promise<Float32Tensor>;
  /**
   * Opens a session on ONNX model bytes built at run time, on the CPU (wasm in the browser);
   * the runner releases it with its own sessions. Absent where a runner cannot run helpers.
   */
  openHelper?(model: Uint8Array): Promise<HelperSession>;
  release(): Promise<void>;
}
