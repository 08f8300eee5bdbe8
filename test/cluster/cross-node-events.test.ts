// Cross-node events: two nodes on one PostgreSQL schema and a private Mosquitto (external broker
// mode). A live-stream subscriber on node A sees what happens on node B (points, commands), once;
// its own node's events are not echoed back; and a share revoked on B ends the subscription on A.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StreamServerMessage } from '../../src/contract/stream.ts';
import { type TestPlatform, startPlatform } from '../helpers/platform.ts';
import { type PrivateMosquitto, privateMosquittoSkipReason, startPrivateMosquitto } from '../helpers/private-services.ts';
import { TEST_DATABASE_URL, dropSchema, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';
import type { TestSocket} from '../helpers/stream-socket.ts';
import { followingStream } from '../helpers/stream-socket.ts';

const skip = privateMosquittoSkipReason() ?? (await postgresSkipReason());

let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

const stream = (p: TestPlatform, token: string, deviceIds: string[]) => followingStream(p.baseUrl, token, deviceIds);

async function ingest(p: TestPlatform, apiKey: string, value: number): Promise<void> {
  assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey, body: { temperature: value } })).status, 201);
}

/** Reads messages until `done` holds for one; returns every message read (the test's timeout bounds it). */
async function readUntil(s: TestSocket, done: (m: StreamServerMessage) => boolean): Promise<StreamServerMessage[]> {
  const seen: StreamServerMessage[] = [];
  for (;;) {
    const m = await s.next();
    seen.push(m);
    if (done(m)) return seen;
  }
}

const values = (messages: StreamServerMessage[], deviceId: string) =>
  messages.flatMap((m) => (m.type === 'points' && m.device_id === deviceId ? m.points.map((x) => x.value) : []));
const hasValue = (deviceId: string, value: number) => (m: StreamServerMessage) =>
  m.type === 'points' && m.device_id === deviceId && m.points.some((x) => x.value === value);

describe('cross-node events (PostgreSQL + Mosquitto)', { skip: skip ?? false, timeout: 90_000 }, () => {
  const schema = uniqueSchema('xnode');
  let broker: PrivateMosquitto;
  let a: TestPlatform;
  let b: TestPlatform;

  before(async () => {
    broker = await startPrivateMosquitto();
    const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, MQTT_URL: broker.url };
    a = await startPlatform('postgres', env);
    b = await startPlatform('postgres', env);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await broker?.destroy();
    await dropSchema(schema);
  });

  test('a subscriber on node A sees points and commands of node B once, and its own node\'s points once', async () => {
    const owner = await a.newUser(unique('owner'));
    const d = await a.newDevice(owner.token, { id: unique('dev'), name: 'Far away' });
    const s = await stream(a, owner.token, [d.id]);

    await ingest(b, d.api_key, 1);
    await ingest(a, d.api_key, 2);
    await ingest(b, d.api_key, 3);
    const seen = await readUntil(s, hasValue(d.id, 3));
    // Point 2 was stored on A itself: delivered locally, and A drops its own copy coming back from the broker.
    const more = await (async () => {
      await ingest(b, d.api_key, 4);
      return readUntil(s, hasValue(d.id, 4));
    })();
    assert.deepEqual(values([...seen, ...more], d.id).sort(), [1, 2, 3, 4], 'each point once');

    const sent = await b.api('POST', `/api/v1/devices/${d.id}/commands`, { token: owner.token, body: { command: 'reboot' } });
    assert.equal(sent.status, 201);
    const cmd = (await readUntil(s, (m) => m.type === 'command')).at(-1);
    assert.deepEqual(cmd, { type: 'command', device_id: d.id, command_id: sent.body.id, command: 'reboot', status: 'pending' });
    s.close();
  });

  test('a share revoked on node B ends the subscription on node A; no point follows', async () => {
    const owner = await a.newUser(unique('owner'));
    const reader = await a.newUser(unique('reader'));
    const d = await a.newDevice(owner.token, { id: unique('shared'), name: 'Shared' });
    assert.equal((await a.api('POST', `/api/v1/devices/${d.id}/access`, { token: owner.token, body: { user_id: reader.id, level: 'read' } })).status, 201);
    const s = await stream(a, reader.token, [d.id]);
    await ingest(b, d.api_key, 10);
    await readUntil(s, hasValue(d.id, 10));

    assert.equal((await b.api('DELETE', `/api/v1/devices/${d.id}/access/${reader.id}`, { token: owner.token })).status, 204);
    const revoked = await readUntil(s, (m) => m.type === 'access_revoked');
    assert.deepEqual(revoked.at(-1), {
      type: 'access_revoked',
      device_id: d.id,
      reason: 'unshared',
      message: `You no longer receive updates for device ${d.id}: your access to it was revoked`,
    });
    // The owner, on A too, still receives the device's points from B; the reader does not.
    const o = await stream(a, owner.token, [d.id]);
    await ingest(b, d.api_key, 11);
    await readUntil(o, hasValue(d.id, 11));
    assert.deepEqual(values(await s.drain(), d.id), [], 'no point after the revoke');
    s.close();
    o.close();
  });
});
