// QoS 2 messages left awaiting PUBREL: aedes keeps each until it is released, so a client that never
// releases them would fill the persistence. Past MAX_INBOUND_QOS2 the connection is closed (MQTT 5:
// DISCONNECT 0x93, Receive Maximum exceeded); a client that releases its messages is never limited.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_INBOUND_QOS2 } from '../../src/transport/mqtt/mqtt-inbound-qos2.ts';
import { ADMIN_PASSWORD, type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { RawMqtt } from '../helpers/raw-mqtt.ts';

const publish = (raw: RawMqtt, messageId: number) => raw.send({ cmd: 'publish', topic: 'qos2/flood', payload: Buffer.from('x'), qos: 2, messageId, retain: false, dup: false });

describe('QoS 2 messages awaiting PUBREL', { timeout: 120_000 }, () => {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => {
    await tp.stop();
  });

  for (const version of [4, 5] as const) {
    const name = version === 5 ? 'MQTT 5' : 'MQTT 3.1.1';

    test(`${name}: more than ${MAX_INBOUND_QOS2} never released closes the connection`, async () => {
      const raw = await RawMqtt.open(tp.mqttPort, version);
      assert.equal(await raw.handshake({ username: 'admin', password: ADMIN_PASSWORD }), 0);
      for (let id = 1; id <= MAX_INBOUND_QOS2; id++) publish(raw, id);
      await raw.until((p) => p.cmd === 'pubrec' && p.messageId === MAX_INBOUND_QOS2, 'the last PUBREC');
      assert.equal(raw.isClosed, false, `${MAX_INBOUND_QOS2} awaiting PUBREL are allowed`);
      publish(raw, MAX_INBOUND_QOS2 + 1);
      await raw.closed;
      if (version === 5) assert.equal((raw.packets.find((p) => p.cmd === 'disconnect') as { reasonCode?: number } | undefined)?.reasonCode, 0x93);
    });

    test(`${name}: a client that releases its messages is not limited`, async () => {
      const raw = await RawMqtt.open(tp.mqttPort, version);
      assert.equal(await raw.handshake({ username: 'admin', password: ADMIN_PASSWORD }), 0);
      const total = MAX_INBOUND_QOS2 * 2;
      for (let id = 1; id <= total; id++) {
        publish(raw, id);
        raw.send({ cmd: 'pubrel', messageId: id });
      }
      await raw.until((p) => p.cmd === 'pubcomp' && p.messageId === total, 'the last PUBCOMP');
      assert.equal(raw.isClosed, false);
      raw.destroy();
    });
  }
});
