// Rule actions on both storages: a plug over its power limit for a while is switched off by its rule
// (a command and a desired-state change, received by the plug over real MQTT), each outcome in the
// alarm's history; a rule whose owner only reads the device records a refusal and sends nothing.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { connectMqtt, messageMatching } from '../helpers/mqtt.ts';
import { type Json, forEachStorage } from '../helpers/platform.ts';
import { eventually, send, within } from './helpers.ts';

/** Power above the plug's own limit (metadata power_limit_w) for `for_s` seconds switches it off; back under, on. */
function overLimitRule(deviceId: string, actions: unknown[]): Record<string, unknown> {
  return {
    name: `over its limit: ${deviceId}`,
    target: { kind: 'device', device_id: deviceId },
    condition: { kind: 'compare', field: 'power', op: 'gt', value: { from: 'metadata', key: 'power_limit_w', default: 2000 } },
    for_s: 1,
    severity: 'major',
    actions,
  };
}

const actionEvents = async (tp: { api: (m: string, p: string, o: Json) => Promise<Json> }, token: string, alarmId: string): Promise<Json[]> =>
  (await tp.api('GET', `/api/v1/alarms/${alarmId}`, { token })).body.events.filter((e: Json) => e.kind === 'action');

forEachStorage(
  'rule actions',
  (get, kind) => {
    it('a plug over its limit for a while gets a turn_off command and power_on=false over MQTT, recorded on the alarm; clearing switches it on', async () => {
      const tp = get();
      const owner = await tp.newUser(`plug-owner-${kind}`);
      const plug = await tp.newDevice(owner.token, { id: 'heater-plug', name: 'Heater plug', device_type: 'smart_plug', metadata: { power_limit_w: 1500 } });
      const rule = await tp.api('POST', '/api/v1/rules', {
        token: owner.token,
        body: overLimitRule('heater-plug', [
          { kind: 'command', command: 'turn_off' },
          { kind: 'desired_state', state: { power_on: false } },
          { kind: 'desired_state', on: 'clear', state: { power_on: true } },
        ]),
      });
      assert.equal(rule.status, 201, rule.text);
      assert.deepEqual(rule.body.actions, [
        { kind: 'command', command: 'turn_off', parameters: {}, on: 'raise' },
        { kind: 'desired_state', state: { power_on: false }, on: 'raise' },
        { kind: 'desired_state', state: { power_on: true }, on: 'clear' },
      ]);

      const device = await connectMqtt(`mqtt://127.0.0.1:${tp.platform.mqtt?.port}`, { username: 'heater-plug', password: plug.api_key });
      try {
        await device.subscribeAsync(['devices/heater-plug/commands', 'devices/heater-plug/state/desired'], { qos: 1 });
        const command = messageMatching(device, 'devices/heater-plug/commands', (m) => m.command === 'turn_off');
        const switchedOff = messageMatching(device, 'devices/heater-plug/state/desired', (m) => (m.desired as Json)?.power_on === false);
        await device.publishAsync('devices/heater-plug/data', JSON.stringify({ power: 1400 }), { qos: 1 });
        await device.publishAsync('devices/heater-plug/data', JSON.stringify({ power: 1900 }), { qos: 1 });

        const received = await within('the turn_off command over MQTT', command);
        assert.deepEqual(received.parameters, {});
        assert.equal(((await within('power_on=false over MQTT', switchedOff)).desired as Json).power_on, false);

        const alarm = await eventually('the alarm', async () => (await tp.api('GET', '/api/v1/alarms?device_id=heater-plug', { token: owner.token })).body.alarms[0]);
        const events = await eventually('both raise actions recorded', async () => {
          const found = await actionEvents(tp, owner.token, alarm.id);
          return found.length === 2 && found;
        });
        assert.deepEqual(events.map((e: Json) => [e.user_id, e.details.on, e.details.action.kind, e.details.device_id, e.details.result]), [
          [null, 'raise', 'command', 'heater-plug', 'sent'],
          [null, 'raise', 'desired_state', 'heater-plug', 'set'],
        ]);
        assert.equal(events[0].details.command_id, received.id, 'the recorded command is the one the plug received');
        assert.equal(events[0].details.rule_id, rule.body.id);
        const commands = await tp.api('GET', '/api/v1/devices/heater-plug/commands', { token: owner.token });
        assert.deepEqual(commands.body.map((c: Json) => [c.command, c.created_by]), [['turn_off', owner.id]], 'sent as the rule owner');

        const switchedOn = messageMatching(device, 'devices/heater-plug/state/desired', (m) => (m.desired as Json)?.power_on === true);
        await device.publishAsync('devices/heater-plug/data', JSON.stringify({ power: 0 }), { qos: 1 });
        await within('power_on=true over MQTT', switchedOn);
        const afterClear = await eventually('the clear action recorded', async () => {
          const found = await actionEvents(tp, owner.token, alarm.id);
          return found.length === 3 && found;
        });
        assert.deepEqual([afterClear[2].details.on, afterClear[2].details.result, afterClear[2].details.action.state], ['clear', 'set', { power_on: true }]);
      } finally {
        await device.endAsync();
      }
    });

    it('a rule whose owner may only read the device records the refusal and sends nothing', async () => {
      const tp = get();
      const owner = await tp.newUser(`lender-${kind}`);
      const reader = await tp.newUser(`reader-${kind}`);
      const plug = await tp.newDevice(owner.token, { id: 'shared-plug', name: 'Shared plug', device_type: 'smart_plug' });
      assert.equal((await tp.api('POST', '/api/v1/devices/shared-plug/access', { token: owner.token, body: { user_id: reader.id, level: 'read' } })).status, 201);

      const named = await tp.api('POST', '/api/v1/rules', {
        token: reader.token,
        body: overLimitRule('shared-plug', [{ kind: 'command', command: 'turn_off', device_id: 'shared-plug' }]),
      });
      assert.equal(named.status, 403, 'an action naming a device needs control access when the rule is saved');
      assert.equal(named.body.error.code, 'FORBIDDEN');

      const rule = await tp.api('POST', '/api/v1/rules', { token: reader.token, body: overLimitRule('shared-plug', [{ kind: 'command', command: 'turn_off' }]) });
      assert.equal(rule.status, 201, rule.text);
      await send(tp, plug.api_key, { power: 2500 });

      const alarm = await eventually('the alarm', async () => (await tp.api('GET', '/api/v1/alarms?device_id=shared-plug', { token: reader.token })).body.alarms[0]);
      const [refused] = await eventually('the refusal recorded', async () => {
        const found = await actionEvents(tp, reader.token, alarm.id);
        return found.length > 0 && found;
      });
      assert.equal(refused.details.result, 'refused');
      assert.equal(refused.details.error.code, 'FORBIDDEN');
      assert.match(refused.details.error.message, /'read'; this needs 'control'/);
      await tp.platform.ruleActions.settled();
      const commands = await tp.api('GET', '/api/v1/devices/shared-plug/commands', { token: owner.token });
      assert.deepEqual(commands.body, [], 'no command was created');
    });

    it('a bad action is refused with a message naming it', async () => {
      const tp = get();
      const token = await tp.adminToken();
      await tp.newDevice(token, { id: 'bad-action-plug', name: 'Plug' });
      const cases: Array<[unknown, RegExp]> = [
        [{ kind: 'command', command: 'turn off!' }, /actions\.0\.command/],
        [{ kind: 'desired_state', state: {} }, /actions\.0\.state: give at least one key/],
        [{ kind: 'reboot' }, /actions\.0/],
        [{ kind: 'command', command: 'turn_off', on: 'later' }, /actions\.0\.on/],
      ];
      for (const [action, message] of cases) {
        const res = await tp.api('POST', '/api/v1/rules', { token, body: overLimitRule('bad-action-plug', [action]) });
        assert.equal(res.status, 400, JSON.stringify(action));
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        assert.match(res.body.error.message, message);
      }
    });
  },
  { RULES_TICK_MS: '100' },
);
