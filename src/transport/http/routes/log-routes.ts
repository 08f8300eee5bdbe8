// Device system logs over HTTP: the device posts lines with its X-API-Key, users with read access
// query them by time range and level. The MQTT bridge calls the same DeviceLogService.append.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FluxgateError } from '../../../contract/errors.ts';
import { errorResponse } from '../../../contract/http/common.ts';
import { deviceIdParam } from '../../../contract/http/devices.ts';
import { logBody, logPage, logQuery } from '../../../contract/http/logs.ts';
import { type LogEntry, type LogLevel, parseLevel } from '../../../domain/device-log.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireDevice, requireUser } from '../request-auth.ts';
import { parseRange } from './telemetry-routes.ts';

const WEEK = 7 * 86_400_000;

function parseLevels(text: string | undefined): LogLevel[] | undefined {
  const parts = text?.split(',').map((l) => l.trim()).filter(Boolean);
  return parts?.length ? parts.map((l) => parseLevel(l, 'level')) : undefined;
}

function logToView(e: LogEntry) {
  return { id: e.id, timestamp: new Date(e.ts).toISOString(), ts: e.ts, level: e.level, message: e.message, source: e.source };
}

export function logRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['logs'];

  r.post(
    '/api/v1/devices/:id/logs',
    {
      schema: {
        tags,
        summary: 'A device sends system log lines (X-API-Key); answered after they are stored',
        security: [{ apiKey: [] }],
        params: deviceIdParam,
        body: logBody,
        response: { 201: z.object({ status: z.literal('stored'), count: z.number() }), 400: errorResponse },
      },
      // The schema documents the shapes; the domain normaliser validates and names the bad member.
      // The id is checked by comparing it with the device the key belongs to.
      validatorCompiler: () => (data) => ({ value: data }),
    },
    async (request, reply) => {
      const deviceId = await requireDevice(deps.keys, request);
      if (deviceId !== request.params.id) throw new FluxgateError('DEVICE_NOT_FOUND', `Device ${request.params.id} not found`);
      const count = await deps.logs.append(deviceId, request.body);
      return reply.code(201).send({ status: 'stored' as const, count });
    },
  );

  r.get(
    '/api/v1/devices/:id/logs',
    {
      schema: {
        tags,
        summary: 'Device system logs by time range and level, newest first by default, cursor-paginated',
        security: [{ bearer: [] }],
        params: deviceIdParam,
        querystring: logQuery,
        response: { 200: logPage },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const { id } = request.params;
      const q = request.query;
      const { start, end } = parseRange(q, WEEK);
      const page = await deps.logs.query(principal, {
        deviceId: id,
        start,
        end,
        levels: parseLevels(q.level),
        minLevel: q.min_level,
        order: q.order,
        limit: Math.min(q.limit, deps.options.queryMaxLimit),
        cursor: q.cursor,
      });
      return { device_id: id, count: page.entries.length, logs: page.entries.map(logToView), next_cursor: page.nextCursor };
    },
  );
}
