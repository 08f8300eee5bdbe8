// RabbitMQ in and out against a real RabbitMQ: the Energy Management System's measurement messages
// and POST /telemetry bodies from a queue are stored and only then acked; messages that can never be
// stored go to the dead-letter queue with the reason; a storage outage leaves messages in RabbitMQ
// until they can be stored; platform events reach a topic exchange. Each suite uses queues of its own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import amqplib, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { type Json, type TestPlatform, forEachStorage } from '../helpers/platform.ts';
import { runSql } from '../helpers/raw-sql.ts';
import { TEST_AMQP_URL, rabbitmqSkipReason } from '../helpers/services.ts';

const skip = await rabbitmqSkipReason();
const HOUR = 3_600_000;

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('AMQP connector', { skip: skip ?? false }, () => {
  const suffix = randomBytes(4).toString('hex');
  const names = (kind: string) => ({ queue: `test_${kind}_${suffix}`, dead: `test_${kind}_${suffix}.dead`, exchange: `test_${kind}_${suffix}.events` });
  let conn: ChannelModel;
  let ch: Channel;
  const made: Array<{ queue: string; dead: string; exchange: string }> = [];

  before(async () => {
    conn = await amqplib.connect(TEST_AMQP_URL);
    ch = await conn.createChannel();
  });
  after(async () => {
    for (const n of made) {
      await ch.deleteQueue(n.queue).catch(() => {});
      await ch.deleteQueue(n.dead).catch(() => {});
      await ch.deleteExchange(n.exchange).catch(() => {});
    }
    await conn?.close();
  });

  const send = (queue: string, body: unknown, headers: Record<string, string> = {}) =>
    ch.sendToQueue(queue, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), { persistent: true, headers });
  const deadLetters = async (queue: string, count: number) => {
    const got: ConsumeMessage[] = [];
    await until(`${count} dead letters`, async () => {
      const m = await ch.get(queue, { noAck: true });
      if (m) got.push(m as unknown as ConsumeMessage);
      return got.length >= count ? got : undefined;
    });
    return got.map((m) => ({ body: m.content.toString(), error: String(m.properties.headers?.['x-fluxgate-error']), reason: String(m.properties.headers?.['x-fluxgate-reason']) }));
  };

  for (const trusted of [false, true]) {
    const n = names(trusted ? 'trusted' : 'keyed');
    made.push(n);
    const env = { AMQP_URL: TEST_AMQP_URL, AMQP_QUEUE: n.queue, AMQP_DEAD_LETTER_QUEUE: n.dead, AMQP_EVENTS_EXCHANGE: n.exchange, AMQP_PREFETCH: '50', AMQP_CONSUMERS: '3', AMQP_TRUSTED_PRODUCER: String(trusted) };
    forEachStorage(`AMQP ingest (${trusted ? 'trusted producer' : 'keys required'})`, (get) => {
      let tp: TestPlatform;
      let token: string;
      let meter: Json;
      before(async () => {
        tp = get();
        await tp.platform.amqp!.ready();
        token = await tp.adminToken();
        meter = await tp.newDevice(token, { id: `ems-meter-${tp.kind}`, name: 'Meter', device_type: 'smart_meter' });
        await ch.purgeQueue(n.dead);
      });
      const history = async (field: string): Promise<Json[]> => (await tp.api('GET', `/api/v1/telemetry/${meter.id}?fields=${field}&start_time=-7d`, { token })).body.points;
      const queueDepth = async () => (await ch.checkQueue(n.queue)).messageCount;

      test('measurement messages and telemetry bodies are stored, then acked', async () => {
        const t = Date.now() - HOUR;
        const key: Record<string, string> = trusted ? {} : { 'x-api-key': meter.api_key as string };
        send(n.queue, { device_id: meter.id, timestamp: new Date(t).toISOString(), measurement_value: 0.25 }, key);
        send(n.queue, [{ voltage: 229.5, timestamp: t + 1000 }, { voltage: 230.1, timestamp: t + 2000 }], { ...key, device_id: meter.id });
        const usage = await until('the measurement', async () => {
          const h = await history('energy_usage');
          return h.length === 1 ? h : undefined;
        });
        assert.equal(usage[0].value, 0.25);
        assert.equal(Date.parse(usage[0].timestamp), t);
        const volts = await until('the voltages', async () => {
          const h = await history('voltage');
          return h.length === 2 ? h : undefined;
        });
        assert.deepEqual(volts.map((p: Json) => p.value).sort(), [229.5, 230.1]);
        await until('an empty queue', async () => ((await queueDepth()) === 0 ? true : undefined));
        const health = await tp.api('GET', '/health?include=amqp');
        assert.equal(health.status, 200, health.text);
      });

      test('consumes on AMQP_CONSUMERS channels; a burst spread over them is stored once', async () => {
        assert.equal((await ch.checkQueue(n.queue)).consumerCount, 3);
        const key: Record<string, string> = trusted ? {} : { 'x-api-key': meter.api_key as string };
        const t0 = Date.now() - 3 * HOUR;
        const before = tp.platform.amqp!.counters().stored;
        for (let i = 0; i < 300; i++) send(n.queue, { device_id: meter.id, timestamp: t0 + i * 1000, measurement_value: 0.01 }, key);
        await until('300 more messages stored', async () => (tp.platform.amqp!.counters().stored - before >= 300 ? true : undefined));
        const range = `start_time=${new Date(t0).toISOString()}&end_time=${new Date(t0 + 300_000).toISOString()}`;
        const res = await tp.api('GET', `/api/v1/telemetry/${meter.id}?fields=energy_usage&${range}&limit=1000`, { token });
        assert.deepStrictEqual([res.status, res.body.points.length, tp.platform.amqp!.counters().stored - before], [200, 300, 300]);
        await until('an empty queue', async () => ((await queueDepth()) === 0 ? true : undefined));
      });

      test('messages that can never be stored go to the dead-letter queue with the reason', async () => {
        const key: Record<string, string> = trusted ? {} : { 'x-api-key': meter.api_key as string };
        send(n.queue, 'not json{', key);
        send(n.queue, { device_id: meter.id, measurement_value: 'lots' }, key);
        send(n.queue, { device_id: meter.id, temperature: null }, key);
        send(n.queue, { device_id: 'no-such-device', measurement_value: 1 }, trusted ? {} : { 'x-api-key': 'fgk_wrong' });
        const dead = await deadLetters(n.dead, 4);
        const byBody = Object.fromEntries(dead.map((d) => [d.body, d]));
        assert.equal(byBody['not json{']!.error, 'INVALID_TELEMETRY');
        assert.match(byBody['not json{']!.reason, /not valid JSON/);
        assert.match(byBody[JSON.stringify({ device_id: meter.id, measurement_value: 'lots' })]!.reason, /measurement_value must be a number/);
        assert.match(byBody[JSON.stringify({ device_id: meter.id, temperature: null })]!.reason, /temperature.*must not be null/);
        assert.equal(byBody[JSON.stringify({ device_id: 'no-such-device', measurement_value: 1 })]!.error, trusted ? 'DEVICE_NOT_FOUND' : 'INVALID_API_KEY');
        if (!trusted) {
          send(n.queue, { device_id: meter.id, measurement_value: 1 });
          const [noKey] = await deadLetters(n.dead, 1);
          assert.equal(noKey!.error, 'INVALID_API_KEY');
          assert.match(noKey!.reason, /AMQP_TRUSTED_PRODUCER/);
        }
        assert.equal(tp.platform.amqp!.counters().deadLettered, trusted ? 4 : 5);
      });

      test('while storage cannot take data, messages stay in RabbitMQ; once it can, they are stored', async () => {
        const key: Record<string, string> = trusted ? {} : { 'x-api-key': meter.api_key as string };
        await runSql(tp, 'ALTER TABLE chunks RENAME TO chunks_away');
        const t = Date.now() - 2 * HOUR;
        try {
          send(n.queue, { device_id: meter.id, timestamp: t, measurement_value: 0.75 }, key);
          await until('a refused commit', async () => (tp.platform.amqp!.counters().requeued > 0 ? true : undefined));
          const state = await ch.checkQueue(n.queue);
          assert.equal(state.messageCount + tp.platform.amqp!.counters().requeued > 0, true);
        } finally {
          await runSql(tp, 'ALTER TABLE chunks_away RENAME TO chunks');
        }
        await until('the measurement after the outage', async () => {
          const h = await history('energy_usage');
          return h.some((p: Json) => Date.parse(p.timestamp) === t && p.value === 0.75) ? true : undefined;
        });
        assert.equal((await ch.checkQueue(n.dead)).messageCount, 0, 'nothing was dead-lettered for a passing outage');
      });
    }, env);
  }

  const ev = names('events');
  made.push(ev);
  forEachStorage('AMQP events', (get) => {
    test('points, commands, users, devices and assignments reach the topic exchange as persistent JSON messages', async () => {
      const tp = get();
      await tp.platform.amqp!.ready();
      const token = await tp.adminToken();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      for (const key of ['points.stored', 'command.*', 'device.created', 'device.assigned', 'device.unassigned', 'user.created']) await ch.bindQueue(queue, ev.exchange, key);
      const device = await tp.newDevice(token, { id: `ev-plug-${tp.kind}`, name: 'Plug', device_type: 'smart_plug' });
      const stored = await tp.api('POST', '/api/v1/telemetry', { apiKey: device.api_key, body: { power: 12.5 } });
      assert.equal(stored.status, 201, stored.text);
      const got: Json[] = [];
      await ch.consume(queue, (m) => m && got.push({ key: m.fields.routingKey, persistent: m.properties.deliveryMode === 2, body: JSON.parse(m.content.toString()) }), { noAck: true });
      const points = await until('points.stored', async () => got.find((m) => m.key === 'points.stored'));
      assert.equal(points.persistent, true);
      assert.equal(points.body.type, 'points.stored');
      assert.equal(points.body.device_id, device.id);
      assert.deepEqual(points.body.points.map((p: Json) => [p.field, p.value]), [['power', 12.5]]);
      const cmd = await tp.api('POST', `/api/v1/devices/${device.id}/commands`, { token, body: { command: 'turn_off' } });
      assert.equal(cmd.status, 201, cmd.text);
      const created = await until('command.created', async () => got.find((m) => m.key === 'command.created' && m.body.command_id === cmd.body.id));
      assert.equal(created.body.status, 'pending');
      assert.equal(created.body.device_id, device.id);
      // The Energy Management System's sync events: users, devices, assignments (shares).
      const made = await until('device.created', async () => got.find((m) => m.key === 'device.created' && m.body.device_id === device.id));
      assert.equal(made.body.device_type, 'smart_plug');
      const bob = await tp.newUser(`ev-bob-${tp.kind}`);
      const user = await until('user.created', async () => got.find((m) => m.key === 'user.created' && m.body.user_id === bob.id));
      assert.equal(user.body.username, `ev-bob-${tp.kind}`);
      assert.equal((await tp.api('POST', `/api/v1/devices/${device.id}/access`, { token, body: { user_id: bob.id, level: 'read' } })).status, 201);
      const assigned = await until('device.assigned', async () => got.find((m) => m.key === 'device.assigned' && m.body.user_id === bob.id));
      assert.deepEqual(assigned.body, { type: 'device.assigned', device_id: device.id, user_id: bob.id, level: 'read' });
      assert.equal((await tp.api('DELETE', `/api/v1/devices/${device.id}/access/${bob.id}`, { token })).status, 204);
      await until('device.unassigned', async () => got.find((m) => m.key === 'device.unassigned' && m.body.user_id === bob.id && m.body.device_id === device.id));
    });
  }, { AMQP_URL: TEST_AMQP_URL, AMQP_QUEUE: ev.queue, AMQP_DEAD_LETTER_QUEUE: ev.dead, AMQP_EVENTS_EXCHANGE: ev.exchange });
});
