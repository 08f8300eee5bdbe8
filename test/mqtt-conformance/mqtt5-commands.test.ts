// MQTT 5 commands on the embedded broker: a command PUBLISH carries the seconds left until its
// expires_at (Message Expiry Interval), a Response Topic and its id as Correlation Data; a device may
// answer there instead of on commands/ack. Each test names the normative statement(s) of the OASIS
// MQTT 5.0 standard it leans on; mqtt.js v5 plays a device as a library would, the raw packet
// client where the exact packet on the wire is the point.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { RawMqtt } from '../helpers/raw-mqtt.ts';

type Props = { messageExpiryInterval?: number; responseTopic?: string; correlationData?: Buffer; contentType?: string; reasonString?: string };
type Publish = Packet & { topic: string; payload: Buffer; qos: number; messageId?: number; properties?: Props };
type Ack = Packet & { messageId?: number; reasonCode?: number; properties?: Props };

describe('MQTT 5 commands: message expiry and request/response', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  let auth: Record<string, string>;
  const clients: MqttClient[] = [];
  const raws: RawMqtt[] = [];

  const device = async (id: string) => {
    const d = await tp.createDevice(id);
    return { id: d.id, login: { username: d.id, password: d.apiKey } };
  };
  const raw = async (options: Parameters<RawMqtt['handshake']>[0]) => {
    const r = await RawMqtt.open(tp.mqttPort, 5);
    raws.push(r);
    assert.equal(await r.handshake(options), 0);
    return r;
  };
  const subscribeCommands = async (r: RawMqtt, deviceId: string) => {
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `devices/${deviceId}/commands`, qos: 1 }] });
    assert.deepEqual(((await r.next('suback')) as Packet & { granted: number[] }).granted, [1]);
  };
  const send = async (deviceId: string, command: string, timeoutS: number) => {
    const res = await tp.request('POST', `/api/v1/devices/${deviceId}/commands`, { command, timeout_s: timeoutS }, auth);
    assert.equal(res.status, 201);
    return res.body as { id: string; expires_at: string };
  };
  const commandPublish = (r: RawMqtt, id: string) =>
    r.until((p) => p.cmd === 'publish' && JSON.parse((p as Publish).payload.toString()).id === id, `command ${id}`) as Promise<Publish>;
  const status = async (deviceId: string, id: string) => (await tp.request('GET', `/api/v1/devices/${deviceId}/commands/${id}`, undefined, auth)).body.status as string;

  before(async () => {
    tp = await startTestPlatform();
    auth = { authorization: `Bearer ${tp.adminToken}` };
  });
  after(async () => {
    for (const c of clients) c.end(true);
    for (const r of raws) r.destroy();
    await tp.stop();
  });

  test('a command PUBLISH carries Message Expiry Interval = seconds left until expires_at [MQTT-3.3.2-6], a Response Topic and its id as Correlation Data', async () => {
    const d = await device('v5-cmd-props');
    const r = await raw(d.login);
    await subscribeCommands(r, d.id);
    const sent = await send(d.id, 'reboot', 600);
    const msg = await commandPublish(r, sent.id);
    const leftAtReceipt = Math.ceil((Date.parse(sent.expires_at) - Date.now()) / 1000);
    const interval = msg.properties?.messageExpiryInterval ?? 0;
    assert.ok(interval >= leftAtReceipt && interval <= 600, `Message Expiry Interval ${interval}, ${leftAtReceipt} s were left at receipt`);
    assert.equal(msg.properties?.responseTopic, `devices/${d.id}/commands/response`);
    assert.equal(msg.properties?.correlationData?.toString(), sent.id);
    assert.equal(msg.properties?.contentType, 'application/json');
  });

  test('a reply on the Response Topic with the Correlation Data acks the command; its PUBACK leaves once the ack is stored [MQTT-3.3.2-15] [MQTT-3.3.2-16]', async () => {
    const d = await device('v5-cmd-reply');
    const r = await raw(d.login);
    await subscribeCommands(r, d.id);
    const sent = await send(d.id, 'reboot', 600);
    const msg = await commandPublish(r, sent.id);
    r.send({ cmd: 'puback', messageId: msg.messageId! });
    r.send({
      cmd: 'publish', topic: msg.properties!.responseTopic!, payload: Buffer.from('{"status":"acked","result":{"rebooted":true}}'),
      qos: 1, messageId: 9, retain: false, dup: false, properties: { correlationData: msg.properties!.correlationData! },
    });
    const ack = (await r.until((p) => p.cmd === 'puback' && (p as Ack).messageId === 9)) as Ack;
    assert.equal(ack.reasonCode ?? 0, 0);
    const view = await tp.request('GET', `/api/v1/devices/${d.id}/commands/${sent.id}`, undefined, auth);
    assert.deepEqual([view.body.status, view.body.result], ['acked', { rebooted: true }]);
  });

  test('mqtt.js v5: a device answers a command through its Response Topic and Correlation Data (failed, with an error)', async () => {
    const d = await device('v5-cmd-js');
    const c = await mqtt.connectAsync(tp.mqttUrl, { protocolVersion: 5, reconnectPeriod: 0, ...d.login } satisfies IClientOptions, false);
    clients.push(c);
    const got = new Promise<{ responseTopic?: string; correlationData?: Buffer }>((resolve) => c.on('message', (_t, _p, packet) => resolve(packet.properties ?? {})));
    await c.subscribeAsync(`devices/${d.id}/commands`, { qos: 1 });
    const sent = await send(d.id, 'set_power', 600);
    const props = await got;
    await c.publishAsync(props.responseTopic!, '{"status":"failed","error":"relay stuck"}', { qos: 1, properties: { correlationData: props.correlationData! } });
    const view = await tp.request('GET', `/api/v1/devices/${d.id}/commands/${sent.id}`, undefined, auth);
    assert.deepEqual([view.body.status, view.body.error], ['failed', 'relay stuck']);
  });

  test('a reply from another device is refused with PUBACK 0x87 [MQTT-3.4.2-1], on its own Response Topic or on the addressee\'s; the command stays open', async () => {
    const target = await device('v5-cmd-target');
    const other = await device('v5-cmd-other');
    const r = await raw(target.login);
    await subscribeCommands(r, target.id);
    const sent = await send(target.id, 'reboot', 600);
    const msg = await commandPublish(r, sent.id);
    const o = await raw(other.login);
    const reply = (topic: string, messageId: number) =>
      o.send({ cmd: 'publish', topic, payload: Buffer.from('{"status":"acked"}'), qos: 1, messageId, retain: false, dup: false, properties: { correlationData: Buffer.from(sent.id) } });
    reply(`devices/${other.id}/commands/response`, 1);
    reply(msg.properties!.responseTopic!, 2);
    for (const messageId of [1, 2]) {
      const ack = (await o.until((p) => p.cmd === 'puback' && (p as Ack).messageId === messageId)) as Ack;
      assert.equal(ack.reasonCode, 0x87, `reply ${messageId}`);
    }
    assert.equal(o.isClosed, false);
    assert.equal(await status(target.id, sent.id), 'delivered');
  });

  test('a reply without Correlation Data, or with a malformed body, gets PUBACK 0x83 with a reason string and acks nothing', async () => {
    const d = await device('v5-cmd-bad-reply');
    const r = await raw(d.login);
    await subscribeCommands(r, d.id);
    const sent = await send(d.id, 'reboot', 600);
    await commandPublish(r, sent.id);
    const topic = `devices/${d.id}/commands/response`;
    r.send({ cmd: 'publish', topic, payload: Buffer.from('{"status":"acked"}'), qos: 1, messageId: 3, retain: false, dup: false });
    r.send({ cmd: 'publish', topic, payload: Buffer.from('{"status":"maybe"}'), qos: 1, messageId: 4, retain: false, dup: false, properties: { correlationData: Buffer.from(sent.id) } });
    for (const [messageId, reason] of [[3, /Correlation Data/], [4, /status/]] as const) {
      const ack = (await r.until((p) => p.cmd === 'puback' && (p as Ack).messageId === messageId)) as Ack;
      assert.equal(ack.reasonCode, 0x83);
      assert.match(String(ack.properties?.reasonString), reason);
    }
    assert.equal(await status(d.id, sent.id), 'delivered');
  });

  test('a command queued for an offline MQTT 5 session is not delivered after its expires_at [MQTT-3.3.2-5]; one still valid is', async () => {
    const d = await device('v5-cmd-offline');
    const session = { ...d.login, clientId: 'v5-cmd-offline', clean: false, properties: { sessionExpiryInterval: 3600 } };
    const first = await raw(session);
    await subscribeCommands(first, d.id);
    first.destroy();
    await first.closed;
    const short = await send(d.id, 'reboot', 1);
    const long = await send(d.id, 'set_power', 600);
    // The first is queued before the second, so it would arrive first were it delivered.
    while ((await status(d.id, short.id)) !== 'expired') await new Promise((resolve) => setTimeout(resolve, 200));
    const back = await RawMqtt.open(tp.mqttPort, 5);
    raws.push(back);
    assert.equal(await back.handshake({ ...session, clean: false }), 0);
    assert.equal(((await back.next('connack')) as Packet & { sessionPresent?: boolean }).sessionPresent, true);
    const msg = (await back.next('publish')) as Publish;
    assert.equal(JSON.parse(msg.payload.toString()).id, long.id);
    assert.equal(await status(d.id, short.id), 'expired');
  });
});
