/**
 * A hold on onnxruntime-web's Emscripten module, to stop a run midway (worker/cancel-board.ts).
 * ORT's JavaScript API can only set `terminate` when a run starts; its C++ core reads the flag
 * before every node, from the run options it allocates in the wasm heap. ORT lets the page name
 * the glue script it imports (`env.wasm.wasmPaths = { mjs, wasm }`), so the worker hands it a
 * small module that imports the real glue, lets ORT build its module as usual, and passes that
 * module here before ORT uses it. Here the run-options calls are wrapped, so each run's flag
 * address is known while, and only while, the run lives.
 *
 * Where the flag sits inside ORT's run options is not public: it is found by creating run options
 * with terminate off and on and comparing their bytes. If that does not single out one byte (a
 * future ORT laid them out otherwise), nothing is wrapped and runs simply finish, as before.
 */

/** The part of ORT's Emscripten module this touches (names as ORT's own JavaScript uses them). */
export interface OrtWasmModule {
  HEAPU8: Uint8Array;
  _OrtCreateRunOptions(logSeverity: number, logVerbosity: number, terminate: boolean, tagPtr: number): number;
  _OrtReleaseRunOptions(handle: number): void;
}

export interface RunOptionsHooks {
  /** ORT made the options of a run about to start; `HEAPU8[index]` is its terminate flag. */
  created(index: number): void;
  /** ORT is about to free them: the byte at `index` may be reused from now on. */
  released(index: number): void;
}

const HOOK_KEY = Symbol.for('tokenflow.ort-module');
/** How far into ORT's run options to look for the flag (the struct is a few dozen bytes). */
const SEARCH_BYTES = 64;

/**
 * The module ORT imports instead of its glue: the glue's own factory, whose result is shown to the
 * worker's hook first. Pure, so a test can read it; `glueUrl` must be absolute (the module itself
 * is a blob: URL, against which a relative one would not resolve).
 */
export function hookedGlueSource(glueUrl: string): string {
  return [
    `import createOrtModule from ${JSON.stringify(glueUrl)};`,
    'export default async function createHookedOrtModule(moduleArg) {',
    '  const module = await createOrtModule(moduleArg);',
    `  const hook = globalThis[Symbol.for(${JSON.stringify(HOOK_KEY.description)})];`,
    "  if (typeof hook === 'function') hook(module);",
    '  return module;',
    '}',
  ].join('\n');
}

/** Sets the function each ORT module passes through (one per ORT build loaded in this worker). */
export function setOrtModuleHook(hook: ((module: OrtWasmModule) => void) | undefined): void {
  (globalThis as Record<symbol, unknown>)[HOOK_KEY] = hook;
}

/**
 * `env.wasm.wasmPaths` for one ORT build: its .wasm where ORT would look, its glue behind the hook.
 * Where no blob: module can be made (no URL.createObjectURL), the plain prefix: ORT as before.
 */
export function hookedWasmPaths(
  prefix: string,
  glueFile: string,
  wasmFile: string,
): string | { mjs: string; wasm: string } {
  if (typeof URL.createObjectURL !== 'function' || typeof Blob !== 'function') return prefix;
  const source = hookedGlueSource(new URL(glueFile, prefix).href);
  const mjs = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return { mjs, wasm: new URL(wasmFile, prefix).href };
}

/**
 * The offset of `terminate` inside run options: the one byte that is 0 in every `off` copy and 1
 * in every `on` copy. Pure; undefined unless exactly one byte qualifies.
 */
export function findTerminateOffset(off: readonly Uint8Array[], on: readonly Uint8Array[]): number | undefined {
  const length = Math.min(...off.map((b) => b.length), ...on.map((b) => b.length));
  let found: number | undefined;
  for (let i = 0; i < length; i++) {
    if (off.every((b) => b[i] === 0) && on.every((b) => b[i] === 1)) {
      if (found !== undefined) return undefined;
      found = i;
    }
  }
  return found;
}

/**
 * Wraps the module's run-options calls so `hooks` sees each run's flag. Returns the flag's
 * offset, or undefined (and wraps nothing) when this ORT does not look as expected.
 */
export function hookRunOptions(module: OrtWasmModule, hooks: RunOptionsHooks): number | undefined {
  const create = module._OrtCreateRunOptions;
  const release = module._OrtReleaseRunOptions;
  if (typeof create !== 'function' || typeof release !== 'function' || !(module.HEAPU8 instanceof Uint8Array)) {
    return undefined;
  }
  // Two of each, made interleaved, so a byte that merely happens to be 0 or 1 is not taken for it.
  const made: { handle: number; terminate: boolean }[] = [];
  let offset: number | undefined;
  try {
    for (const terminate of [false, true, false, true]) {
      const handle = create.call(module, 3, 0, terminate, 0);
      if (!handle) return undefined;
      made.push({ handle, terminate });
    }
    const bytes = (h: number) => module.HEAPU8.slice(h, h + SEARCH_BYTES);
    offset = findTerminateOffset(
      made.filter((m) => !m.terminate).map((m) => bytes(m.handle)),
      made.filter((m) => m.terminate).map((m) => bytes(m.handle)),
    );
  } finally {
    for (const m of made) release.call(module, m.handle);
  }
  if (offset === undefined) return undefined;
  const at = offset;
  module._OrtCreateRunOptions = (logSeverity, logVerbosity, terminate, tagPtr) => {
    const handle = create.call(module, logSeverity, logVerbosity, terminate, tagPtr);
    if (handle) hooks.created(handle + at);
    return handle;
  };
  module._OrtReleaseRunOptions = (handle) => {
    if (handle) hooks.released(handle + at);
    release.call(module, handle);
  };
  return at;
}
