// MQTT_DYNSEC: Fluxgate in external broker mode against a private Mosquitto with the dynamic
// security plugin and no anonymous access. Devices connect to Mosquitto as they do to the embedded
// broker (device id + API key), only on their own topics; key rotation, disabling and deletion
// reach the broker; a restart resyncs what changed while Fluxgate was away.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { createPlatform } from '../../src/cli/platform.ts';
import { loadConfig } from '../../src/config.ts';
import { DynsecControl } from '../../src/transport/mqtt/dynsec-control.ts';
import { type StorageKind, STORAGES, type TestPlatform, startPlatform } from '../helpers/platform.ts';
import { closed, connectMqtt, grantedCodes } from '../helpers/mqtt.ts';
import { type PrivateMosquitto, privateDynsecMosquittoSkipReason, startPrivateMosquitto } from '../helpers/private-services.ts';
import { postgresSkipReason } from '../helpers/services.ts';

const mosquittoSkip = privateDynsecMosquittoSkipReason();
const postgresSkip = await postgresSkipReason();
const ADMIN = { username: 'dynsec-admin', password: 'dynsec-admin-password' };
const NODE = { username: 'fluxgate-node', password: 'node-password-for-tests' };

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The CONNACK return code of a refused connection (undefined when it was accepted). */
async function refusalCode(url: string, username: string, password: string): Promise<number | undefined> {
  try {
    const client = await connectMqtt(url, { username, password, clientId: `probe-${Math.random().toString(36).slice(2)}` });
    await client.endAsync();
    return undefined;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

for (const kind of STORAGES) {
  const skip = mosquittoSkip ?? (kind === 'postgres' ? postgresSkip : undefined) ?? false;
  describe(`Mosquitto dynamic security provisioning [${kind}]`, { skip, timeout: 120_000 }, () => {
    let broker: PrivateMosquitto;
    let tp: TestPlatform;
    let token: string;
    let control: DynsecControl;
    const env = (): Record<string, string> => ({
      MQTT_URL: broker.url,
      MQTT_DYNSEC: 'true',
      MQTT_DYNSEC_ADMIN_USERNAME: ADMIN.username,
      MQTT_DYNSEC_ADMIN_PASSWORD: ADMIN.password,
      MQTT_USERNAME: NODE.username,
      MQTT_PASSWORD: NODE.password,
      MQTT_DYNSEC_RESYNC_S: '0',
    });
    const open: MqttClient[] = [];
    const device = async (id: string, key: string) => {
      const client = await connectMqtt(broker.url, { username: id, password: key, clientId: `${id}-${open.length}` });
      open.push(client);
      return client;
    };
    const points = (id: string) => tp.platform.storage.queryPoints({ deviceId: id, start: 0, end: 2_000_000_000_000, order: 'asc', limit: 100 });
    const values = async (id: string) => (await points(id)).map((p) => [p.field, p.value]);
    const create = async (id: string) => (await tp.newDevice(token, { id, name: id, device_type: 'sensor' })).api_key as string;
    const client = async (username: string) => {
      const [got] = await control.run([{ command: 'getClient', username }]);
      return (got?.data as { client?: { textdescription?: string; disabled?: boolean } } | undefined)?.client;
    };

    before(async () => {
      broker = await startPrivateMosquitto({ dynsec: ADMIN });
      tp = await startPlatform(kind as StorageKind, env());
      token = await tp.adminToken();
      control = await DynsecControl.connect({ url: broker.url, ...ADMIN });
    });
    after(async () => {
      await Promise.all(open.map((c) => c.endAsync(true).catch(() => {})));
      await control?.close();
      await tp?.stop();
      await broker?.destroy();
    });

    test('the node connects as its provisioned client and anonymous clients are refused', async () => {
      const health = await tp.api('GET', '/health?detailed=true');
      assert.equal(health.body.checks.mqtt.ok, true, JSON.stringify(health.body.checks.mqtt));
      assert.equal(health.body.checks.mqtt_dynsec.ok, true);
      assert.notEqual(await refusalCode(broker.url, '', ''), undefined);
    });

    test('a node whose dynsec admin credential is refused stops at start with a message naming the settings', async () => {
      // Storage plays no part here: a SQLite node in a folder of its own.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-dynsec-'));
      try {
        const config = loadConfig({ ...env(), HOST: '127.0.0.1', PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent', ADMIN_PASSWORD: 'admin-test-password-1', MQTT_DYNSEC_ADMIN_PASSWORD: 'wrong-password' });
        const node = await createPlatform(config);
        await assert.rejects(node.listen(), /MQTT_DYNSEC: provisioning on .* failed: .*MQTT_DYNSEC_ADMIN_USERNAME\/PASSWORD/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("a device named like the plugin's admin or the node client is refused and takes nothing over", async () => {
      for (const id of [ADMIN.username, NODE.username]) {
        const res = await tp.api('POST', '/api/v1/devices', { token, body: { id, name: id, device_type: 'sensor' } });
        assert.deepEqual([res.status, res.body.error.code], [409, 'MQTT_USERNAME_TAKEN']);
        assert.equal((await tp.api('GET', `/api/v1/devices/${id}`, { token })).status, 404);
      }
      assert.equal(await refusalCode(broker.url, ADMIN.username, ADMIN.password), undefined);
      assert.equal(await refusalCode(broker.url, NODE.username, NODE.password), undefined);
    });

    test('a provisioned device connects with its id and key and its points are stored', async () => {
      const key = await create('dyn-a');
      const a = await device('dyn-a', key);
      await a.publishAsync('devices/dyn-a/data', JSON.stringify({ power: 1, timestamp: 1_700_000_000_000 }), { qos: 1 });
      assert.deepEqual(await waitFor(() => values('dyn-a'), (v) => v.length === 1, 'dyn-a point'), [['power', 1]]);
    });

    test("a device cannot publish on another device's topic nor subscribe to its commands", async () => {
      const keyB = await create('dyn-b');
      const keyC = await create('dyn-c');
      const b = await device('dyn-b', keyB);
      const c = await device('dyn-c', keyC);
      await c.publishAsync('devices/dyn-c/data', JSON.stringify({ power: 10, timestamp: 1_700_000_000_000 }), { qos: 1 });
      await waitFor(() => values('dyn-c'), (v) => v.length === 1, 'dyn-c point');
      // Mosquitto drops a refused MQTT 3.1.1 publish (it still answers PUBACK): nothing reaches Fluxgate.
      await b.publishAsync('devices/dyn-c/data', JSON.stringify({ power: 666, timestamp: 1_700_000_001_000 }), { qos: 1 });
      await b.publishAsync('devices/dyn-b/data', JSON.stringify({ power: 2, timestamp: 1_700_000_002_000 }), { qos: 1 });
      // dyn-b's own later message is stored, so the forged one had every chance to be.
      assert.deepEqual(await waitFor(() => values('dyn-b'), (v) => v.length === 1, 'dyn-b point'), [['power', 2]]);
      assert.deepEqual(await values('dyn-c'), [['power', 10]]);
      assert.deepEqual(await grantedCodes(b, ['devices/dyn-c/commands', 'devices/+/commands', 'devices/dyn-b/commands']), [128, 128, 1]);
      // An MQTT 5 device is told: PUBACK reason code 0x87 (not authorized).
      const b5 = await connectMqtt(broker.url, { username: 'dyn-b', password: keyB, clientId: 'dyn-b-v5', protocolVersion: 5 });
      open.push(b5);
      const refused = await b5.publishAsync('devices/dyn-c/data', JSON.stringify({ power: 667 }), { qos: 1 }).then(
        () => undefined,
        (err: { code?: number }) => err.code,
      );
      assert.equal(refused, 0x87);
      assert.deepEqual(await values('dyn-c'), [['power', 10]]);
    });

    test('an unknown device or a wrong key is refused at CONNECT', async () => {
      const key = await create('dyn-d');
      assert.equal(await refusalCode(broker.url, 'dyn-d', `${key}x`), 5);
      assert.equal(await refusalCode(broker.url, 'no-such-device', key), 5);
      assert.equal(await refusalCode(broker.url, 'dyn-d', key), undefined);
    });

    test('after a key rotation the old key is refused and the new one works', async () => {
      const oldKey = await create('dyn-e');
      const before = await device('dyn-e', oldKey);
      const cut = closed(before);
      const rotated = await tp.api('POST', '/api/v1/devices/dyn-e/api-key', { token });
      assert.equal(rotated.status, 200);
      await cut; // the connection made with the old key is cut
      assert.equal(await refusalCode(broker.url, 'dyn-e', oldKey), 5);
      const after = await device('dyn-e', rotated.body.api_key);
      await after.publishAsync('devices/dyn-e/data', JSON.stringify({ power: 5, timestamp: 1_700_000_000_000 }), { qos: 1 });
      assert.deepEqual(await waitFor(() => values('dyn-e'), (v) => v.length === 1, 'dyn-e point'), [['power', 5]]);
    });

    test('a disabled (inactive) device is refused until it is active again; a deleted one for good', async () => {
      const key = await create('dyn-f');
      const patch = (status: string) => tp.api('PATCH', '/api/v1/devices/dyn-f', { token, body: { status } });
      const connected = await device('dyn-f', key);
      const cut = closed(connected);
      assert.equal((await patch('inactive')).status, 200);
      await cut; // a connection open when the device is disabled is closed
      assert.equal(await refusalCode(broker.url, 'dyn-f', key), 5);
      assert.equal((await patch('maintenance')).status, 200);
      const again = await device('dyn-f', key);
      const cutAgain = closed(again);
      assert.equal((await tp.api('DELETE', '/api/v1/devices/dyn-f?confirm=true', { token })).status, 204);
      await cutAgain;
      assert.equal(await refusalCode(broker.url, 'dyn-f', key), 5);
      assert.equal(await client('dyn-f'), undefined);
    });

    test('while Mosquitto is down, create, rotate, disable and delete answer 503 and change nothing', async () => {
      const key = await create('dyn-j');
      await broker.stop();
      const dynsecUp = async () => (await tp.api('GET', '/health?detailed=true')).body.checks.mqtt_dynsec.ok as boolean;
      await waitFor(dynsecUp, (ok) => !ok, 'the provisioner to notice');
      const refused = (res: { status: number; body: { error?: { code?: string } } }) => [res.status, res.body.error?.code];
      const unavailable = [503, 'MQTT_PROVISIONING_FAILED'];
      assert.deepEqual(refused(await tp.api('POST', '/api/v1/devices', { token, body: { id: 'dyn-k', name: 'k', device_type: 'sensor' } })), unavailable);
      assert.equal((await tp.api('GET', '/api/v1/devices/dyn-k', { token })).status, 404);
      assert.deepEqual(refused(await tp.api('POST', '/api/v1/devices/dyn-j/api-key', { token })), unavailable);
      assert.deepEqual(refused(await tp.api('PATCH', '/api/v1/devices/dyn-j', { token, body: { status: 'inactive' } })), unavailable);
      assert.deepEqual(refused(await tp.api('DELETE', '/api/v1/devices/dyn-j?confirm=true', { token })), unavailable);
      assert.equal((await tp.api('GET', '/api/v1/devices/dyn-j', { token })).body.status, 'active');
      // The key was not rotated: it still works over HTTP, and over MQTT once Mosquitto is back.
      assert.equal((await tp.api('POST', '/api/v1/telemetry', { apiKey: key, body: { power: 3, timestamp: 1_700_000_000_000 } })).status, 201);
      await broker.start();
      await waitFor(dynsecUp, (ok) => ok, 'the provisioner to reconnect');
      assert.equal(await refusalCode(broker.url, 'dyn-j', key), undefined);
      assert.equal((await tp.api('POST', '/api/v1/devices', { token, body: { id: 'dyn-k', name: 'k', device_type: 'sensor' } })).status, 201);
    });

    test('a restart resyncs what changed while Fluxgate was away, and a second resync changes nothing', async () => {
      const keyG = await create('dyn-g');
      const keyH = await create('dyn-h');
      const keyI = await create('dyn-i');
      assert.equal((await tp.api('PATCH', '/api/v1/devices/dyn-i', { token, body: { status: 'inactive' } })).status, 200);
      const { dataDir, schema } = tp;
      await tp.platform.stop();
      // While Fluxgate is down: a client of a device that no longer exists, a device whose client
      // was lost, an inactive device enabled by hand, and a stale password (an old key of dyn-h).
      const ghost = [
        { command: 'createClient', username: 'dyn-ghost', password: 'ghost-password', textname: 'fluxgate device' },
        { command: 'deleteClient', username: 'dyn-g' },
        { command: 'enableClient', username: 'dyn-i' },
        { command: 'modifyClient', username: 'dyn-h', textdescription: 'key 0000000000000000' },
      ];
      assert.deepEqual((await control.run(ghost)).map((r) => r.error), [undefined, undefined, undefined, undefined]);
      assert.equal(await refusalCode(broker.url, 'dyn-ghost', 'ghost-password'), undefined);

      const restarted = await startPlatform(kind as StorageKind, { ...env(), DATA_DIR: dataDir!, ...(schema ? { DATABASE_SCHEMA: schema } : {}) });
      try {
        const health = await restarted.api('GET', '/health?detailed=true');
        assert.deepEqual(health.body.checks.mqtt_dynsec.last_resync, { at: health.body.checks.mqtt_dynsec.last_resync.at, devices: 10, without_key: 1, stale: 1, enabled: 0, disabled: 1, removed: 1 });
        assert.equal(await client('dyn-ghost'), undefined);
        assert.equal(await refusalCode(broker.url, 'dyn-ghost', 'ghost-password'), 5);
        // Passwords exist only when a key is issued: dyn-g and dyn-h are refused until rotated
        // (dyn-h, still without a key, is counted again by the next resync).
        assert.equal(await client('dyn-g'), undefined);
        assert.equal((await client('dyn-h'))?.textdescription, 'key unknown: rotate the key to connect over MQTT');
        assert.equal(await refusalCode(broker.url, 'dyn-g', keyG), 5);
        assert.equal(await refusalCode(broker.url, 'dyn-h', keyH), 5);
        assert.equal(await refusalCode(broker.url, 'dyn-i', keyI), 5);
        const rotated = await restarted.api('POST', '/api/v1/devices/dyn-g/api-key', { token: await restarted.adminToken() });
        assert.equal(await refusalCode(broker.url, 'dyn-g', rotated.body.api_key), undefined);
      } finally {
        await restarted.stop();
      }
      const again = await startPlatform(kind as StorageKind, { ...env(), MQTT_DYNSEC_RESYNC_S: '1', DATA_DIR: dataDir!, ...(schema ? { DATABASE_SCHEMA: schema } : {}) });
      try {
        const health = await again.api('GET', '/health?detailed=true');
        const { at: _at, ...summary } = health.body.checks.mqtt_dynsec.last_resync;
        assert.deepEqual(summary, { devices: 10, without_key: 1, stale: 0, enabled: 0, disabled: 0, removed: 0 });
        // The periodic resync (the leader's) removes a client that appears while Fluxgate runs.
        assert.equal((await control.run([{ command: 'createClient', username: 'dyn-ghost-2', textname: 'fluxgate device' }]))[0]?.error, undefined);
        await waitFor(() => client('dyn-ghost-2'), (c) => c === undefined, 'the periodic resync');
      } finally {
        await again.stop();
      }
    });
  });
}
