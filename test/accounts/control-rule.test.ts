// The role rule on commands and desired state, over real HTTP and the live WebSocket: a `read`
// sharee sees commands and state but is refused (403 FORBIDDEN, naming the levels) when sending a
// command or setting desired state; a `control` sharee may do both; a stranger gets 404 for all of it.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import WebSocket from 'ws';
import type { StreamServerMessage } from '../../src/contract/stream.ts';
import { onBothBackends } from './backends.ts';

/** Opens the stream as `token`, follows `deviceId`, and returns the next message of a given type. */
async function follow(base: string, token: string, deviceId: string) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/stream?token=${token}`);
  const queue: StreamServerMessage[] = [];
  const waiters: Array<(m: StreamServerMessage) => void> = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as StreamServerMessage;
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  const next = () => new Promise<StreamServerMessage>((resolve) => (queue.length > 0 ? resolve(queue.shift()!) : waiters.push(resolve)));
  const nextOf = async <T extends StreamServerMessage['type']>(type: T): Promise<Extract<StreamServerMessage, { type: T }>> => {
    for (;;) {
      const m = await next();
      if (m.type === type) return m as Extract<StreamServerMessage, { type: T }>;
    }
  };
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  await nextOf('ready');
  ws.send(JSON.stringify({ type: 'subscribe', device_ids: [deviceId] }));
  assert.deepStrictEqual(await nextOf('subscribed'), { type: 'subscribed', device_ids: [deviceId], denied: [] });
  return { nextOf, close: () => ws.close() };
}

onBothBackends('commands and desired state follow the access rule', (p) => {
  it('read: sees commands and state, may not command or set desired state (403); control may; strangers get 404', async () => {
    const owner = await p().user();
    const reader = await p().user();
    const operator = await p().user();
    const stranger = await p().user();
    const d = await p().device(owner);
    for (const [u, level] of [[reader, 'read'], [operator, 'control']] as const) {
      assert.strictEqual((await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: u.userId, level } })).status, 201);
    }
    const sent = await p().request('POST', `/api/v1/devices/${d.id}/commands`, { token: owner.token, body: { command: 'turn_on' } });
    assert.strictEqual(sent.status, 201);

    const command = { command: 'set_target_temperature', parameters: { value: 25 } };
    const desired = { desired: { target_temperature: 25 } };

    // read
    const cmd = await p().request('POST', `/api/v1/devices/${d.id}/commands`, { token: reader.token, body: command });
    assert.deepStrictEqual([cmd.status, cmd.body.error.code, cmd.body.error.details], [403, 'FORBIDDEN', { access: 'read', needed: 'control' }]);
    const state = await p().request('PUT', `/api/v1/devices/${d.id}/state`, { token: reader.token, body: desired });
    assert.deepStrictEqual([state.status, state.body.error.code, state.body.error.details], [403, 'FORBIDDEN', { access: 'read', needed: 'control' }]);
    const listed = await p().request('GET', `/api/v1/devices/${d.id}/commands`, { token: reader.token });
    assert.deepStrictEqual([listed.status, listed.body.map((c: { id: string }) => c.id)], [200, [sent.body.id]]);
    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}/commands/${sent.body.id}`, { token: reader.token })).status, 200);
    const readState = await p().request('GET', `/api/v1/devices/${d.id}/state`, { token: reader.token });
    assert.deepStrictEqual([readState.status, readState.body.desired], [200, {}], 'the refused PUT changed nothing');

    // control
    const ok = await p().request('POST', `/api/v1/devices/${d.id}/commands`, { token: operator.token, body: command });
    assert.deepStrictEqual([ok.status, ok.body.command, ok.body.created_by], [201, 'set_target_temperature', operator.userId]);
    const put = await p().request('PUT', `/api/v1/devices/${d.id}/state`, { token: operator.token, body: desired });
    assert.deepStrictEqual([put.status, put.body.desired], [200, { target_temperature: 25 }]);

    // stranger: the device does not exist for them
    for (const [method, url, body] of [
      ['POST', `/api/v1/devices/${d.id}/commands`, command],
      ['GET', `/api/v1/devices/${d.id}/commands`, undefined],
      ['GET', `/api/v1/devices/${d.id}/commands/${sent.body.id}`, undefined],
      ['PUT', `/api/v1/devices/${d.id}/state`, desired],
      ['GET', `/api/v1/devices/${d.id}/state`, undefined],
    ] as const) {
      const res = await p().request(method, url, { token: stranger.token, body });
      assert.deepStrictEqual([res.status, res.body.error.code], [404, 'DEVICE_NOT_FOUND'], `${method} ${url}`);
    }
    const after = await p().request('GET', `/api/v1/devices/${d.id}/state`, { token: owner.token });
    assert.deepStrictEqual(after.body.desired, { target_temperature: 25 });
    assert.strictEqual((await p().request('GET', `/api/v1/devices/${d.id}/commands`, { token: owner.token })).body.length, 2);
  });

  it('on the live stream a reader receives points and command events, yet still cannot command', async () => {
    const owner = await p().user();
    const reader = await p().user();
    const stranger = await p().user();
    const d = await p().device(owner);
    await p().request('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: reader.userId, level: 'read' } });
    const s = await follow(p().base, reader.token, d.id);

    const ws = new WebSocket(`${p().base.replace('http', 'ws')}/api/v1/stream?token=${stranger.token}`);
    const strangerAnswer = new Promise<StreamServerMessage[]>((resolve) => {
      const seen: StreamServerMessage[] = [];
      ws.on('message', (data) => {
        seen.push(JSON.parse(data.toString()));
        if (seen.length === 1) ws.send(JSON.stringify({ type: 'subscribe', device_ids: [d.id] }));
        if (seen.length === 2) resolve(seen);
      });
    });
    const [, subscribed] = await strangerAnswer;
    assert.deepStrictEqual(subscribed, { type: 'subscribed', device_ids: [], denied: [d.id] });
    ws.close();

    assert.strictEqual((await p().request('POST', '/api/v1/telemetry', { headers: { 'x-api-key': d.apiKey }, body: { temperature: 21.5 } })).status, 201);
    const points = await s.nextOf('points');
    assert.deepStrictEqual([points.device_id, points.points.map((x) => [x.field, x.value])], [d.id, [['temperature', 21.5]]]);

    const refused = await p().request('POST', `/api/v1/devices/${d.id}/commands`, { token: reader.token, body: { command: 'turn_off' } });
    assert.deepStrictEqual([refused.status, refused.body.error.code], [403, 'FORBIDDEN']);
    const sent = await p().request('POST', `/api/v1/devices/${d.id}/commands`, { token: owner.token, body: { command: 'turn_off' } });
    const event = await s.nextOf('command');
    assert.deepStrictEqual([event.device_id, event.command_id, event.command, event.status], [d.id, sent.body.id, 'turn_off', 'pending']);
    s.close();
  });
});
