// Alarms: list with filters, open counts per severity, one alarm with its history, and the changes
// people make (acknowledge, clear, comment). Read access shows an alarm; control access changes it.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { alarmActionBody, alarmCommentBody, alarmCountsView, alarmEventView, alarmIdParam, alarmListQuery, alarmView, alarmWithHistory } from '../../../contract/http/alarms.ts';
import { errorResponse } from '../../../contract/http/common.ts';
import type { Alarm, AlarmEvent, AlarmState } from '../../../domain/alarm.ts';
import { parseQueryTime } from '../../../domain/time.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function alarmToView(a: Alarm): z.output<typeof alarmView> {
  return {
    id: a.id,
    rule_id: a.ruleId,
    rule_name: a.ruleName,
    device_id: a.deviceId,
    severity: a.severity,
    state: a.state,
    raised_at: iso(a.raisedAt),
    acknowledged_at: isoOrNull(a.acknowledgedAt),
    acknowledged_by: a.acknowledgedBy,
    cleared_at: isoOrNull(a.clearedAt),
    cleared_by: a.clearedBy,
    details: a.details,
    updated_at: iso(a.updatedAt),
  };
}

const eventToView = (e: AlarmEvent): z.output<typeof alarmEventView> => ({
  id: e.id,
  kind: e.kind,
  at: iso(e.at),
  user_id: e.userId,
  comment: e.comment,
  details: e.details,
});

export function alarmRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['rules and alarms'];
  const security = [{ bearer: [] }];
  const withHistory = async (principal: Parameters<typeof deps.alarms.get>[0], id: string) => {
    const { alarm, events } = await deps.alarms.get(principal, id);
    return { ...alarmToView(alarm), events: events.map(eventToView) };
  };

  r.get(
    '/api/v1/alarms',
    {
      schema: {
        tags,
        summary: 'Alarms of the devices you may read, newest raised first',
        security,
        querystring: alarmListQuery,
        response: { 200: z.object({ alarms: z.array(alarmView), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }), 400: errorResponse },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const q = request.query;
      const now = Date.now();
      const states: AlarmState[] | undefined = q.state === 'open' ? ['active', 'acknowledged'] : q.state;
      const { items, total } = await deps.alarms.list(principal, {
        deviceId: q.device_id,
        deviceType: q.device_type,
        ruleId: q.rule_id,
        severities: q.severity,
        states,
        from: q.from === undefined ? undefined : parseQueryTime(q.from, now, 'from'),
        to: q.to === undefined ? undefined : parseQueryTime(q.to, now, 'to'),
        limit: q.limit,
        offset: q.offset,
      });
      return { alarms: items.map(alarmToView), total, limit: q.limit, offset: q.offset };
    },
  );

  r.get(
    '/api/v1/alarms/counts',
    { schema: { tags, summary: 'Open alarms (active or acknowledged) per severity, over the devices you may read', security, response: { 200: alarmCountsView } } },
    async (request) => {
      const open = await deps.alarms.counts(await requireUser(deps.auth, request));
      return { open, total: Object.values(open).reduce((a, b) => a + b, 0) };
    },
  );

  r.get(
    '/api/v1/alarms/:id',
    { schema: { tags, summary: 'An alarm with its history (raised, acknowledged, cleared, severity changes, comments)', security, params: alarmIdParam, response: { 200: alarmWithHistory, 404: errorResponse } } },
    async (request) => withHistory(await requireUser(deps.auth, request), request.params.id),
  );

  r.post(
    '/api/v1/alarms/:id/ack',
    {
      schema: {
        tags,
        summary: 'Acknowledge an active alarm (needs control access to its device)',
        security,
        params: alarmIdParam,
        body: alarmActionBody,
        response: { 200: alarmWithHistory, 403: errorResponse, 404: errorResponse, 409: errorResponse },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      await deps.alarms.acknowledge(principal, request.params.id, request.body?.comment ?? null);
      return withHistory(principal, request.params.id);
    },
  );

  r.post(
    '/api/v1/alarms/:id/clear',
    {
      schema: {
        tags,
        summary: 'Clear an open alarm by hand (needs control access); it is not raised again until its condition has cleared once',
        security,
        params: alarmIdParam,
        body: alarmActionBody,
        response: { 200: alarmWithHistory, 403: errorResponse, 404: errorResponse, 409: errorResponse },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      await deps.alarms.clear(principal, request.params.id, request.body?.comment ?? null);
      return withHistory(principal, request.params.id);
    },
  );

  r.post(
    '/api/v1/alarms/:id/comments',
    {
      schema: { tags, summary: 'Add a comment to an alarm\'s history (read access is enough)', security, params: alarmIdParam, body: alarmCommentBody, response: { 201: alarmEventView, 404: errorResponse } },
    },
    async (request, reply) => {
      const event = await deps.alarms.comment(await requireUser(deps.auth, request), request.params.id, request.body.comment);
      return reply.code(201).send(eventToView(event));
    },
  );
}
