// The dashboard's stream client and alarms, against a real platform: it knows when the server has
// confirmed following a device (the Alarms page says so before anything can be missed), and hands
// every alarm change of a followed device to its alarm listeners (the nav badge) as well as to the
// device's followers; subscribed to alarms, it gets the changes of every device the user may read,
// followed or not, and none of the others.
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

  test('subscribed to alarms: the changes of every readable device, followed or not, and of no other', async () => {
    p ??= await startPlatform();
    const platform = p;
    const account = async (username: string) => {
      const body = { username, password: `${username}-password-1` };
      assert.equal((await platform.api('POST', '/api/v1/auth/register', { body })).status, 201);
      const token = await platform.login(username, body.password);
      const id = (await platform.api('GET', '/api/v1/auth/me', { token })).body.id as string;
      return { token, id };
    };
    const erin = await account('erin');
    const frank = await account('frank');
    /** A device of `owner` with a "hot" rule; returns its key. */
    const hotDevice = async (owner: string, id: string) => {
      const created = await platform.api('POST', '/api/v1/devices', { token: owner, body: { id, name: id, device_type: 'thermostat' } });
      assert.equal(created.status, 201);
      const rule = await platform.api('POST', '/api/v1/rules', {
        token: owner,
        body: { name: `Hot ${id}`, target: { kind: 'device', device_id: id }, condition: { kind: 'compare', field: 'temperature', op: 'gt', value: 30 }, severity: 'major' },
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      return created.body.api_key as string;
    };
    const heat = async (apiKey: string) => assert.equal((await platform.api('POST', '/api/v1/telemetry', { apiKey, body: { temperature: 35 } })).status, 201);
    const openAlarmOf = async (token: string, deviceId: string) => {
      for (let i = 0; i < 500; i++) {
        const alarms = (await platform.api('GET', `/api/v1/alarms?device_id=${deviceId}`, { token })).body.alarms as Array<{ id: string; state: string }>;
        const open = alarms.find((a) => a.state === 'active');
        if (open) return open.id;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no alarm raised on ${deviceId}`);
    };

    const erinKey = await hotDevice(erin.token, 'erin-boiler');
    const frankKey = await hotDevice(frank.token, 'frank-boiler');
    assert.equal((await platform.api('POST', '/api/v1/devices/frank-boiler/access', { token: frank.token, body: { user_id: erin.id, level: 'read' } })).status, 201);

    const s = new LiveStream({ url: `ws://127.0.0.1:${platform.port}/api/v1/stream`, token: async () => erin.token, WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket });
    const got: AlarmMessage[] = [];
    s.onAlarm((m) => got.push(m));
    const confirmed = new Promise<void>((resolve) => s.onConfirmed(() => s.isFollowingAlarms() && resolve()));
    s.followAlarms();
    s.start();
    try {
      await confirmed;
      const until = async (what: string, ok: () => boolean) => {
        for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(ok(), what);
      };

      // Her own device and a device shared with her: she follows neither, and hears of both.
      await heat(erinKey);
      await until('the alarm of her own device', () => got.some((m) => m.device_id === 'erin-boiler' && m.event === 'raised'));
      await heat(frankKey);
      await until('the alarm of the shared device', () => got.some((m) => m.device_id === 'frank-boiler' && m.event === 'raised'));
      const frankAlarm = await openAlarmOf(frank.token, 'frank-boiler');

      // Unshared: Frank clearing his alarm is not for her. Then a change of a device of hers not seen
      // before (checked in turn after Frank's) shows the stream has passed that point.
      assert.equal((await platform.api('DELETE', `/api/v1/devices/frank-boiler/access/${erin.id}`, { token: frank.token })).status, 204);
      assert.equal((await platform.api('POST', `/api/v1/alarms/${frankAlarm}/clear`, { token: frank.token, body: {} })).status, 200);
      const laterKey = await hotDevice(erin.token, 'erin-kiln');
      await heat(laterKey);
      await until('the alarm of her second device', () => got.some((m) => m.device_id === 'erin-kiln'));
      assert.deepEqual(
        got.map((m) => [m.device_id, m.event]),
        [
          ['erin-boiler', 'raised'],
          ['frank-boiler', 'raised'],
          ['erin-kiln', 'raised'],
        ],
      );
      // Each change once, though the alarm listeners and a follower of the device would both hear it.
      assert.equal(new Set(got.map((m) => `${m.alarm_id}/${m.event}`)).size, got.length);
    } finally {
      s.stop();
    }
  });
});
