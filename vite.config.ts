import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { E2E_PACKAGES_DIR, E2E_PACKAGES_URL } from './e2e/runtime/package-set.ts';
import { ortAssetsPlugin } from './vite-plugins/ort-assets.ts';
import { serveFolderPlugin } from './vite-plugins/serve-folder.ts';

// Cross-origin isolation lets onnxruntime-web use threaded wasm (SharedArrayBuffer).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
// What the two plugins' own responses carry, so isolation holds for every file they serve.
const servedHeaders = { ...isolation, 'Cross-Origin-Resource-Policy': 'same-origin' };

// The Playwright run builds the runtime harness page into the production bundle, so the worker
// and ORT are tested exactly as built; a normal build leaves it out.
const withHarness = process.env.TOKENFLOW_E2E_HARNESS === '1';

export default defineConfig({
  plugins: [
    react(),
    ortAssetsPlugin(servedHeaders),
    serveFolderPlugin({ urlPrefix: E2E_PACKAGES_URL, dir: E2E_PACKAGES_DIR, headers: servedHeaders }),
  ],
  // ORT's "extern wasm" build: it loads its glue and wasm from ort.env.wasm.wasmPaths (the fixed
  // folder of vite-plugins/ort-assets.ts) instead of embedding the glue and making the bundler
  // emit a second, hashed copy of the 27 MB wasm.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  // Only the worker imports ORT, and the dev server's dependency scan does not follow workers:
  // without this, its first use re-optimises dependencies and reloads the page mid-load.
  optimizeDeps: { include: ['onnxruntime-web/webgpu', 'onnxruntime-web/wasm'] },
  server: { headers: isolation, host: '127.0.0.1' },
  preview: { headers: isolation, host: '127.0.0.1' },
  worker: { format: 'es' },
  build: withHarness
    ? { rolldownOptions: { input: { main: 'index.html', runtimeHarness: 'e2e/runtime/harness.html' } } }
    : {},
});
