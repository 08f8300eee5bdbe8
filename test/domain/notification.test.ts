// Preference matching: severities, device and type filters, quiet hours in the user's time zone
// (including windows that wrap midnight and daylight saving), and the retry backoff.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type NotificationPreferences, inQuietHours, retryDelay, wantsNotification } from '../../src/domain/notification.ts';

const at = (iso: string) => Date.parse(iso);

describe('quiet hours', () => {
  it('a window inside one day, start inclusive and end exclusive', () => {
    const q = { start: '12:00', end: '13:30', timeZone: 'UTC' };
    assert.equal(inQuietHours(q, at('2026-03-01T11:59:00Z')), false);
    assert.equal(inQuietHours(q, at('2026-03-01T12:00:00Z')), true);
    assert.equal(inQuietHours(q, at('2026-03-01T13:29:00Z')), true);
    assert.equal(inQuietHours(q, at('2026-03-01T13:30:00Z')), false);
  });

  it('a window that wraps midnight, in the user time zone (winter and summer time)', () => {
    const q = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };
    assert.equal(inQuietHours(q, at('2026-01-10T20:59:00Z')), false, '21:59 in Berlin (UTC+1)');
    assert.equal(inQuietHours(q, at('2026-01-10T21:00:00Z')), true, '22:00 in Berlin');
    assert.equal(inQuietHours(q, at('2026-01-11T05:59:00Z')), true, '06:59 in Berlin');
    assert.equal(inQuietHours(q, at('2026-01-11T06:00:00Z')), false, '07:00 in Berlin');
    assert.equal(inQuietHours(q, at('2026-07-10T20:30:00Z')), true, '22:30 in Berlin (UTC+2)');
    assert.equal(inQuietHours(q, at('2026-07-11T05:30:00Z')), false, '07:30 in Berlin (UTC+2)');
  });

  it('an empty window (start = end) is never quiet', () => {
    assert.equal(inQuietHours({ start: '08:00', end: '08:00', timeZone: 'UTC' }, at('2026-03-01T08:00:00Z')), false);
  });
});

describe('wantsNotification', () => {
  const base: NotificationPreferences = { severities: ['major', 'critical'], channels: { mqtt: true } };
  const alarm = { deviceId: 'plug-1', severity: 'major' as const };
  const noon = at('2026-03-01T12:00:00Z');

  it('filters by severity, device ids and device types', () => {
    assert.equal(wantsNotification(base, alarm, 'plug', noon), true);
    assert.equal(wantsNotification(base, { ...alarm, severity: 'minor' }, 'plug', noon), false);
    assert.equal(wantsNotification({ ...base, deviceIds: ['plug-2'] }, alarm, 'plug', noon), false);
    assert.equal(wantsNotification({ ...base, deviceIds: ['plug-1'] }, alarm, 'plug', noon), true);
    assert.equal(wantsNotification({ ...base, deviceTypes: ['thermostat'] }, alarm, 'plug', noon), false);
    assert.equal(wantsNotification({ ...base, deviceIds: [], deviceTypes: [] }, alarm, 'plug', noon), true);
  });

  it('is silent in quiet hours', () => {
    assert.equal(wantsNotification({ ...base, quietHours: { start: '11:00', end: '13:00', timeZone: 'UTC' } }, alarm, 'plug', noon), false);
    assert.equal(wantsNotification({ ...base, quietHours: { start: '13:00', end: '14:00', timeZone: 'UTC' } }, alarm, 'plug', noon), true);
  });
});

it('retries back off exponentially from the base delay', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelay(n, 1000)), [1000, 2000, 4000, 8000, 16000]);
});
