/**
 * How many wasm threads a model worker asks onnxruntime for by default: every core but one, at most 4, so
 * the page's own thread (React renders, style, layout, paint) keeps a core while a model runs.
 * On one or two cores that spare core would halve inference (released CLIP's tokens are ≈ 10 s
 * on this project's 2-core machine with both cores), so there the worker takes them all and the
 * page shares them: the OS gives each runnable thread its turn within milliseconds, and the
 * page's long tasks there came from the machine's other load, not from our two threads.
 */
export const MAX_WASM_THREADS = 4;

export function wasmThreadsFor(hardwareConcurrency: number | undefined): number {
  const cores = Number.isInteger(hardwareConcurrency) && hardwareConcurrency! > 0 ? hardwareConcurrency! : 1;
  return cores <= 2 ? cores : Math.min(MAX_WASM_THREADS, cores - 1);
}
