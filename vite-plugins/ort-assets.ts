/**
 * Serves onnxruntime-web's wasm build and its glue script unbundled at a fixed path, in dev and
 * in the production build, where src/runtime/ort-web-runner.ts points `ort.env.wasm.wasmPaths`.
 * (ORT's wasm threads import the glue by URL; bundled into our worker chunk, threaded wasm hung
 * in a production build.) The file list lives in src/runtime/ort-assets.ts, shared with the runtime.
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Connect, Plugin, ResolvedConfig } from 'vite';
import { ORT_ASSET_DIR, ORT_ASSET_FILES } from '../src/runtime/ort-assets.ts';

const CONTENT_TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/** Where the installed onnxruntime-web keeps the files (resolved through its package exports). */
function ortDistDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve(`onnxruntime-web/${ORT_ASSET_FILES[0]}`));
}

export function ortAssetsPlugin(headers: Record<string, string>): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'tokenflow-ort-assets',
    configResolved(resolved) {
      config = resolved;
    },
    configureServer(server) {
      server.middlewares.use(`${server.config.base}${ORT_ASSET_DIR}/`, serveOrtFile(headers));
    },
    async writeBundle() {
      const out = join(resolve(config.root, config.build.outDir), ORT_ASSET_DIR);
      await mkdir(out, { recursive: true });
      const from = ortDistDir();
      for (const file of ORT_ASSET_FILES) await copyFile(join(from, file), join(out, file));
    },
  };
}

function serveOrtFile(headers: Record<string, string>): Connect.NextHandleFunction {
  const from = ortDistDir();
  return (req, res, next) => {
    const file = decodeURIComponent((req.url ?? '').split('?')[0].replace(/^\//, ''));
    if (!ORT_ASSET_FILES.includes(file)) return next();
    const path = join(from, file);
    stat(path).then(
      (s) => {
        res.statusCode = 200;
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        res.setHeader('Content-Type', CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream');
        res.setHeader('Content-Length', String(s.size));
        createReadStream(path).pipe(res);
      },
      () => next(),
    );
  };
}
