// Alarms on both storages, end to end: a device posts telemetry over HTTP, the engine raises and
// clears; people list, count, acknowledge, clear and comment; sharing decides who sees and who acts;
// raising is idempotent under concurrency; the live stream carries alarm events.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import { forEachStorage } from '../helpers/platform.ts';
import { TestSocket } from '../helpers/stream-socket.ts';
import { alarmsOf, eventually, hotRule, send } from './helpers.ts';

forEachStorage(
  'alarms',
  (get) => {
    let alice: { token: string; id: string };
    let bob: { token: string; id: string };
    let key: string;
    before(async () => {
      const tp = get();
      alice = await tp.newUser('alice');
      bob = await tp.newUser('bob');
      key = (await tp.newDevice(alice.token, { id: 'boiler', name: 'Boiler', device_type: 'thermostat', metadata: { max_temperature: 80 } })).api_key;
    });

    it('raises when telemetry crosses the limit and clears when it is back, with history', async () => {
      const tp = get();
      const rule = (await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('boiler') })).body;
      await send(tp, key, { temperature: 25 });
      await send(tp, key, { temperature: 31.5 });
      const raised = await eventually('alarm raised', async () => (await alarmsOf(tp, alice.token, 'boiler', `&rule_id=${rule.id}`)).find((a) => a.state === 'active'));
      assert.equal(raised.severity, 'major');
      assert.equal(raised.rule_name, 'too hot: boiler');
      assert.deepEqual(raised.details.values, { temperature: 31.5 });
      const counts = (await tp.api('GET', '/api/v1/alarms/counts', { token: alice.token })).body;
      assert.equal(counts.open.major, 1);
      assert.equal(counts.total, 1);

      await send(tp, key, { temperature: 22 });
      const cleared = await eventually('alarm cleared', async () => {
        const a = (await tp.api('GET', `/api/v1/alarms/${raised.id}`, { token: alice.token })).body;
        return a.state === 'cleared' && a;
      });
      assert.equal(cleared.cleared_by, null, 'cleared by its rule');
      assert.deepEqual(cleared.events.map((e: { kind: string; user_id: string | null }) => [e.kind, e.user_id]), [
        ['raised', null],
        ['cleared', null],
      ]);
      assert.equal((await tp.api('GET', '/api/v1/alarms/counts', { token: alice.token })).body.total, 0);
      assert.equal((await tp.api('GET', `/api/v1/alarms?state=cleared&rule_id=${rule.id}`, { token: alice.token })).body.total, 1);
      await tp.api('DELETE', `/api/v1/rules/${rule.id}`, { token: alice.token });
    });

    it('acknowledge, comment and clear by hand are recorded; read-only sharing sees but cannot act', async () => {
      const tp = get();
      const rule = (await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('boiler', { condition: { kind: 'compare', field: 'pressure', op: 'gte', value: { from: 'metadata', key: 'max_pressure', default: 3 } } }) })).body;
      await send(tp, key, { pressure: 3.2 });
      const alarm = (await eventually('pressure alarm', async () => (await alarmsOf(tp, alice.token, 'boiler', '&state=open'))[0]));
      assert.equal(alarm.rule_id, rule.id);

      assert.equal((await tp.api('GET', `/api/v1/alarms/${alarm.id}`, { token: bob.token })).body.error.code, 'ALARM_NOT_FOUND', 'not shared: not seen');
      assert.deepEqual(await alarmsOf(tp, bob.token, 'boiler'), []);
      assert.equal((await tp.api('POST', '/api/v1/devices/boiler/access', { token: alice.token, body: { user_id: bob.id, level: 'read' } })).status, 201);
      assert.deepEqual((await alarmsOf(tp, bob.token, 'boiler', '&state=open')).map((a) => a.id), [alarm.id]);
      assert.equal((await tp.api('GET', '/api/v1/alarms/counts', { token: bob.token })).body.total, 1);
      const refused = await tp.api('POST', `/api/v1/alarms/${alarm.id}/ack`, { token: bob.token, body: {} });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'FORBIDDEN');
      assert.equal((await tp.api('POST', `/api/v1/alarms/${alarm.id}/clear`, { token: bob.token, body: {} })).status, 403);
      assert.equal((await tp.api('POST', `/api/v1/alarms/${alarm.id}/comments`, { token: bob.token, body: { comment: 'seen it' } })).status, 201);

      const acked = await tp.api('POST', `/api/v1/alarms/${alarm.id}/ack`, { token: alice.token, body: { comment: 'on my way' } });
      assert.equal(acked.status, 200, acked.text);
      assert.equal(acked.body.state, 'acknowledged');
      assert.equal(acked.body.acknowledged_by, alice.id);
      const again = await tp.api('POST', `/api/v1/alarms/${alarm.id}/ack`, { token: alice.token, body: {} });
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'ALARM_STATE_CONFLICT');
      assert.equal((await tp.api('POST', `/api/v1/alarms/${alarm.id}/comments`, { token: alice.token, body: { comment: '' } })).status, 400);

      const cleared = await tp.api('POST', `/api/v1/alarms/${alarm.id}/clear`, { token: alice.token, body: { comment: 'valve replaced' } });
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal(cleared.body.cleared_by, alice.id);
      assert.deepEqual(
        cleared.body.events.map((e: { kind: string; user_id: string | null; comment: string | null }) => [e.kind, e.user_id, e.comment]),
        [
          ['raised', null, null],
          ['comment', bob.id, 'seen it'],
          ['acknowledged', alice.id, 'on my way'],
          ['cleared', alice.id, 'valve replaced'],
        ],
      );
      assert.equal((await tp.api('POST', `/api/v1/alarms/${alarm.id}/clear`, { token: alice.token, body: {} })).status, 409);

      // Cleared by hand while the pressure is still high: not raised again until it has come down once.
      await send(tp, key, { pressure: 3.5 });
      await tp.platform.ruleEngine.settled();
      tp.platform.ruleEngine.tick();
      await tp.platform.ruleEngine.settled();
      assert.deepEqual(await alarmsOf(tp, alice.token, 'boiler', '&state=open'), []);
      await send(tp, key, { pressure: 1 });
      await send(tp, key, { pressure: 4 });
      await eventually('raised again after the condition cleared once', async () => (await alarmsOf(tp, alice.token, 'boiler', '&state=open'))[0]);
      await tp.api('DELETE', `/api/v1/rules/${rule.id}`, { token: alice.token });
      assert.deepEqual(await alarmsOf(tp, alice.token, 'boiler', '&state=open'), [], 'deleting a rule clears its alarms');
      await tp.api('DELETE', `/api/v1/devices/boiler/access/${bob.id}`, { token: alice.token });
    });

    it('filters the list by severity, state, device type and time', async () => {
      const tp = get();
      const rule = (await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('boiler', { severity: 'minor' }) })).body;
      await send(tp, key, { temperature: 40 });
      const alarm = await eventually('minor alarm', async () => (await alarmsOf(tp, alice.token, 'boiler', '&state=active&severity=minor'))[0]);
      const ids = async (query: string) => (await tp.api('GET', `/api/v1/alarms?${query}`, { token: alice.token })).body.alarms.map((a: { id: string }) => a.id);
      assert.deepEqual(await ids('device_type=thermostat&state=open'), [alarm.id]);
      assert.deepEqual(await ids('device_type=meter&state=open'), []);
      assert.deepEqual(await ids('severity=critical,major&state=open'), []);
      assert.deepEqual(await ids('from=-1h&state=open'), [alarm.id]);
      assert.deepEqual(await ids(`to=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&state=open`), []);
      const bad = await tp.api('GET', '/api/v1/alarms?severity=awful', { token: alice.token });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /severity/);
      await send(tp, key, { temperature: 20 });
      await tp.api('DELETE', `/api/v1/rules/${rule.id}`, { token: alice.token });
    });

    it('raises no-data alarms on the timer and escalates severity while open', async () => {
      const tp = get();
      const quiet = await tp.newDevice(alice.token, { id: 'quiet', name: 'Quiet' });
      await send(tp, quiet.api_key, { level: 1 });
      const rule = (
        await tp.api('POST', '/api/v1/rules', {
          token: alice.token,
          body: { name: 'silent', target: { kind: 'device', device_id: 'quiet' }, condition: { kind: 'no_data', for_s: 1 }, severity: 'info', escalation: [{ after_s: 1, severity: 'critical' }] },
        })
      ).body;
      const alarm = await eventually('escalated no-data alarm', async () => {
        const [a] = await alarmsOf(tp, alice.token, 'quiet', '&state=open');
        return a?.severity === 'critical' && a;
      });
      const history = (await tp.api('GET', `/api/v1/alarms/${alarm.id}`, { token: alice.token })).body.events;
      assert.deepEqual(history.map((e: { kind: string; details: Record<string, unknown> }) => [e.kind, e.details]), [
        ['raised', { severity: 'info' }],
        ['severity_changed', { from: 'info', to: 'critical' }],
      ]);
      await send(tp, quiet.api_key, { level: 2 });
      await eventually('cleared by new data', async () => (await alarmsOf(tp, alice.token, 'quiet', '&state=cleared'))[0]);
      await tp.api('DELETE', `/api/v1/rules/${rule.id}`, { token: alice.token });
    });

    it('a device-type rule reads each device\'s own limit, follows new devices and raises offline alarms', async () => {
      const tp = get();
      const small = await tp.newDevice(alice.token, { id: 'plug-small', name: 'Small plug', device_type: 'plug', metadata: { max_power: 100 } });
      const rule = (
        await tp.api('POST', '/api/v1/rules', {
          token: alice.token,
          body: {
            name: 'over its limit',
            target: { kind: 'device_type', device_type: 'plug' },
            condition: { kind: 'any', conditions: [{ kind: 'compare', field: 'power', op: 'gt', value: { from: 'metadata', key: 'max_power' } }, { kind: 'offline', for_s: 1 }] },
            clear: { condition: { kind: 'compare', field: 'power', op: 'lt', value: 50 } },
          },
        })
      ).body;
      // Created after the rule: picked up on its first points.
      const big = await tp.newDevice(alice.token, { id: 'plug-big', name: 'Big plug', device_type: 'plug', metadata: { max_power: 3000 } });
      await send(tp, small.api_key, { power: 150 });
      await send(tp, big.api_key, { power: 150 });
      await send(tp, big.api_key, { power: 3100 });
      await eventually('both plugs over their own limits', async () => {
        const open = await tp.api('GET', `/api/v1/alarms?rule_id=${rule.id}&state=open`, { token: alice.token });
        return open.body.total === 2 && open.body.alarms;
      });
      await send(tp, small.api_key, { power: 10 });
      await send(tp, big.api_key, { power: 10 });
      await eventually('both cleared', async () => (await tp.api('GET', `/api/v1/alarms?rule_id=${rule.id}&state=cleared`, { token: alice.token })).body.total === 2);
      // OFFLINE_AFTER is 1 s here: silent plugs go offline and raise again (the offline branch of any).
      await eventually('raised again as offline', async () => (await tp.api('GET', `/api/v1/alarms?rule_id=${rule.id}&state=open`, { token: alice.token })).body.total === 2);
      await tp.api('DELETE', `/api/v1/rules/${rule.id}`, { token: alice.token });
    });

    it('deleting a user takes their rules, and the platform clears those rules\' open alarms', async () => {
      const tp = get();
      const admin = await tp.adminToken();
      const carol = await tp.newUser('carol');
      assert.equal((await tp.api('POST', '/api/v1/devices/boiler/access', { token: alice.token, body: { user_id: carol.id, level: 'read' } })).status, 201);
      const rule = (await tp.api('POST', '/api/v1/rules', { token: carol.token, body: hotRule('boiler', { name: 'carol watches' }) })).body;
      await send(tp, key, { temperature: 70 });
      const alarm = await eventually('carol\'s alarm', async () => (await alarmsOf(tp, alice.token, 'boiler', `&rule_id=${rule.id}&state=open`))[0]);
      assert.equal((await tp.api('DELETE', `/api/v1/users/${carol.id}`, { token: admin })).status, 200);
      const cleared = await eventually('cleared with its rule gone', async () => {
        const a = (await tp.api('GET', `/api/v1/alarms/${alarm.id}`, { token: alice.token })).body;
        return a.state === 'cleared' && a;
      });
      assert.equal(cleared.cleared_by, null);
      assert.equal(cleared.events.at(-1).comment, 'rule deleted');
      await send(tp, key, { temperature: 20 });
    });

    it('raising concurrently leaves exactly one open alarm per (rule, device)', async () => {
      const tp = get();
      const rule = (await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('boiler', { enabled: false }) })).body;
      const raise = () => tp.platform.storage.raiseAlarm({ id: randomUUID(), ruleId: rule.id, ruleName: rule.name, deviceId: 'boiler', severity: 'major', raisedAt: Date.now(), details: {} });
      const results = await Promise.all([raise(), raise(), raise(), raise(), raise()]);
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.alarm.id)).size, 1);
      const open = await alarmsOf(tp, alice.token, 'boiler', `&rule_id=${rule.id}&state=open`);
      assert.equal(open.length, 1);
      const events = (await tp.api('GET', `/api/v1/alarms/${open[0].id}`, { token: alice.token })).body.events;
      assert.deepEqual(events.map((e: { kind: string }) => e.kind), ['raised']);
      // Once cleared, a new alarm may open for the same pair.
      assert.equal((await tp.api('POST', `/api/v1/alarms/${open[0].id}/clear`, { token: alice.token, body: {} })).status, 200);
      assert.equal((await raise()).created, true);
      await tp.api('DELETE', `/api/v1/rules/${rule.id}`, { token: alice.token });
    });

    it('sends alarm events to WebSocket subscribers of the device', async () => {
      const tp = get();
      const s = new TestSocket(`${tp.baseUrl.replace('http', 'ws')}/api/v1/stream?token=${alice.token}`);
      await s.opened();
      assert.equal((await s.next()).type, 'ready');
      s.send({ type: 'subscribe', device_ids: ['boiler'] });
      assert.equal((await s.next()).type, 'subscribed');
      const rule = (await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('boiler', { name: 'live' }) })).body;
      await send(tp, key, { temperature: 99 });
      let msg = await s.next();
      while (msg.type !== 'alarm') msg = await s.next();
      assert.equal(msg.device_id, 'boiler');
      assert.equal(msg.rule_id, rule.id);
      assert.deepEqual([msg.event, msg.state, msg.severity, msg.rule_name, msg.user_id], ['raised', 'active', 'major', 'live', null]);
      await tp.api('POST', `/api/v1/alarms/${msg.alarm_id}/ack`, { token: alice.token, body: {} });
      msg = await s.next();
      while (msg.type !== 'alarm') msg = await s.next();
      assert.deepEqual([msg.event, msg.state, msg.user_id], ['acknowledged', 'acknowledged', alice.id]);
      s.close();
      await send(tp, key, { temperature: 20 });
      await tp.api('DELETE', `/api/v1/rules/${rule.id}`, { token: alice.token });
    });
  },
  { RULES_TICK_MS: '100', OFFLINE_AFTER: '1' },
);
