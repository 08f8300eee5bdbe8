// Saved charts (seed 003): CRUD under /api/v1/charts, visible to their owner only.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chartIdParam, chartView, createChartBody, updateChartBody } from '../../../contract/http/charts.ts';
import { errorResponse } from '../../../contract/http/common.ts';
import type { Chart, ChartPatch } from '../../../domain/chart.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';

type SeriesInput = z.output<typeof createChartBody>['series'];

const toSeries = (series: SeriesInput) => series.map((s) => ({ deviceId: s.device_id, field: s.field, label: s.label ?? null }));

export function chartToView(c: Chart): z.output<typeof chartView> {
  return {
    id: c.id,
    name: c.name,
    owner_id: c.ownerId,
    series: c.series.map((s) => ({ device_id: s.deviceId, field: s.field, label: s.label })),
    time_range: c.timeRange as z.output<typeof chartView>['time_range'],
    created_at: new Date(c.createdAt).toISOString(),
    updated_at: new Date(c.updatedAt).toISOString(),
  };
}

export function chartRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['charts'];
  const security = [{ bearer: [] }];

  r.post(
    '/api/v1/charts',
    { schema: { tags, summary: 'Save a chart of several device fields', security, body: createChartBody, response: { 201: chartView, 404: errorResponse } } },
    async (request, reply) => {
      const b = request.body;
      const chart = await deps.charts.create(await requireUser(deps.auth, request), { name: b.name, series: toSeries(b.series), timeRange: b.time_range });
      return reply.code(201).send(chartToView(chart));
    },
  );

  r.get(
    '/api/v1/charts',
    { schema: { tags, summary: 'Your saved charts, newest first', security, response: { 200: z.object({ charts: z.array(chartView) }) } } },
    async (request) => ({ charts: (await deps.charts.list(await requireUser(deps.auth, request))).map(chartToView) }),
  );

  r.get(
    '/api/v1/charts/:id',
    { schema: { tags, summary: 'A saved chart', security, params: chartIdParam, response: { 200: chartView, 404: errorResponse } } },
    async (request) => chartToView(await deps.charts.get(await requireUser(deps.auth, request), request.params.id)),
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    r.route({
      method,
      url: '/api/v1/charts/:id',
      schema: { tags, summary: 'Change a saved chart (only the fields given)', security, params: chartIdParam, body: updateChartBody, response: { 200: chartView } },
      handler: async (request) => {
        const b = request.body;
        const patch: ChartPatch = {};
        if (b.name !== undefined) patch.name = b.name;
        if (b.series !== undefined) patch.series = toSeries(b.series);
        if (b.time_range !== undefined) patch.timeRange = b.time_range;
        return chartToView(await deps.charts.update(await requireUser(deps.auth, request), request.params.id, patch));
      },
    });
  }

  r.delete(
    '/api/v1/charts/:id',
    { schema: { tags, summary: 'Delete a saved chart', security, params: chartIdParam } },
    async (request, reply) => {
      await deps.charts.remove(await requireUser(deps.auth, request), request.params.id);
      return reply.code(204).send();
    },
  );
}
