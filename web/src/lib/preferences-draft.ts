// The notification preferences form's state and the body it sends. A saved webhook secret is never
// shown back: a blank secret field is left out of the body, which keeps the saved secret (the server
// asks for one when the URL is new).
import type { NotificationPreferences } from '../api/types.ts';
import type { Severity } from './alarms.ts';

export interface PreferencesDraft {
  severities: Severity[];
  webhookUrl: string;
  webhookSecret: string;
  secretSet: boolean;
  email: string;
  mqtt: boolean;
  deviceIds: string;
  deviceTypes: string;
  quietStart: string;
  quietEnd: string;
  timeZone: string;
  escalateAfterS: string;
}

export function draftOfPreferences(p: NotificationPreferences): PreferencesDraft {
  return {
    severities: [...p.severities],
    webhookUrl: p.channels.webhook?.url ?? '',
    webhookSecret: '',
    secretSet: p.channels.webhook?.secret_set ?? false,
    email: p.channels.email?.address ?? '',
    mqtt: p.channels.mqtt ?? false,
    deviceIds: p.device_ids.join(', '),
    deviceTypes: p.device_types.join(', '),
    quietStart: p.quiet_hours?.start ?? '',
    quietEnd: p.quiet_hours?.end ?? '',
    timeZone: p.quiet_hours?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    escalateAfterS: p.escalate_after_s === null ? '' : String(p.escalate_after_s),
  };
}

const list = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

export function preferencesBody(d: PreferencesDraft): Record<string, unknown> {
  const url = d.webhookUrl.trim();
  const escalate = d.escalateAfterS.trim();
  return {
    severities: d.severities,
    channels: {
      ...(url ? { webhook: { url, ...(d.webhookSecret ? { secret: d.webhookSecret } : {}) } } : {}),
      ...(d.email.trim() ? { email: { address: d.email.trim() } } : {}),
      mqtt: d.mqtt,
    },
    device_ids: list(d.deviceIds),
    device_types: list(d.deviceTypes),
    quiet_hours: d.quietStart && d.quietEnd ? { start: d.quietStart, end: d.quietEnd, time_zone: d.timeZone.trim() } : null,
    // A number as typed, so the server names what is wrong with it.
    escalate_after_s: escalate === '' ? null : Number.isFinite(Number(escalate)) ? Number(escalate) : escalate,
  };
}
