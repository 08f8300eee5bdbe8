import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { haCommandValue } from '../../src/contract/home-assistant/ha-entities.ts';
import { HaTopics, fromHaId, haId } from '../../src/contract/home-assistant/ha-topics.ts';
import { boolParam, numberParam } from '../../src/contract/profiles/profile-builders.ts';
import { haDiscoveryFor } from '../../src/contract/home-assistant/ha-discovery-mode.ts';
import { assertHaConfig } from '../connectors/home-assistant/ha-schema.ts';

describe('Home Assistant topics', () => {
  it('escapes ids one-to-one into what HA allows', () => {
    for (const id of ['a.b', 'a_b', 'a__d', 'x:y_z.1', 'plain-1', '_d']) {
      assert.match(haId(id), /^[A-Za-z0-9_-]+$/);
      assert.equal(fromHaId(haId(id)), id);
    }
    assert.notEqual(haId('a.b'), haId('a_b'));
    assert.equal(fromHaId('a_x'), undefined);
  });

  it('finds the device of config, state and command topics, and nothing else', () => {
    const t = new HaTopics('homeassistant');
    assert.equal(t.deviceOf(t.config('sensor', 'dev.1_a', 'energy_usage')), 'dev.1_a');
    assert.equal(t.deviceOf('fluxgate/ha/dev-2/state'), 'dev-2');
    assert.deepEqual(t.parseDevice('fluxgate/ha/dev-2/set/power_on'), { deviceId: 'dev-2', kind: 'set', key: 'power_on' });
    for (const topic of ['fluxgate/ha/dev-2/other', 'fluxgate/ha/dev-2/state/x', 'homeassistant/sensor/other_node/x/config', 'devices/dev-2/data', 'homeassistant/status']) {
      assert.equal(t.deviceOf(topic), undefined, topic);
    }
    assert.equal(t.covers('homeassistant/#'), true);
    assert.equal(t.covers('fluxgate/ha/+/state'), true);
    assert.equal(t.covers('#'), false);
    assert.equal(t.covers('homeassistantx/#'), false);
  });

  it('reads HA command payloads by the desired key\'s type', () => {
    const bool = boolParam('on', 'On');
    const num = numberParam('target', 'Target', '°C', 5, 35);
    assert.deepEqual([haCommandValue(bool, 'ON'), haCommandValue(bool, 'UNLOCK'), haCommandValue(bool, 'maybe')], [true, false, undefined]);
    assert.deepEqual([haCommandValue(num, '21.5'), haCommandValue(num, 'warm'), haCommandValue(num, '')], [21.5, undefined, undefined]);
  });

  it('HA_DISCOVERY and the per-device metadata switch', () => {
    assert.deepEqual(
      [haDiscoveryFor('true', {}), haDiscoveryFor('true', { home_assistant: false }), haDiscoveryFor('opt-in', {}), haDiscoveryFor('opt-in', { home_assistant: true }), haDiscoveryFor('false', { home_assistant: true })],
      [true, false, false, true, false],
    );
  });

  it('the schema check of the end-to-end test refuses what HA would not accept', () => {
    const ok = { name: 'T', unique_id: 'u', state_topic: 's/t', device: { identifiers: ['x'] }, unit_of_measurement: '°C', device_class: 'temperature' };
    assertHaConfig('sensor', 't', ok);
    assert.throws(() => assertHaConfig('sensor', 't', { ...ok, unit: 'C' }), /HA does not know unit/);
    assert.throws(() => assertHaConfig('sensor', 't', { ...ok, unit_of_measurement: 'kWh' }), /not a unit of temperature/);
    assert.throws(() => assertHaConfig('switch', 't', ok), /command_topic is required/);
    assert.throws(() => assertHaConfig('sensor', 't', { ...ok, state_topic: 'a/#' }), /without wildcards/);
  });
});
