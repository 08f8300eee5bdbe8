// Hostile uploads, ranges and text: malformed multipart bodies, two files in one upload, a range no
// Date can hold, and one text policy (no lone surrogates, control or bidi-override characters) on
// HTTP, MQTT and WebSocket alike. Each case checks the exact refusal, that nothing was stored, and
// that the server still answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { metricValue } from '../helpers/metric.ts';
import { connectMqtt } from '../helpers/mqtt.ts';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('hostile uploads and text', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  let dev: { id: string; apiKey: string };
  const admin = () => ({ authorization: `Bearer ${tp.adminToken}` });
  const raw = async (method: string, path: string, body: Buffer | string, headers: Record<string, string>) => {
    const res = await fetch(tp.url + path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const images = async () => (await tp.request('GET', `/api/v1/devices/${dev.id}/images`, undefined, admin())).body.total as number;
  const logs = async () => (await tp.request('GET', `/api/v1/devices/${dev.id}/logs?start_time=0`, undefined, admin())).body.logs as Array<{ message: string }>;

  before(async () => {
    tp = await startTestPlatform();
    dev = await tp.createDevice('hostile-text');
  });
  after(async () => {
    await tp.stop();
  });

  test('multipart without a boundary, cut off mid-body, or with two files: 400 naming the problem, nothing stored', async () => {
    const url = `/api/v1/devices/${dev.id}/images`;
    const noBoundary = await raw('POST', url, 'whatever', { ...admin(), 'content-type': 'multipart/form-data' });
    assert.deepEqual([noBoundary.status, noBoundary.body.error.code], [400, 'VALIDATION_FAILED']);
    assert.match(noBoundary.body.error.message, /multipart body is malformed: .*[Bb]oundary/);

    const head = Buffer.from('--XYZ\r\ncontent-disposition: form-data; name="file"; filename="a.png"\r\ncontent-type: image/png\r\n\r\n');
    const truncated = await raw('POST', url, Buffer.concat([head, PNG]), { ...admin(), 'content-type': 'multipart/form-data; boundary=XYZ' });
    assert.deepEqual([truncated.status, truncated.body.error.code], [400, 'VALIDATION_FAILED']);
    assert.match(truncated.body.error.message, /multipart body is malformed/);

    const two = new FormData();
    two.append('file', new Blob([PNG], { type: 'image/png' }), 'one.png');
    two.append('file', new Blob([PNG], { type: 'image/png' }), 'two.png');
    const res = await fetch(`${tp.url}${url}`, { method: 'POST', headers: admin(), body: two });
    const body = (await res.json()) as { error: { code: string; message: string; details: unknown } };
    assert.deepEqual([res.status, body.error.code, body.error.details], [400, 'VALIDATION_FAILED', { field: 'file', limit_files: 1 }]);
    assert.match(body.error.message, /one file per upload \(limit: 1 file\)/);

    assert.equal(await images(), 0);
    const one = new FormData();
    one.append('file', new Blob([PNG], { type: 'image/png' }), 'one.png');
    const ok = await fetch(`${tp.url}${url}`, { method: 'POST', headers: admin(), body: one });
    assert.equal(ok.status, 201, 'the server still takes a proper upload');
    assert.equal(await images(), 1);
  });

  test('a range no Date can hold is 400 INVALID_TIME whether the fields exist or not', async () => {
    await tp.request('POST', '/api/v1/telemetry', { temperature: 20 }, { 'x-api-key': dev.apiKey });
    for (const fields of ['no_such_field', 'temperature', '']) {
      const res = await tp.request('GET', `/api/v1/telemetry/${dev.id}/series?start_time=-999999999w&fields=${fields}`, undefined, admin());
      assert.deepEqual([res.status, res.body.error.code, res.body.error.details], [400, 'INVALID_TIME', { field: 'start_time' }], fields);
    }
    const far = await tp.request('GET', `/api/v1/telemetry/${dev.id}?start_time=-999999999w`, undefined, admin());
    assert.deepEqual([far.status, far.body.error.code], [400, 'INVALID_TIME']);
    assert.equal((await tp.request('GET', `/api/v1/telemetry/${dev.id}/series?start_time=-1h`, undefined, admin())).status, 200);
  });

  test('C1 controls, NUL and bidi overrides are refused in device names, chart series fields, metadata and log lines, naming the field', async () => {
    const cases: Array<[string, string, unknown, string, Record<string, string>?]> = [
      ['POST', '/api/v1/devices', { name: 'bad\u0085name' }, 'body.name'],
      ['POST', '/api/v1/devices', { name: 'bad\u009bname' }, 'body.name'],
      ['POST', '/api/v1/devices', { name: 'ok', location: 'x\u0080' }, 'body.location'],
      ['POST', '/api/v1/devices', { name: 'ok', metadata: { note: 'a\u202eb' } }, 'body.metadata.note'],
      ['POST', '/api/v1/devices', { name: 'ok', metadata: { 'k\u0000': 1 } }, 'body.metadata.k\u0000'],
      ['POST', '/api/v1/charts', { name: 'c', series: [{ device_id: dev.id, field: 'temp\u0000' }] }, 'body.series[0].field'],
      ['POST', '/api/v1/charts', { name: 'c', series: [{ device_id: dev.id, field: 'temp\u202e' }] }, 'body.series[0].field'],
      ['POST', `/api/v1/devices/${dev.id}/logs`, { message: 'disk \u009b31m full' }, 'body.message', { 'x-api-key': dev.apiKey }],
      ['POST', `/api/v1/devices/${dev.id}/logs`, { message: 'ok', source: 'a\u2066b' }, 'body.source', { 'x-api-key': dev.apiKey }],
      ['POST', '/api/v1/telemetry', { data: { note: 'x\u202ey' } }, 'body.data.note', { 'x-api-key': dev.apiKey }],
    ];
    for (const [method, url, body, field, headers] of cases) {
      const res = await tp.request(method, url, body, headers ?? admin());
      assert.equal(res.status, 400, `${url} ${JSON.stringify(body)}`);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.ok(res.body.error.message.startsWith(`${field}: `) || res.body.error.details?.issues?.[0]?.field === field, `${field}: ${res.body.error.message}`);
      assert.match(res.body.error.message, /control or bidi-override|NUL/);
    }
    const devices = (await tp.request('GET', '/api/v1/devices', undefined, admin())).body.devices;
    assert.deepEqual(devices.map((d: { id: string }) => d.id), [dev.id], 'no device was created');
    assert.deepEqual((await tp.request('GET', '/api/v1/charts', undefined, admin())).body.charts ?? [], []);
    assert.deepEqual(await logs(), []);
    const multiline = await tp.request('POST', `/api/v1/devices/${dev.id}/logs`, { message: 'line 1\n\tline 2', source: 'ok' }, { 'x-api-key': dev.apiKey });
    assert.equal(multiline.status, 201, 'tabs and line breaks stay allowed in log messages');
    const arabic = await tp.request('PATCH', `/api/v1/devices/${dev.id}`, { name: 'حساس 🌡️ Küche' }, admin());
    assert.deepEqual([arabic.status, arabic.body.name], [200, 'حساس 🌡️ Küche']);
  });

  test('over MQTT a log line with a lone surrogate or a C1 control is dropped and counted, as the same line over HTTP is refused', async () => {
    const overHttp = await raw('POST', `/api/v1/devices/${dev.id}/logs`, '{"message":"bad \\ud800 line"}', { 'x-api-key': dev.apiKey, 'content-type': 'application/json' });
    assert.deepEqual([overHttp.status, overHttp.body.error.code, overHttp.body.error.details], [400, 'VALIDATION_FAILED', { field: 'body.message' }]);
    const before = (await logs()).length;
    const dropped = await metricValue(tp.platform, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_logs' });
    const badJson = await metricValue(tp.platform, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_json' });
    const device = await connectMqtt(tp.mqttUrl, { username: dev.id, password: dev.apiKey });
    const topic = `devices/${dev.id}/logs`;
    await device.publishAsync(topic, '{"message":"bad \\ud800 line"}', { qos: 1 });
    await device.publishAsync(topic, JSON.stringify({ message: 'bad \u0085 line' }), { qos: 1 });
    await device.publishAsync(topic, Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), { qos: 1 }); // "<lone surrogate as raw bytes>"
    await device.publishAsync(topic, JSON.stringify({ message: 'fine line' }), { qos: 1 });
    await device.endAsync();
    assert.equal(await metricValue(tp.platform, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_logs' }), dropped + 2);
    assert.equal(await metricValue(tp.platform, 'fluxgate_mqtt_dropped_total', { reason: 'invalid_json' }), badJson + 1);
    const now = await logs();
    assert.equal(now.length, before + 1);
    assert.equal(now[0]!.message, 'fine line');
    assert.ok(now.every((l) => !l.message.includes('\ufffd')), 'nothing was stored with U+FFFD');
  });

  test('a WebSocket message breaking the text policy is refused like an HTTP body', async () => {
    const ws = new WebSocket(`${tp.url.replace('http', 'ws')}/api/v1/stream`);
    const replies: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => replies.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ type: 'auth', token: tp.adminToken }));
    ws.send('{"type":"subscribe","device_ids":["x\\ud800"]}');
    ws.send(JSON.stringify({ type: 'subscribe', device_ids: ['x\u202e'] }));
    ws.send(JSON.stringify({ type: 'ping' }));
    for (let i = 0; i < 100 && !replies.some((r) => r.type === 'pong'); i++) await new Promise((r) => setTimeout(r, 20));
    ws.close();
    const errors = replies.filter((r) => r.type === 'error');
    assert.deepEqual(
      errors.map((e) => [e.code, e.message]),
      [
        ['VALIDATION_FAILED', 'message.device_ids[0]: must be well-formed Unicode (no lone surrogates)'],
        ['VALIDATION_FAILED', 'message.device_ids[0]: must not contain control or bidi-override characters (U+202E)'],
      ],
    );
    assert.equal((await tp.request('GET', '/health')).status, 200);
  });
});
