// Notifications on the wire: /api/v1/notifications. Each user's preferences (what reaches them, on
// which channels, when not) and the admins' dead-letter list of the outbox.
import { z } from 'zod';
import { SEVERITY_NAMES } from './rules.ts';

const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM (00:00–23:59)');

const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((name) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Berlin or UTC');

const ids = z.array(z.string().min(1).max(64)).max(1000);

export const notificationPreferencesBody = z
  .object({
    severities: z.array(z.enum(SEVERITY_NAMES)).max(SEVERITY_NAMES.length).describe('Severities that notify (the alarm severity after the change)'),
    channels: z
      .object({
        webhook: z
          .object({
            url: z.string().url().max(2000).describe('http(s) URL; loopback, link-local and private targets are refused unless WEBHOOK_ALLOW_PRIVATE allows them'),
            secret: z
              .string()
              .min(16, 'must be at least 16 characters')
              .max(256)
              .optional()
              .describe('Key of the HMAC-SHA256 in X-Fluxgate-Signature; absent: keep the saved one (same URL only)'),
          })
          .strict()
          .optional(),
        email: z.object({ address: z.string().email().max(320) }).strict().optional(),
        mqtt: z.boolean().optional().describe('Publish to alarms/{device_id} on the broker'),
      })
      .strict(),
    device_ids: ids.optional().describe('Only these devices (absent or empty: every device you may read)'),
    device_types: ids.optional().describe('Only devices of these types (absent or empty: any)'),
    quiet_hours: z
      .object({ start: hhmm, end: hhmm, time_zone: timeZone })
      .strict()
      .nullable()
      .optional()
      .describe('Nothing is sent to you in this window of local time (it may wrap midnight)'),
    escalate_after_s: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .nullable()
      .optional()
      .describe('Escalation: be told of a raised alarm only when it is still unacknowledged this many seconds later (and of nothing else)'),
  })
  .strict();

export const notificationPreferencesView = z.object({
  severities: z.array(z.enum(SEVERITY_NAMES)),
  channels: z.object({
    webhook: z.object({ url: z.string(), secret_set: z.boolean() }).optional(),
    email: z.object({ address: z.string() }).optional(),
    mqtt: z.boolean().optional(),
  }),
  device_ids: z.array(z.string()),
  device_types: z.array(z.string()),
  quiet_hours: z.object({ start: z.string(), end: z.string(), time_zone: z.string() }).nullable(),
  escalate_after_s: z.number().int().nullable(),
});

export const outboxRowView = z.object({
  id: z.string(),
  alarm_id: z.string(),
  event: z.string(),
  channel: z.string(),
  recipient: z.string().nullable(),
  target: z.string().nullable().describe('Webhook URL or email address (secrets are never shown)'),
  idempotency_key: z.string(),
  attempts: z.number().int(),
  state: z.string(),
  last_error: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
});

export const notificationIdParam = z.object({ id: z.string().min(1).max(64) });
