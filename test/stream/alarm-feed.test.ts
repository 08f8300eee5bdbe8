// The dashboard's stream client and alarms, against a real platform: it knows when the server has
// confirmed following a device (the Alarms page says so before anything can be missed), and hands
// every alarm change of a followed device to its alarm listeners (the nav badge) as well as to the
// device's followers.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { StreamServerMessage } from '../../src/contract/stream.ts';
import { LiveStream } from '../../web/src/api/stream.ts';
import { type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';

type AlarmMessage = Extract<StreamServerMessage, { type: 'alarm' }>;

describe('dashboard stream client and alarms', () => {
  let p: RunningPlatform | undefined;
  let stream: LiveStream | undefined;
  after(async () => {
    stream?.stop();
    await p?.stop();
  });

  test('confirms followed devices and passes alarm changes to alarm listeners and followers', async () => {
    p = await startPlatform();
    const user = { username: 'carol', password: 'carol-password-1' };
    assert.equal((await p.api('POST', '/api/v1/auth/register', { body: user })).status, 201);
    const token = await p.login(user.username, user.password);
    const created = await p.api('POST', '/api/v1/devices', { token, body: { id: 'feed-thermo', name: 'Feed', device_type: 'thermostat' } });
    assert.equal(created.status, 201);
    const rule = await p.api('POST', '/api/v1/rules', {
      token,
      body: { name: 'Hot', target: { kind: 'device', device_id: 'feed-thermo' }, condition: { kind: 'compare', field: 'temperature', op: 'gt', value: 30 }, severity: 'critical' },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));

    const s = new LiveStream({ url: `ws://127.0.0.1:${p.port}/api/v1/stream`, token: async () => token, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
    stream = s;
    const fromAlarmListener: AlarmMessage[] = [];
    const fromFollower: StreamServerMessage[] = [];
    s.onAlarm((m) => fromAlarmListener.push(m));
    const confirmed = new Promise<void>((resolve) => s.onConfirmed(() => s.isConfirmed('feed-thermo') && resolve()));
    const unfollow = s.follow('feed-thermo', (m) => fromFollower.push(m));
    assert.equal(s.isConfirmed('feed-thermo'), false);
    s.start();
    await confirmed;
    assert.equal(s.isConfirmed('other-device'), false);

    const raised = new Promise<void>((resolve) => s.onAlarm((m) => m.event === 'raised' && resolve()));
    assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: created.body.api_key as string, body: { temperature: 31 } })).status, 201);
    await raised;
    assert.deepEqual(
      fromAlarmListener.map((m) => [m.device_id, m.rule_name, m.event, m.severity, m.state]),
      [['feed-thermo', 'Hot', 'raised', 'critical', 'active']],
    );
    assert.deepEqual(
      fromFollower.filter((m) => m.type === 'alarm').map((m) => (m as AlarmMessage).alarm_id),
      fromAlarmListener.map((m) => m.alarm_id),
    );

    unfollow();
    assert.equal(s.isConfirmed('feed-thermo'), false);
  });
});
