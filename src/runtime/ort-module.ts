/**
 * Which onnxruntime-web build a worker runs, loaded on first use. ORT ships its wasm engine in
 * two builds that matter here: the WebGPU bundle's (`asyncify`: the WebGPU and CPU execution
 * providers, every function instrumented so WebGPU calls can suspend it; 27 MB) and the plain
 * CPU one (14 MB). On the CPU the plain build created the released CLIP semantic encoder's
 * session with a third of the CPU time (3.0–3.4 s against 7.8–9.7 s; bench:released, second
 * visit: files + sessions 2.8 s against 3.5 s); the encoders' run times stayed about the same on
 * a quiet machine. So a worker that only needs wasm loads it; one
 * that needs WebGPU loads the WebGPU bundle, whose wasm provider then also serves any wasm
 * graph (one heap instead of two).
 */
import type * as OrtWeb from 'onnxruntime-web/webgpu';
import type { Backend } from './backend-choice.ts';
import { ORT_BUILD_FILES } from './ort-assets.ts';
import { hookedWasmPaths } from './ort-glue-hook.ts';

/** Both builds export the same onnxruntime-common API. */
export type Ort = typeof OrtWeb;
export type OrtBuild = 'wasm' | 'webgpu';

export interface OrtWasmSettings {
  /** The folder serving ORT's .mjs/.wasm (see ort-assets.ts), ending in '/'. */
  readonly wasmPaths: string;
  /** wasm threads; needs cross-origin isolation above 1. */
  readonly numThreads: number;
}

let applied: OrtWasmSettings | undefined;
const builds = new Map<OrtBuild, Promise<Ort>>();

/**
 * Sets ORT's process-wide wasm settings. ORT reads them once, when the first session starts its
 * wasm module, so a later call with other values is refused instead of silently ignored.
 */
export function configureOrtWasm(settings: OrtWasmSettings): void {
  if (!Number.isInteger(settings.numThreads) || settings.numThreads < 1) {
    throw new Error(`numThreads must be a positive integer, got ${settings.numThreads}`);
  }
  if (applied) {
    if (applied.wasmPaths !== settings.wasmPaths || applied.numThreads !== settings.numThreads) {
      throw new Error(
        `onnxruntime-web is already set up with wasmPaths ${applied.wasmPaths} and ${applied.numThreads} threads; ` +
          `it cannot switch to ${settings.wasmPaths} and ${settings.numThreads} threads without reloading the page`,
      );
    }
    return;
  }
  applied = settings;
}

export function ortWasmSettings(): OrtWasmSettings | undefined {
  return applied;
}

/** The build that serves `backend` in this worker (see the module comment for the rule). */
export function ortBuildFor(backend: Backend, loaded: ReadonlySet<OrtBuild>): OrtBuild {
  if (backend === 'webgpu' || loaded.has('webgpu')) return 'webgpu';
  return 'wasm';
}

/** The ORT module for `backend`, imported and configured on first use. */
export function ortFor(backend: Backend): Promise<Ort> {
  const settings = applied;
  if (!settings)
    return Promise.reject(
      new Error('onnxruntime-web: call configureOrtWasm first (ORT needs to know where its wasm files are served)'),
    );
  const build = ortBuildFor(backend, new Set(builds.keys()));
  let ort = builds.get(build);
  if (!ort) {
    ort = (build === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then((m) => {
      // Through the glue hook, so a running session can be stopped (ort-glue-hook.ts).
      const files = ORT_BUILD_FILES[build];
      m.env.wasm.wasmPaths = hookedWasmPaths(settings.wasmPaths, files.glue, files.wasm);
      m.env.wasm.numThreads = settings.numThreads;
      m.env.logLevel = 'warning';
      return m;
    });
    builds.set(build, ort);
    // A failed import (a missing file, say) may be retried by the next load.
    ort.catch(() => builds.delete(build));
  }
  return ort;
}
