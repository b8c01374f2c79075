/**
 * Serves a local folder under a URL prefix from both Vite's dev server and `vite preview`,
 * with Content-Length (progress bars need it) and the cross-origin isolation headers. Used for
 * the model packages the Playwright setup exports into a git-ignored folder.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';

export function serveFolderPlugin(options: {
  urlPrefix: string;
  dir: string;
  headers: Record<string, string>;
}): Plugin {
  const prefix = options.urlPrefix.endsWith('/') ? options.urlPrefix : `${options.urlPrefix}/`;
  return {
    name: `tokenflow-serve-folder:${prefix}`,
    configureServer(server) {
      server.middlewares.use(prefix, handler(resolve(server.config.root, options.dir), options.headers));
    },
    configurePreviewServer(server) {
      server.middlewares.use(prefix, handler(resolve(server.config.root, options.dir), options.headers));
    },
  };
}

function handler(root: string, headers: Record<string, string>): Connect.NextHandleFunction {
  return (req, res, next) => {
    let relative: string;
    try {
      relative = decodeURIComponent((req.url ?? '').split('?')[0]);
    } catch {
      return next();
    }
    const path = resolve(root, `.${relative.startsWith('/') ? '' : '/'}${relative}`);
    // Refuse anything that resolves outside the folder (../ in the URL).
    if (path !== root && !path.startsWith(root + sep)) {
      res.statusCode = 403;
      res.end(`forbidden: ${relative}`);
      return;
    }
    stat(path).then(
      (s) => {
        if (!s.isFile()) return next();
        res.statusCode = 200;
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        res.setHeader('Content-Type', path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.setHeader('Content-Length', String(s.size));
        res.setHeader('Cache-Control', 'no-cache');
        if (req.method === 'HEAD') return void res.end();
        createReadStream(path).pipe(res);
      },
      () => {
        res.statusCode = 404;
        res.end(`not found: ${relative}`);
      },
    );
  };
}
