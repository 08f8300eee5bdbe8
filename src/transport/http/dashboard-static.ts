// Serves the built dashboard (web/dist) at / with a single-page-app fallback: any other GET that
// asks for HTML gets index.html, except the API, docs, health and metrics paths, whose unknown
// URLs keep answering with the JSON ROUTE_NOT_FOUND error.
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const NOT_THE_APP = /^\/(api|docs|health|metrics|openapi\.json|mqtt)(\/|\?|$)/;

/** Registers the static files; returns the fallback for the not-found handler. */
export async function serveDashboard(
  app: FastifyInstance,
  dir: string | undefined,
): Promise<(request: FastifyRequest, reply: FastifyReply) => boolean> {
  const index = dir ? path.join(dir, 'index.html') : undefined;
  if (dir && index && existsSync(index)) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      // One route per built file, not a catch-all: a catch-all would swallow requests the router
      // must refuse itself (over-long path parameters), and pages go through the fallback anyway.
      wildcard: false,
      index: 'index.html',
      setHeaders(res, file) {
        // Vite names assets by content hash, so they never change; index.html always may.
        res.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  return (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (NOT_THE_APP.test(request.url)) return false;
    if (!(request.headers.accept ?? '').includes('text/html') && request.url !== '/') return false;
    if (!dir || !index || !existsSync(index)) {
      void reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built. Run `npm run build:web` (npm install does it), then reload.\nThe API is at /api/v1, its docs at /docs.\n');
      return true;
    }
    void reply.header('cache-control', 'no-cache').sendFile('index.html', dir);
    return true;
  };
}
