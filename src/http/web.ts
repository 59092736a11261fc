import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

// src/http/ and dist/http/ both sit two levels below the package root, where web/dist is built.
export const WEB_DIST_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * The page runs only its own bundled script and talks only to this origin, so text from a source
 * or a model that slipped past the renderer still could not run or call out.
 */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Chrysopedia Chat</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5">
<h1>Chrysopedia Chat</h1>
<p>The chat page has not been built. Run <code>npm run build</code>, then reload this page.</p>
<p>The API answers meanwhile under <code>/api/v1/</code>.</p>
</body></html>
`;

/**
 * The chat page at `/` and its assets, from Vite's build (read per request, so a rebuild needs no
 * restart). The API's routes are more specific than the catch-all and keep priority; a GET that
 * matches no file gets the API's JSON 404. Without a build, `/` says how to make one.
 */
export async function webRoutes(app: FastifyInstance, dir: string = WEB_DIST_DIR): Promise<void> {
  if (!existsSync(path.join(dir, 'index.html'))) {
    // The same catch-all the built page gets, so the app's routes are the same either way.
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      if (request.url.split('?')[0] !== '/') return reply.callNotFound();
      return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    wildcard: true,
    index: 'index.html',
    redirect: false,
    cacheControl: false, // set below, per kind of file
    setHeaders: (res, file) => {
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'same-origin');
      if (file.endsWith('.html')) {
        res.setHeader('content-security-policy', PAGE_CSP);
        res.setHeader('cache-control', 'no-cache');
      } else if (file.split(path.sep).includes('assets')) {
        // Vite names assets by content hash: a changed file is a new name.
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      } else {
        res.setHeader('cache-control', 'public, max-age=3600');
      }
    },
  });
}
