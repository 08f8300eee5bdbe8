// Health, Prometheus metrics and the OpenAPI document.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HttpDeps } from '../http-deps.ts';

const startedAt = Date.now();

export function systemRoutes(app: FastifyInstance, deps: HttpDeps, version: string): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Health of this node (503 when unhealthy)',
        querystring: z.object({ detailed: z.enum(['true', 'false']).default('false') }),
      },
    },
    async (request, reply) => {
      const report = await deps.health.report();
      const body: Record<string, unknown> = { status: report.healthy ? 'healthy' : 'unhealthy', version };
      if (request.query.detailed === 'true') {
        body.uptime_seconds = Math.round((Date.now() - startedAt) / 1000);
        body.checks = report.checks;
      }
      return reply.code(report.healthy ? 200 : 503).send(body);
    },
  );

  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
