/**
 * Serves the web console (packages/console, built by Vite to static files) at `/`. The console
 * routes pages after the `#`, so the server only needs `/`, `/index.html` and the hashed files
 * under `/assets/`. When the console is not built, `/` says how to build it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorBody } from './errors.js';

/** `packages/console/dist` of a Weft checkout, found from this file (src/api or dist/api of the platform). */
const CHECKOUT_CONSOLE = fileURLToPath(new URL('../../../console/dist/', import.meta.url));
/** The copy `npm pack` puts into @weft/platform (`console/`, by scripts/pack-console.mjs). */
const PACKED_CONSOLE = fileURLToPath(new URL('../../console/', import.meta.url));

/** The built console: the checkout's when there is one, else the packed copy of an installed platform. */
export const CONSOLE_DIST =
  !existsSync(join(CHECKOUT_CONSOLE, 'index.html')) && existsSync(join(PACKED_CONSOLE, 'index.html'))
    ? PACKED_CONSOLE
    : CHECKOUT_CONSOLE;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** The console talks only to this origin; nothing frames it. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weft</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Weft is running</h1>
<p>The web console is not built. Build it from the Weft repository with</p>
<pre style="background:#f3f4f6;padding:.75rem">npm run build</pre>
<p>(or only the console: <code>npm run build -w @weft/console</code>), then reload this page.</p>
<p>The HTTP API works meanwhile: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
`;

export interface ConsoleOptions {
  /** The built console; default `CONSOLE_DIST`. */
  dir?: string;
}

export function registerConsoleRoutes(app: FastifyInstance, options: ConsoleOptions = {}): void {
  const root = resolve(options.dir ?? CONSOLE_DIST);
  const assets = join(root, 'assets');

  const index = async (_request: unknown, reply: FastifyReply) => {
    let html: Buffer | string;
    try {
      html = await readFile(join(root, 'index.html'));
    } catch {
      html = NOT_BUILT;
      // The hint page has inline styles; it gets no CSP.
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
    }
    // Always revalidated: it names the current hashed assets.
    return reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').type(TYPES['.html']).send(html);
  };
  app.get('/', index);
  app.get('/index.html', index);

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const file = resolve(assets, request.params['*']);
    const inside = relative(assets, file);
    if (!inside || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      return reply.status(404).send(errorBody('NOT_FOUND', `No file ${request.url.split('?')[0]}`));
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return reply.status(404).send(errorBody('NOT_FOUND', `No file ${request.url.split('?')[0]}`));
    }
    return (
      reply
        .header('x-content-type-options', 'nosniff')
        // Vite names assets by content hash: a name never changes its content.
        .header('cache-control', 'public, max-age=31536000, immutable')
        .type(TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
        .send(body)
    );
  });
}
