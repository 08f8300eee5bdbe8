import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MqttTopics, mqttCommandAckPayload } from '../../src/contract/mqtt-topics.ts';

test('topics without a prefix', () => {
  const t = new MqttTopics('');
  assert.equal(t.data('meter-1'), 'devices/meter-1/data');
  assert.equal(t.commandAck('meter-1'), 'devices/meter-1/commands/ack');
  assert.equal(t.desiredState('meter-1'), 'devices/meter-1/state/desired');
  assert.equal(t.all('data'), 'devices/+/data');
  assert.deepEqual(t.parse('devices/meter-1/commands/ack'), { deviceId: 'meter-1', kind: 'commands/ack' });
  assert.equal(t.commandResponse('meter-1'), 'devices/meter-1/commands/response');
  assert.deepEqual(t.parse('devices/meter-1/commands/response'), { deviceId: 'meter-1', kind: 'commands/response' });
  assert.equal(t.parse('energy/devices/meter-1/data'), undefined);
  assert.equal(t.parse('devices/meter-1/other'), undefined);
  assert.equal(t.parse('devices//data'), undefined);
  assert.equal(t.parse('devices/a+b/data'), undefined);
});

test('topics with the seed-001 prefix', () => {
  const t = new MqttTopics('/energy/');
  assert.equal(t.prefix, 'energy');
  assert.equal(t.data('pv-1'), 'energy/devices/pv-1/data');
  assert.deepEqual(t.parse('energy/devices/pv-1/data'), { deviceId: 'pv-1', kind: 'data' });
  assert.equal(t.parse('devices/pv-1/data'), undefined);
});

test('command ack payload names bad fields', () => {
  assert.deepEqual(mqttCommandAckPayload.parse({ id: 'c1', status: 'acked' }), { id: 'c1', status: 'acked' });
  const bad = mqttCommandAckPayload.safeParse({ id: 'c1', status: 'done' });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues.map((i) => i.path.join('.')), ['status']);
});
