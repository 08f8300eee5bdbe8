// A compatibility route that is our endpoint at another path: same method, same query and body,
// path parameters carried over by name, the answer reshaped by `map` when the system's clients
// expect other field names.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ForwardOptions, forward, ok } from './forward.ts';

export interface Alias {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** Our path; `:name` segments are filled from the request's parameters of the same name. */
  target: string;
  summary: string;
  /** Overrides for the forwarded request (query, body), computed from the caller's request. */
  options?: (request: FastifyRequest) => ForwardOptions;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reshapes our own JSON answer
  map?: (body: any, request: FastifyRequest) => unknown;
  /** Status of the compat answer when ours has no body (204). */
  emptyAs?: { status: number; body: (request: FastifyRequest) => unknown };
}

const PARAM = /:([A-Za-z_]+)/g;

export function registerAliases(app: FastifyInstance, tags: string[], aliases: readonly Alias[]): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const a of aliases) {
    const names = [...a.url.matchAll(PARAM)].map((m) => m[1]!);
    const params = names.length > 0 ? z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1).max(100)]))) : undefined;
    r.route({
      method: a.method,
      url: a.url,
      schema: { tags, summary: `${a.summary} (${a.method} ${a.target.replace(PARAM, '{$1}')})`, security: [{ bearer: [] }], ...(params ? { params } : {}) },
      handler: async (request, reply) => {
        const values = (request.params ?? {}) as Record<string, string>;
        const path = a.target.replace(PARAM, (_m, name: string) => encodeURIComponent(values[name] ?? ''));
        const res = ok(await forward(app, request, path, a.options?.(request) ?? {}));
        if (res.body === undefined && a.emptyAs) return reply.code(a.emptyAs.status).send(a.emptyAs.body(request));
        if (res.body === undefined) return reply.code(res.status).send();
        return reply.code(res.status).send(a.map ? a.map(res.body, request) : res.body);
      },
    });
  }
}
