/**
 * How much memory the worker's onnxruntime-web heap holds, for the model panel. ORT exposes no
 * figure, and a wasm heap never shrinks, so its size is the high-water mark of the weights,
 * their copies during session creation and the activations. The worker notes every
 * WebAssembly.Memory created after observeWasmMemory() (ORT's threaded build creates its heap
 * with `new WebAssembly.Memory`), and wasmHeapBytes() sums their current sizes.
 */
const memories: WebAssembly.Memory[] = [];
let observing = false;

/** Call before ORT starts; later calls do nothing. */
export function observeWasmMemory(): void {
  if (observing) return;
  observing = true;
  const Original = WebAssembly.Memory;
  const Observed = new Proxy(Original, {
    construct(target, args: [WebAssembly.MemoryDescriptor]) {
      const memory = new target(...args);
      memories.push(memory);
      return memory;
    },
  });
  (WebAssembly as { Memory: typeof WebAssembly.Memory }).Memory = Observed;
}

/** Bytes of every observed wasm heap, or undefined when none was seen (observation not started, or ORT built otherwise). */
export function wasmHeapBytes(): number | undefined {
  if (memories.length === 0) return undefined;
  return memories.reduce((a, m) => a + m.buffer.byteLength, 0);
}

/** The observed heap whose current buffer is `buffer` (ORT's module knows only its buffer). */
export function wasmMemoryOf(buffer: ArrayBufferLike): WebAssembly.Memory | undefined {
  return memories.find((m) => m.buffer === buffer);
}
