// Chart data sized to the screen (GET /api/v1/telemetry/{id}/series?max_points=width).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { seriesQuery, seriesResponse } from '../../../contract/http/charts.ts';
import { deviceIdParam } from '../../../contract/http/devices.ts';
import { checkTimeZone } from '../../../domain/time.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';
import { readBesideAuth } from '../read-beside-auth.ts';
import { trustedJson } from '../trusted-json.ts';
import { parseRange } from './telemetry-routes.ts';

const DAY = 86_400_000;

export function seriesRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/telemetry/:id/series',
    {
      schema: {
        tags: ['telemetry'],
        summary: 'Chart data: at most max_points per field (raw, min/max-downsampled, or rollups for long ranges)',
        security: [{ bearer: [] }],
        params: deviceIdParam,
        querystring: seriesQuery,
        response: { 200: seriesResponse },
      },
      ...trustedJson,
    },
    async (request) => {
      const { id } = request.params;
      const q = request.query;
      const check = async () => deps.access.require(await requireUser(deps.auth, request), id, 'read');
      const { start, end, data } = await readBesideAuth(deps.auth, request, check, async () => {
        const tz = checkTimeZone(q.tz);
        const { start, end } = parseRange(q, DAY);
        const fields = q.fields?.split(',').map((f) => f.trim()).filter(Boolean);
        return { start, end, data: await deps.series.series({ deviceId: id, fields: fields?.length ? fields : undefined, start, end, maxPoints: q.max_points, tz }) };
      });
      return { device_id: id, start_time: new Date(start).toISOString(), end_time: new Date(end).toISOString(), ...data };
    },
  );
}
