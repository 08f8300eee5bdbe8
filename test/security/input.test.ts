// Hostile input: SQL-injection strings in names and query parameters, oversized and deeply nested
// bodies, unicode and control characters in names. Each gets the right 4xx (or is stored as the
// literal text it is) and nothing else is read or changed.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { onBothBackends } from '../accounts/backends.ts';

const INJECTIONS = [
  "' OR '1'='1",
  "x'; DROP TABLE devices; --",
  '" OR ""="',
  "%' OR 1=1 --",
  "1; SELECT * FROM users",
  "') UNION SELECT id, password_hash FROM users --",
  '_%\\',
];

onBothBackends(
  'hostile input',
  (p) => {
    it('stores injection strings in names literally and finds nothing of others with them', async () => {
      const victim = await p().user();
      await p().device(victim, { name: 'victim device', location: 'victim-loc' });
      const u = await p().user();
      const own: string[] = [];
      for (const text of INJECTIONS) {
        const res = await p().request('POST', '/api/v1/devices', { token: u.token, body: { name: text, description: text, location: text, device_type: text } });
        assert.strictEqual(res.status, 201, text);
        own.push(res.body.id);
        const read = await p().request('GET', `/api/v1/devices/${res.body.id}`, { token: u.token });
        assert.deepStrictEqual([read.body.name, read.body.description, read.body.location, read.body.device_type], [text, text, text, text]);
      }
      for (const text of INJECTIONS) {
        const q = encodeURIComponent(text);
        for (const url of [`/api/v1/devices?q=${q}`, `/api/v1/devices?search=${q}`, `/api/v1/devices?device_type=${q}`, `/api/v1/devices?location=${q}`]) {
          const res = await p().request('GET', url, { token: u.token });
          assert.strictEqual(res.status, 200, url);
          assert.ok(res.body.devices.length >= 1 && res.body.devices.length <= INJECTIONS.length, `${url}: ${res.body.devices.length}`);
          assert.doesNotMatch(res.text, /victim/);
        }
        // As path and query values elsewhere they are just ids that cannot be and bad values.
        const byId = await p().request('GET', `/api/v1/devices/${q}`, { token: u.token });
        assert.deepStrictEqual([byId.status, byId.body.error.code, byId.body.error.details.issues[0].field], [400, 'VALIDATION_FAILED', 'params.id'], `GET /devices/${text}`);
        const hist = await p().request('GET', `/api/v1/telemetry/${own[0]}?start_time=${q}`, { token: u.token });
        assert.deepStrictEqual([hist.status, hist.body.error.code], [400, 'INVALID_TIME'], `start_time=${text}`);
        assert.match(hist.body.error.message, /^start_time: /);
        const login = await p().request('POST', '/api/v1/auth/login', { body: { username: text, password: text } });
        assert.deepStrictEqual([login.status, login.body.error.code], [401, 'INVALID_CREDENTIALS'], `login as ${text}`);
      }
      const admin = await p().admin();
      for (const text of INJECTIONS) {
        const users = await p().request('GET', `/api/v1/users?q=${encodeURIComponent(text)}`, { token: admin.token });
        assert.deepStrictEqual([users.status, users.body.total], [200, 0], text);
        const audit = await p().request('GET', `/api/v1/admin/audit?action=${encodeURIComponent(text)}&target_id=${encodeURIComponent(text)}`, { token: admin.token });
        assert.deepStrictEqual([audit.status, audit.body.entries], [200, []], text);
      }
      // Registration names are restricted to a safe alphabet.
      const reg = await p().request('POST', '/api/v1/auth/register', { body: { username: "admin'--", password: 'long-enough-pw' } });
      assert.deepStrictEqual([reg.status, reg.body.error.code], [400, 'VALIDATION_FAILED']);
      const all = await p().request('GET', '/api/v1/devices?limit=1000', { token: admin.token });
      assert.strictEqual(all.body.total, INJECTIONS.length + 1, 'every table is still there and whole');
    });

    it('refuses oversized and deeply nested bodies with 413 and 400, and survives them', async () => {
      const u = await p().user();
      const big = await p().request('POST', '/api/v1/devices', { token: u.token, raw: JSON.stringify({ name: 'x', description: 'y'.repeat(70_000) }) });
      assert.deepStrictEqual([big.status, big.body.error.code], [413, 'PAYLOAD_TOO_LARGE']);
      const d = await p().device(u);
      const bigTelemetry = await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, raw: JSON.stringify({ data: { s: 'z'.repeat(70_000) } }) });
      assert.deepStrictEqual([bigTelemetry.status, bigTelemetry.body.error.code], [413, 'PAYLOAD_TOO_LARGE']);

      for (const [open, close] of [['{"a":', '}'], ['[', ']']] as const) {
        const deep = open.repeat(10_000) + '1' + close.repeat(10_000);
        const device = await p().request('POST', '/api/v1/devices', { token: u.token, raw: `{"name":"deep","metadata":${deep}}` });
        assert.deepStrictEqual([device.status, device.body.error.code, device.body.error.details], [400, 'VALIDATION_FAILED', { field: 'body', max_depth: 64 }]);
        const telemetry = await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, raw: `{"data":{"x":${deep}}}` });
        assert.deepStrictEqual([telemetry.status, telemetry.body.error.code], [400, 'VALIDATION_FAILED']);
      }
      // Nesting within the limit is fine, and brackets inside strings do not count.
      const ok = await p().request('POST', '/api/v1/devices', { token: u.token, raw: `{"name":"[[[[{{{{","metadata":${'{"a":'.repeat(30)}1${'}'.repeat(30)}}` });
      assert.strictEqual(ok.status, 201);
      assert.strictEqual(ok.body.name, '[[[[{{{{');
      const proto = await p().request('POST', '/api/v1/devices', { token: u.token, raw: '{"name":"p","metadata":{"__proto__":{"admin":true}}}' });
      assert.strictEqual(proto.status, 400);
      assert.strictEqual((await p().request('GET', '/api/v1/auth/me', { token: u.token })).status, 200, 'the server is still up');
    });

    it('keeps unicode names exactly and refuses control and bidi-override characters naming the field', async () => {
      const u = await p().user();
      for (const name of ['Küche Thermostat', '温度传感器', 'חיישן', '🌡️ living room', 'Z\u0301oë', 'a'.repeat(200)]) {
        const res = await p().request('POST', '/api/v1/devices', { token: u.token, body: { name } });
        assert.deepStrictEqual([res.status, res.body.name], [201, name]);
        const found = await p().request('GET', `/api/v1/devices?q=${encodeURIComponent(name.slice(0, 4))}`, { token: u.token });
        assert.ok(found.body.devices.some((x: { name: string }) => x.name === name), name);
      }
      for (const [label, name] of [
        ['NUL', 'bad\u0000name'],
        ['escape', 'bad\u001b[31mname'],
        ['newline', 'bad\nname'],
        ['bidi override', 'bad\u202ename'],
        ['DEL', 'bad\u007fname'],
      ]) {
        const res = await p().request('POST', '/api/v1/devices', { token: u.token, body: { name } });
        assert.deepStrictEqual([res.status, res.body.error.code], [400, 'VALIDATION_FAILED'], label);
        assert.match(res.body.error.message, /^body\.name: /, label);
        const user = await p().request('PATCH', '/api/v1/users/me', { token: u.token, body: { username: `x${name}` } });
        assert.deepStrictEqual([user.status, user.body.error.code], [400, 'VALIDATION_FAILED'], `username with ${label}`);
      }
      const tooLong = await p().request('POST', '/api/v1/devices', { token: u.token, body: { name: 'a'.repeat(201) } });
      assert.deepStrictEqual([tooLong.status, tooLong.body.error.code], [400, 'VALIDATION_FAILED']);
    });
  },
  { BODY_LIMIT_BYTES: '65536' },
);
