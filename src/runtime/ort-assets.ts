/**
 * Where onnxruntime-web's own loader files are served from. They are copied verbatim to a fixed
 * folder (by vite-plugins/ort-assets.ts, in dev and in the build) instead of being bundled: ORT
 * starts its wasm threads by importing its glue script by URL, and a bundled copy of that script
 * inside our worker chunk made threaded wasm hang in a production build. The Vite plugin and the
 * runtime both read this module, so the folder and the file list cannot drift apart.
 */

/** Folder under the app's base URL. */
export const ORT_ASSET_DIR = 'ort';

/**
 * What ORT loads at run time, each wasm build with its Emscripten glue: the asyncify one of
 * `onnxruntime-web/webgpu` (WebGPU and CPU execution providers) and the plain CPU one of
 * `onnxruntime-web/wasm`, which a wasm-only worker runs (ort-module.ts says why).
 */
export const ORT_BUILD_FILES = {
  webgpu: { glue: 'ort-wasm-simd-threaded.asyncify.mjs', wasm: 'ort-wasm-simd-threaded.asyncify.wasm' },
  wasm: { glue: 'ort-wasm-simd-threaded.mjs', wasm: 'ort-wasm-simd-threaded.wasm' },
} as const satisfies Record<'wasm' | 'webgpu', { readonly glue: string; readonly wasm: string }>;

export const ORT_ASSET_FILES: readonly string[] = Object.values(ORT_BUILD_FILES).flatMap((f) => [f.glue, f.wasm]);

/** The `ort.env.wasm.wasmPaths` prefix for an app served at `baseUrl` (e.g. import.meta.env.BASE_URL) of `origin`. */
export function ortAssetUrl(origin: string, baseUrl: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return new URL(`${base}${ORT_ASSET_DIR}/`, origin).href;
}
