// /api/v1/rules on both storages: validation naming the bad part, CRUD with ownership, targets the
// owner may read, and the dry run over stored data.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachStorage } from '../helpers/platform.ts';
import { hotRule } from './helpers.ts';

forEachStorage('rules API', (get) => {
  let admin: string;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  before(async () => {
    const tp = get();
    admin = await tp.adminToken();
    alice = await tp.newUser('alice');
    bob = await tp.newUser('bob');
    await tp.newDevice(alice.token, { id: 'alice-thermo', name: 'Alice thermostat', device_type: 'thermostat' });
    await tp.newDevice(bob.token, { id: 'bob-thermo', name: 'Bob thermostat', device_type: 'thermostat' });
  });

  it('refuses bad rules with a message naming the part', async () => {
    const tp = get();
    const cases: Array<[Record<string, unknown>, string]> = [
      [hotRule('alice-thermo', { condition: { kind: 'compare', field: 'temperature', op: 'bigger', value: 30 } }), 'body.condition.op'],
      [hotRule('alice-thermo', { condition: { kind: 'any', conditions: [{ kind: 'range', field: 't', mode: 'inside', min: 5, max: 1 }] } }), 'body.condition.conditions.0.min'],
      [hotRule('alice-thermo', { condition: { kind: 'compare', field: 'mode', op: 'gt', value: 'eco' } }), 'body.condition.value'],
      [hotRule('alice-thermo', { severity: 'catastrophic' }), 'body.severity'],
      [hotRule('alice-thermo', { escalation: [{ after_s: 60, severity: 'minor' }] }), 'body.escalation.0.severity'],
      [hotRule('alice-thermo', { target: { kind: 'devices', device_ids: [] } }), 'body.target.device_ids'],
      [hotRule('alice-thermo', { for_s: -1 }), 'body.for_s'],
      [
        hotRule('alice-thermo', {
          condition: { kind: 'all', conditions: [{ kind: 'any', conditions: [{ kind: 'any', conditions: [{ kind: 'offline', for_s: 1 }] }] }] },
        }),
        'body.condition.conditions.0.conditions.0',
      ],
    ];
    for (const [body, path] of cases) {
      const res = await tp.api('POST', '/api/v1/rules', { token: alice.token, body });
      assert.equal(res.status, 400, `${path}: ${res.text}`);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.ok(
        res.body.error.details.issues.some((i: { field: string }) => i.field.startsWith(path)),
        `expected an issue at ${path}, got ${JSON.stringify(res.body.error.details.issues)}`,
      );
    }
  });

  it('creates, lists, reads, replaces and deletes a rule; others do not see it; admins do', async () => {
    const tp = get();
    const created = await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('alice-thermo', { for_s: 60, clear: { hysteresis: 1.5 } }) });
    assert.equal(created.status, 201, created.text);
    const rule = created.body;
    assert.equal(rule.owner_id, alice.id);
    assert.deepEqual(rule.clear, { hysteresis: 1.5, delay_s: 0 });
    assert.equal(rule.enabled, true);
    assert.deepEqual(rule.escalation, []);

    assert.deepEqual((await tp.api('GET', '/api/v1/rules', { token: alice.token })).body.rules.map((r: { id: string }) => r.id), [rule.id]);
    assert.deepEqual((await tp.api('GET', '/api/v1/rules', { token: bob.token })).body.rules, []);
    assert.ok((await tp.api('GET', '/api/v1/rules', { token: admin })).body.rules.some((r: { id: string }) => r.id === rule.id));
    assert.equal((await tp.api('GET', `/api/v1/rules/${rule.id}`, { token: bob.token })).body.error.code, 'RULE_NOT_FOUND');

    const replaced = await tp.api('PUT', `/api/v1/rules/${rule.id}`, { token: alice.token, body: hotRule('alice-thermo', { name: 'renamed', severity: 'critical' }) });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual([replaced.body.name, replaced.body.severity], ['renamed', 'critical']);
    assert.equal((await tp.api('PUT', `/api/v1/rules/${rule.id}`, { token: bob.token, body: hotRule('bob-thermo') })).status, 404);

    assert.equal((await tp.api('DELETE', `/api/v1/rules/${rule.id}`, { token: alice.token })).status, 204);
    assert.equal((await tp.api('GET', `/api/v1/rules/${rule.id}`, { token: alice.token })).status, 404);
  });

  it('only targets devices the owner may read', async () => {
    const tp = get();
    const res = await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('bob-thermo') });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'DEVICE_NOT_FOUND');
    const list = await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('x', { target: { kind: 'devices', device_ids: ['alice-thermo', 'bob-thermo'] } }) });
    assert.equal(list.status, 404);
    const byType = await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('x', { target: { kind: 'device_type', device_type: 'thermostat' } }) });
    assert.equal(byType.status, 201, 'a type target watches only the devices of that type the owner may read');
    await tp.api('DELETE', `/api/v1/rules/${byType.body.id}`, { token: alice.token });
  });

  it('documents rules and alarms in the OpenAPI document and refuses anonymous or malformed calls', async () => {
    const tp = get();
    const doc = (await tp.api('GET', '/openapi.json')).body;
    for (const p of ['/api/v1/rules', '/api/v1/rules/{id}', '/api/v1/rules/dry-run', '/api/v1/rules/{id}/dry-run', '/api/v1/alarms', '/api/v1/alarms/counts', '/api/v1/alarms/{id}', '/api/v1/alarms/{id}/ack', '/api/v1/alarms/{id}/clear', '/api/v1/alarms/{id}/comments']) {
      assert.ok(doc.paths[p], `${p} missing from /openapi.json`);
    }
    assert.match(doc.paths['/api/v1/rules'].post.summary, /raises an alarm/);
    assert.equal((await tp.api('GET', '/api/v1/rules')).status, 401);
    assert.equal((await tp.api('GET', '/api/v1/alarms')).status, 401);
    assert.equal((await tp.api('POST', '/api/v1/rules', { token: alice.token, body: '{"name":', headers: { 'content-type': 'application/json' } })).body.error.code, 'INVALID_JSON');
    assert.equal((await tp.api('GET', '/api/v1/alarms/does-not-exist', { token: alice.token })).body.error.code, 'ALARM_NOT_FOUND');
    assert.equal((await tp.api('POST', '/api/v1/alarms/does-not-exist/ack', { token: alice.token, body: {} })).body.error.code, 'ALARM_NOT_FOUND');
    assert.equal((await tp.api('POST', '/api/v1/alarms/does-not-exist/clear', { token: alice.token })).body.error.code, 'ALARM_NOT_FOUND', 'the body is optional');
    assert.equal((await tp.api('GET', '/api/v1/alarms?state=sleeping', { token: alice.token })).status, 400);
    assert.equal((await tp.api('GET', '/api/v1/alarms?from=yesterday-ish', { token: alice.token })).body.error.code, 'INVALID_TIME');
  });

  it('dry-runs a rule over stored data and says when it would have raised and cleared', async () => {
    const tp = get();
    const device = await tp.newDevice(alice.token, { id: 'alice-dry', name: 'Dry run' });
    const now = Date.now();
    const at = (minutesAgo: number) => now - minutesAgo * 60_000;
    const readings = [
      [50, 20],
      [40, 35],
      [30, 36],
      [20, 25],
      [10, 24],
    ].map(([ago, t]) => ({ data: { temperature: t }, timestamp: at(ago!) }));
    assert.equal((await tp.api('POST', '/api/v1/telemetry', { apiKey: device.api_key, body: readings })).status, 201);

    const res = await tp.api('POST', '/api/v1/rules/dry-run', { token: alice.token, body: { rule: hotRule('alice-dry', { for_s: 300 }), hours: 1 } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.devices.length, 1);
    const d = res.body.devices[0];
    assert.equal(d.points, 5);
    assert.deepEqual(
      d.transitions.map((t: { event: string; at: string; severity: string }) => [t.event, Math.round((now - Date.parse(t.at)) / 60_000), t.severity]),
      [
        ['raised', 35, 'major'],
        ['cleared', 20, 'major'],
      ],
    );

    const saved = await tp.api('POST', '/api/v1/rules', { token: alice.token, body: hotRule('alice-dry', { for_s: 3600 }) });
    const again = await tp.api('POST', `/api/v1/rules/${saved.body.id}/dry-run?hours=1`, { token: alice.token });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body.devices[0].transitions, [], 'held 10 minutes, not an hour');
    assert.equal((await tp.api('POST', '/api/v1/rules/dry-run', { token: bob.token, body: { rule: hotRule('alice-dry') } })).status, 404);
    await tp.api('DELETE', `/api/v1/rules/${saved.body.id}`, { token: alice.token });
  });
});
