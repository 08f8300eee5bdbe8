import { describe, expect, it } from 'vitest';
import { draftOfPreferences, preferencesBody } from './preferences-draft.ts';

const saved = {
  severities: ['major', 'critical'],
  channels: { webhook: { url: 'https://hooks.example.com/x', secret_set: true }, mqtt: true },
  device_ids: ['a', 'b'],
  device_types: [],
  quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin' },
  escalate_after_s: 600,
} as const;

describe('notification preferences form', () => {
  it('round-trips saved preferences, keeping the secret unsaid', () => {
    const draft = draftOfPreferences({ ...saved, severities: [...saved.severities], device_ids: [...saved.device_ids], device_types: [] });
    expect(draft).toMatchObject({ webhookUrl: 'https://hooks.example.com/x', webhookSecret: '', secretSet: true, deviceIds: 'a, b', escalateAfterS: '600' });
    expect(preferencesBody(draft)).toEqual({
      severities: ['major', 'critical'],
      channels: { webhook: { url: 'https://hooks.example.com/x' }, mqtt: true },
      device_ids: ['a', 'b'],
      device_types: [],
      quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin' },
      escalate_after_s: 600,
    });
  });

  it('leaves out empty channels and quiet hours, and sends a bad number as typed', () => {
    const draft = draftOfPreferences({ ...saved, severities: ['critical'], channels: {}, device_ids: [], device_types: [], quiet_hours: null, escalate_after_s: null });
    const body = preferencesBody({ ...draft, escalateAfterS: 'soon', email: ' me@example.com ' });
    expect(body.channels).toEqual({ email: { address: 'me@example.com' }, mqtt: false });
    expect(body.quiet_hours).toBeNull();
    expect(body.escalate_after_s).toBe('soon');
  });
});
