/**
 * How many wasm threads a model worker asks onnxruntime for: every core but one, at most 4.
 * The page's own thread needs a core while a model runs (React renders, style, layout, paint);
 * with one inference thread per core it waited behind them for hundreds of milliseconds on a
 * 2-core machine, and the page froze while the model encoded and decoded.
 */
export const MAX_WASM_THREADS = 4;

export function wasmThreadsFor(hardwareConcurrency: number | undefined): number {
  const cores = Number.isInteger(hardwareConcurrency) && hardwareConcurrency! > 0 ? hardwareConcurrency! : 1;
  return Math.min(MAX_WASM_THREADS, Math.max(1, cores - 1));
}
