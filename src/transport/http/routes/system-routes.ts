// Health, Prometheus metrics and the OpenAPI document.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HttpDeps } from '../http-deps.ts';
import { bearerToken, requireAdmin, requireUser } from '../request-auth.ts';

/** Constant-time comparison, so response times do not reveal how much of a guess was right. */
function isMetricsToken(sent: string | undefined, expected: string | undefined): boolean {
  if (sent === undefined || expected === undefined) return false;
  const a = createHash('sha256').update(sent).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const startedAt = Date.now();

export function systemRoutes(app: FastifyInstance, deps: HttpDeps, version: string): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Health of this node (503 when unhealthy); include=storage,mqtt,… reports the named components (IoTFlow)',
        querystring: z.object({
          detailed: z.enum(['true', 'false']).default('false'),
          include: z.string().max(500).optional().describe('Comma-separated components to report; a name this node does not run is reported as not present'),
        }),
      },
    },
    async (request, reply) => {
      const report = await deps.health.report();
      const body: Record<string, unknown> = { status: report.healthy ? 'healthy' : 'unhealthy', version };
      if (request.query.detailed === 'true') {
        body.uptime_seconds = Math.round((Date.now() - startedAt) / 1000);
        body.checks = report.checks;
      }
      if (request.query.include !== undefined) body.components = includedComponents(report.checks, request.query.include);
      return reply.code(report.healthy ? 200 : 503).send(body);
    },
  );

  // The metrics tell anyone the platform's load and ingest rate: a scraper sends METRICS_TOKEN as
  // its bearer token; without that, only an admin's access token reads them.
  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics (METRICS_TOKEN or an admin access token)', security: [{ bearer: [] }] } }, async (request, reply) => {
    if (!isMetricsToken(bearerToken(request), deps.options.metricsToken)) requireAdmin(await requireUser(deps.auth, request));
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/** The components named in `include`, each as its check reported it or as not present on this node. */
function includedComponents(checks: Record<string, { ok: boolean }>, include: string): Record<string, unknown> {
  const names = [...new Set(include.split(',').map((n) => n.trim().toLowerCase()).filter(Boolean))];
  return Object.fromEntries(
    names.map((name) => [
      name,
      checks[name] ?? { ok: false, present: false, message: `This node runs no component named ${name}; it has ${Object.keys(checks).join(', ')}` },
    ]),
  );
}
