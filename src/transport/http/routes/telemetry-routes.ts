import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../../contract/http/common.ts';
import { deviceIdParam } from '../../../contract/http/devices.ts';
import { aggregatedQuery, deleteRangeQuery, exportQuery, historyQuery, pointView, telemetryBody } from '../../../contract/http/telemetry.ts';
import { FluxgateError } from '../../../contract/errors.ts';
import type { Aggregation } from '../../../domain/rollup.ts';
import { DAY, checkTimeZone, parseQueryTime, parseWindow } from '../../../domain/time.ts';
import { formatExportLine } from '../export-format.ts';
import type { HttpDeps } from '../http-deps.ts';
import { isoFormatter } from '../iso-time.ts';
import { bearerToken, requireDevice, requireUser } from '../request-auth.ts';
import { readBesideAuth } from '../read-beside-auth.ts';
import { answerText, trustedJson } from '../trusted-json.ts';
import { pointViewsJson } from '../point-views-json.ts';
import { pointToView } from '../views.ts';

export function parseRange(q: { start_time?: string | undefined; end_time?: string | undefined }, defaultSpanMs: number, now = Date.now()) {
  const end = q.end_time ? parseQueryTime(q.end_time, now, 'end_time') : now + 1;
  const start = q.start_time ? parseQueryTime(q.start_time, now, 'start_time') : end - defaultSpanMs;
  if (start >= end) throw new FluxgateError('INVALID_TIME', 'start_time must be before end_time');
  return { start, end };
}

function parseFields(text: string | undefined): string[] | undefined {
  const fields = text?.split(',').map((f) => f.trim()).filter(Boolean);
  return fields?.length ? fields : undefined;
}

export function telemetryRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['telemetry'];
  const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];

  /** Readers: a user allowed to read the device, or the device itself with its key. */
  async function requireReader(request: FastifyRequest, deviceId: string): Promise<void> {
    if (request.headers['x-api-key'] !== undefined && request.headers.authorization === undefined) {
      if ((await requireDevice(deps.keys, request)) !== deviceId) throw new FluxgateError('DEVICE_NOT_FOUND');
      return;
    }
    await deps.access.require(await requireUser(deps.auth, request), deviceId, 'read');
  }

  r.post(
    '/api/v1/telemetry',
    {
      schema: {
        tags,
        summary: 'Submit telemetry (X-API-Key); answered only after the points are committed (rate limit "ingest" per device)',
        security: [{ apiKey: [] }],
        body: telemetryBody,
        response: { 201: z.object({ status: z.literal('stored'), points: z.number() }), 422: errorResponse, 429: errorResponse, 503: errorResponse },
      },
      // The schema documents the shapes; the ingest normaliser validates (faster, and names the bad member).
      validatorCompiler: () => (data) => ({ value: data }),
      ...trustedJson,
    },
    async (request, reply) => {
      const deviceId = await requireDevice(deps.keys, request);
      await deps.limits.consume('ingest', deviceId);
      const points = await deps.pipeline.ingest(deviceId, request.body);
      return reply.code(201).send({ status: 'stored' as const, points });
    },
  );

  r.get(
    '/api/v1/telemetry/status',
    {
      schema: {
        tags,
        summary: 'Telemetry system status',
        response: {
          200: z.object({ status: z.string(), storage: z.string(), numeric_points_stored: z.number(), devices: z.number(), pending_points: z.number() }),
        },
      },
    },
    async () => {
      const [stats, health] = await Promise.all([deps.queries.stats(), deps.health.report()]);
      return {
        status: health.healthy ? 'healthy' : 'unhealthy',
        storage: deps.queries.storageKind,
        numeric_points_stored: stats.points,
        devices: stats.devices,
        pending_points: deps.pipeline.pending,
      };
    },
  );

  r.get(
    '/api/v1/telemetry/:id',
    {
      schema: {
        tags,
        summary: 'Telemetry history, newest first by default, with cursor pagination',
        security,
        params: deviceIdParam,
        querystring: historyQuery,
        response: { 200: z.object({ device_id: z.string(), count: z.number(), points: z.array(pointView), next_cursor: z.string().nullable() }) },
      },
      ...trustedJson,
    },
    async (request) => {
      const { id } = request.params;
      const q = request.query;
      const [page, outOfRange] = await readBesideAuth(deps.auth, request, () => requireReader(request, id), () => {
        const { start, end } = parseRange(q, DAY);
        return Promise.all([deps.queries.history({
          deviceId: id,
          start,
          end,
          fields: parseFields(q.fields),
          limit: Math.min(q.limit, deps.options.queryMaxLimit),
          order: q.order,
          cursor: q.cursor,
        }), deps.profiles.rangeCheckFor(id)]);
      });
      type Page = { device_id: string; count: number; points: Array<ReturnType<typeof pointToView>>; next_cursor: string | null };
      return answerText<Page>(
        `{"device_id":${JSON.stringify(id)},"count":${page.points.length},"points":${pointViewsJson(page.points, outOfRange)},"next_cursor":${JSON.stringify(page.nextCursor)}}`,
      );
    },
  );

  r.get(
    '/api/v1/telemetry/:id/latest',
    {
      schema: {
        tags,
        summary: 'The newest value of every field',
        security,
        params: deviceIdParam,
        response: {
          200: z.object({
            device_id: z.string(),
            timestamp: z.string().nullable(),
            values: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
            points: z.array(pointView),
          }),
        },
      },
      ...trustedJson,
    },
    async (request) => {
      const { id } = request.params;
      const [points, outOfRange] = await readBesideAuth(deps.auth, request, () => requireReader(request, id), () =>
        Promise.all([deps.queries.latest(id), deps.profiles.rangeCheckFor(id)]),
      );
      const newest = points.reduce((m, p) => Math.max(m, p.ts), -1);
      return {
        device_id: id,
        timestamp: newest >= 0 ? new Date(newest).toISOString() : null,
        values: Object.fromEntries(points.map((p) => [p.field, p.value])),
        points: points.map((p) => pointToView(p, outOfRange)),
      };
    },
  );

  r.get(
    '/api/v1/telemetry/:id/aggregated',
    {
      schema: {
        tags,
        summary: 'Aggregates per window, served from rollups; calendar windows follow tz (DST-aware)',
        security,
        params: deviceIdParam,
        querystring: aggregatedQuery,
        response: {
          200: z.object({
            device_id: z.string(),
            field: z.string(),
            aggregation: z.string(),
            window: z.string(),
            tz: z.string(),
            start_time: z.string(),
            end_time: z.string(),
            source: z.string(),
            buckets: z.array(z.object({ start: z.string(), end: z.string(), value: z.number().nullable(), count: z.number() })),
          }),
        },
      },
      ...trustedJson,
    },
    async (request) => {
      const { id } = request.params;
      const q = request.query;
      const aggregation: Aggregation = q.aggregation === 'avg' ? 'mean' : q.aggregation;
      const { tz, window, start, end, result } = await readBesideAuth(deps.auth, request, () => requireReader(request, id), async () => {
        const tz = checkTimeZone(q.tz);
        const window = parseWindow(q.window);
        const { start, end } = parseRange(q, DAY);
        return { tz, window, start, end, result: await deps.queries.aggregate({ deviceId: id, field: q.field, aggregation, window, tz, start, end }) };
      });
      const iso = isoFormatter();
      return {
        device_id: id,
        field: q.field,
        aggregation,
        window: window.label,
        tz,
        start_time: new Date(start).toISOString(),
        end_time: new Date(end).toISOString(),
        source: result.source,
        buckets: result.buckets.map((b) => ({
          start: iso(b.start),
          end: iso(b.end),
          value: b.value,
          count: b.count,
        })),
      };
    },
  );

  r.delete(
    '/api/v1/telemetry/:id',
    {
      schema: {
        tags,
        summary: 'Delete the telemetry of a time range (owner or admin)',
        security: [{ bearer: [] }],
        params: deviceIdParam,
        querystring: deleteRangeQuery,
        response: { 200: z.object({ device_id: z.string(), deleted: z.number() }) },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!bearerToken(request) && request.headers['x-api-key'] !== undefined) {
        // IoTFlow let a device key delete its history; here a stolen key must not be able to erase it.
        throw new FluxgateError('FORBIDDEN', 'A device key cannot delete telemetry: the device owner (or an admin) does, with Authorization: Bearer <access token>');
      }
      await deps.access.require(await requireUser(deps.auth, request), id, 'owner');
      const { start, end } = parseRange(request.query, DAY);
      return { device_id: id, deleted: await deps.queries.deleteRange(id, start, end) };
    },
  );

  r.get(
    '/api/v1/telemetry/:id/export',
    {
      schema: {
        tags,
        summary: 'Stream the history of a range as CSV or NDJSON (oldest first)',
        security,
        params: deviceIdParam,
        querystring: exportQuery,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await requireReader(request, id);
      const q = request.query;
      const { start, end } = parseRange(q, DAY);
      const points = deps.queries.stream({ deviceId: id, start, end, fields: parseFields(q.fields), order: 'asc' });
      async function* lines() {
        if (q.format === 'csv') yield 'timestamp,device_id,field,value\n';
        for await (const p of points) yield formatExportLine(p, q.format);
      }
      return reply
        .type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('content-disposition', `attachment; filename="${id}.${q.format === 'csv' ? 'csv' : 'ndjson'}"`)
        .send(Readable.from(lines()));
    },
  );
}
