// Notifications: each user's preferences, and the admins' dead-letter list with retry.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse, pagination } from '../../../contract/http/common.ts';
import { notificationIdParam, notificationPreferencesBody, notificationPreferencesView, outboxRowView } from '../../../contract/http/notifications.ts';
import type { NotificationPreferences, OutboxRow } from '../../../domain/notification.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function preferencesToView(p: NotificationPreferences): z.output<typeof notificationPreferencesView> {
  const { webhook, email, mqtt } = p.channels;
  return {
    severities: [...p.severities],
    channels: {
      ...(webhook ? { webhook: { url: webhook.url, secret_set: webhook.secret.length > 0 } } : {}),
      ...(email ? { email: { address: email.address } } : {}),
      ...(mqtt !== undefined ? { mqtt } : {}),
    },
    device_ids: [...(p.deviceIds ?? [])],
    device_types: [...(p.deviceTypes ?? [])],
    quiet_hours: p.quietHours ? { start: p.quietHours.start, end: p.quietHours.end, time_zone: p.quietHours.timeZone } : null,
    escalate_after_s: p.escalateAfterS ?? null,
  };
}

function outboxToView(row: OutboxRow): z.output<typeof outboxRowView> {
  const target = row.target as { url?: string; address?: string };
  return {
    id: row.id,
    alarm_id: row.alarmId,
    event: row.eventKind,
    channel: row.channel,
    recipient: row.recipient,
    target: target.url ?? target.address ?? null,
    idempotency_key: row.idempotencyKey,
    attempts: row.attempts,
    state: row.state,
    last_error: row.lastError,
    payload: row.payload,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export function notificationRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['notifications'];
  const security = [{ bearer: [] }];

  r.get(
    '/api/v1/notifications/preferences',
    { schema: { tags, summary: 'Your notification preferences (defaults until you save some: no channel, so nothing is sent)', security, response: { 200: notificationPreferencesView } } },
    async (request) => preferencesToView(await deps.notifications.preferences(await requireUser(deps.auth, request))),
  );

  r.put(
    '/api/v1/notifications/preferences',
    {
      schema: {
        tags,
        summary: 'Replace your notification preferences: severities, channels with targets, device and device-type filters, quiet hours',
        security,
        body: notificationPreferencesBody,
        response: { 200: notificationPreferencesView, 400: errorResponse, 422: errorResponse },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const b = request.body;
      const saved = await deps.notifications.setPreferences(principal, {
        severities: b.severities,
        channels: { webhook: b.channels.webhook, email: b.channels.email, mqtt: b.channels.mqtt },
        deviceIds: b.device_ids,
        deviceTypes: b.device_types,
        quietHours: b.quiet_hours ? { start: b.quiet_hours.start, end: b.quiet_hours.end, timeZone: b.quiet_hours.time_zone } : undefined,
        escalateAfterS: b.escalate_after_s ?? undefined,
      });
      return preferencesToView(saved);
    },
  );

  r.get(
    '/api/v1/notifications/dead-letters',
    {
      schema: {
        tags,
        summary: 'Notifications that failed every attempt (admins only), most recent first',
        security,
        querystring: z.object(pagination),
        response: { 200: z.object({ items: z.array(outboxRowView), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }), 403: errorResponse },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const { items, total } = await deps.notifications.deadLetters(await requireUser(deps.auth, request), { limit, offset });
      return { items: items.map(outboxToView), total, limit, offset };
    },
  );

  r.post(
    '/api/v1/notifications/dead-letters/:id/retry',
    {
      schema: {
        tags,
        summary: 'Queue a dead notification again with fresh attempts (admins only)',
        security,
        params: notificationIdParam,
        response: { 200: outboxRowView, 403: errorResponse, 404: errorResponse },
      },
    },
    async (request) => outboxToView(await deps.notifications.retry(await requireUser(deps.auth, request), request.params.id)),
  );
}
