// Client ids and topic filters named like Object.prototype members ('constructor', '__proto__',
// 'toString'): aedes 2.0.0-beta.1 keys plain objects by them and threw from inside the broker,
// ending the process (GHSA-52qw-whmv-87c5, see mqtt-null-prototype.ts). Each case must leave the
// broker serving, over MQTT 3.1.1 and MQTT 5.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { connectMqtt, nextMessage } from '../helpers/mqtt.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

describe('MQTT names of Object.prototype members', { timeout: 60_000 }, () => {
  let tp: TestPlatform;
  const clients: MqttClient[] = [];
  const admin = async (protocolVersion: 4 | 5, clientId?: string) => {
    const c = await connectMqtt(tp.mqttUrl, { username: 'admin', password: ADMIN_PASSWORD, protocolVersion, ...(clientId ? { clientId } : {}) });
    clients.push(c);
    return c;
  };
  /** A QoS 1 round trip through the broker on a fresh connection. */
  const stillServes = async () => {
    const c = await admin(4);
    await c.subscribeAsync('proto/alive', { qos: 1 });
    const got = nextMessage(c, 'proto/alive');
    await c.publishAsync('proto/alive', 'yes', { qos: 1 });
    assert.equal((await got).payload.toString(), 'yes');
    c.end(true);
  };

  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => {
    for (const c of clients) c.end(true);
    await tp.stop();
  });

  for (const version of [4, 5] as const) {
    test(`MQTT ${version === 5 ? '5' : '3.1.1'}: such client ids connect, are taken over, and deliver`, async () => {
      for (const id of NAMES) {
        const first = await admin(version, id);
        const second = await admin(version, id);
        await second.subscribeAsync(`proto/${version}`, { qos: 1 });
        const got = nextMessage(second, `proto/${version}`);
        await second.publishAsync(`proto/${version}`, id, { qos: 1 });
        assert.equal((await got).payload.toString(), id);
        first.end(true);
        second.end(true);
      }
      await stillServes();
    });

    test(`MQTT ${version === 5 ? '5' : '3.1.1'}: such topic filters subscribe, deliver and unsubscribe one by one`, async () => {
      const c = await admin(version);
      for (const name of NAMES) {
        const granted = await c.subscribeAsync(name, { qos: 1 });
        assert.equal(granted[0]?.qos, 1, name);
        const got = nextMessage(c, name);
        await c.publishAsync(name, 'x', { qos: 1 });
        assert.equal((await got).payload.toString(), 'x');
        await c.unsubscribeAsync(name);
      }
      await stillServes();
    });

    test(`MQTT ${version === 5 ? '5' : '3.1.1'}: a SUBSCRIBE of several filters with '__proto__' closes that connection only`, async () => {
      const c = await admin(version);
      const gone = new Promise<void>((resolve) => c.once('close', () => resolve()));
      c.subscribe(['a/b', '__proto__', 'c/d'], { qos: 1 });
      await gone;
      await stillServes();
    });
  }
});
