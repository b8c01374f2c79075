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
 * What `onnxruntime-web/webgpu` loads at run time: one wasm build (the asyncify one, which has
 * both the WebGPU and the CPU execution providers) and its Emscripten glue.
 */
export const ORT_ASSET_FILES: readonly string[] = [
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];

/** The `ort.env.wasm.wasmPaths` prefix for an app served at `baseUrl` (e.g. import.meta.env.BASE_URL) of `origin`. */
export function ortAssetUrl(origin: string, baseUrl: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return new URL(`${base}${ORT_ASSET_DIR}/`, origin).href;
}
