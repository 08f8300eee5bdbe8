// Kill a node: three nodes behind nginx (npm run cluster's set-up) take HTTP and MQTT QoS 1
// telemetry (MQTT over WebSocket through nginx) while one node after another is SIGKILLed at a
// random moment and started again. At the end every acknowledged point is stored exactly once
// (rows and rollup counts), every command the platform accepted reached its device, and a dashboard
// stream through nginx went on receiving points after reconnecting to a node that was alive.
// `npm run test:kill-node` (not in `npm test`: it takes 30–60 s; CI runs it on its own, after test:crash).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Cluster, startCluster } from '../../scripts/cluster/cluster.ts';
import { type DeviceCredentials, type Ledger, type LoadClient, httpClient, mqttClient } from '../crash/load-clients.ts';
import { readPostgres } from '../crash/stored-points.ts';
import { TEST_DATABASE_URL } from '../helpers/services.ts';
import { clusterSkipReason } from './cluster-skip.ts';
import { CommandDevice, commandSender } from './command-device.ts';
import { ReconnectingStream } from './reconnecting-stream.ts';

const skip = await clusterSkipReason();
const CYCLES = 10;
const ADMIN_PASSWORD = 'cluster-admin-password-1';

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Commands the scheduler leader sent again because they were still pending (each logs a warning). */
function resentCommands(cluster: Cluster): number {
  let n = 0;
  for (const node of cluster.nodes) {
    const log = readFileSync(path.join(node.dataDir, 'node.log'), 'utf8');
    n += log.split('\n').filter((line) => line.includes('sent again a command still pending')).length;
  }
  return n;
}

async function api(baseUrl: string, method: string, pathname: string, body?: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(baseUrl + pathname, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  assert.ok(res.status < 300, `${method} ${pathname} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

describe('kill a node of the cluster (nginx, Mosquitto, PostgreSQL)', { skip: skip ?? false, timeout: 300_000 }, () => {
  let cluster: Cluster;
  let passed = false;

  before(async () => {
    cluster = await startCluster({
      nodes: 3,
      databaseUrl: TEST_DATABASE_URL,
      adminPassword: ADMIN_PASSWORD,
      nodeEnv: { RATE_LIMIT_INGEST: '0', RATE_LIMIT_API: '0' },
    });
  });
  after(async () => {
    await cluster?.stop({ keepFiles: !passed });
  });

  test(`${CYCLES} SIGKILLs: no acknowledged point lost or stored twice, commands delivered, the stream goes on`, async () => {
    const base = cluster.url;
    const token = (await api(base, 'POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).access_token as string;
    const devices: DeviceCredentials[] = [];
    for (const id of ['kn-http-0', 'kn-http-1', 'kn-mqtt-0', 'kn-mqtt-1', 'kn-cmd']) {
      devices.push({ id, apiKey: (await api(base, 'POST', '/api/v1/devices', { id, name: id }, token)).api_key as string });
    }
    const [http0, http1, mqtt0, mqtt1, cmd] = devices as [DeviceCredentials, DeviceCredentials, DeviceCredentials, DeviceCredentials, DeviceCredentials];
    const t0 = Date.now() - 3_600_000;
    const bases = new Map(devices.map((d) => [d.id, t0]));
    const ledger: Ledger = { acked: new Map(), sent: new Map() };
    const stream = new ReconnectingStream(`${base.replace('http', 'ws')}/api/v1/stream`, token, [http0.id]);
    await stream.start();
    const device = new CommandDevice(cluster.mqttWsUrl, cmd);
    await device.subscribed();
    const clients: LoadClient[] = [
      // Paced too: the point is crashes under steady traffic, not saturating two cores.
      httpClient(base, http0, t0, 10, ledger, 100),
      httpClient(base, http1, t0, 10, ledger, 100),
      // The broker PUBACKs on receipt, before a node stored anything: paced, so the nodes keep up.
      mqttClient(cluster.mqttWsUrl, mqtt0, t0, 5, 20, ledger, 50),
      mqttClient(cluster.mqttWsUrl, mqtt1, t0, 5, 20, ledger, 50),
    ];
    const commands = commandSender(base, token, cmd.id, 200);
    const ackedNow = () => [...ledger.acked.values()].reduce((n, s) => n + s.size, 0);
    const highestAcked = (id: string) => Math.max(-1, ...(ledger.acked.get(id) ?? []));

    // A node restarts in the background (start-up takes seconds) while the next cycle kills another:
    // at most two nodes are down at once, one always serves. The node killed least often goes next.
    const restarting = new Map<number, Promise<void>>();
    const kills = cluster.nodes.map(() => 0);
    const up = () => cluster.nodes.map((_, i) => i).filter((i) => !restarting.has(i));
    try {
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const before = ackedNow();
        const deadline = Date.now() + 300 + Math.random() * 1700;
        while (Date.now() < deadline || ackedNow() === before || up().length < 2) await new Promise((r) => setTimeout(r, 10));
        const fewest = Math.min(...up().map((i) => kills[i]!));
        const candidates = up().filter((i) => kills[i] === fewest);
        const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
        const node = cluster.nodes[victim]!;
        await node.kill();
        kills[victim]!++;
        const startedAt = performance.now();
        restarting.set(
          victim,
          (async () => {
            await new Promise((r) => setTimeout(r, Math.random() * 300));
            await node.start();
            console.log(`${node.name} back after ${Math.round(performance.now() - startedAt)} ms`);
            restarting.delete(victim);
          })(),
        );
        // The stream (reconnected, if its node was the victim) receives points stored after the kill.
        const mark = highestAcked(http0.id);
        await until(`cycle ${cycle}: the stream receives new points`, () => (stream.highest(http0.id) > mark ? true : undefined));
        console.log(`cycle ${cycle}/${CYCLES}: killed ${node.name}; ${ackedNow()} points acknowledged, ${commands.accepted.size} commands accepted, stream connection #${stream.connections}`);
      }
      await Promise.all(restarting.values());
      for (const c of clients) c.quiesce();
      await until('pending sends acknowledged', async () => {
        await Promise.all(clients.map((c) => c.drained()));
        return true;
      });
      await commands.stop();

      // MQTT points were acknowledged by the broker; the nodes store them from their shared subscriptions.
      const stored = await until('every acknowledged point stored', async () => {
        const rows = await readPostgres(TEST_DATABASE_URL, cluster.schema, bases);
        const complete = [...ledger.acked].every(([id, seqs]) => [...seqs].every((s) => rows.get(id)?.values.has(s)));
        return complete ? rows : undefined;
      }).catch(async () => readPostgres(TEST_DATABASE_URL, cluster.schema, bases));

      const missing: string[] = [];
      const duplicates: string[] = [];
      for (const [id, seqs] of ledger.acked) {
        const d = stored.get(id) ?? { values: new Map<number, number>(), rows: 0, rollupCount: 0 };
        for (const s of seqs) if (d.values.get(s) !== s) missing.push(`${id}#${s}`);
        if (d.rows !== d.values.size) duplicates.push(`${id}: ${d.rows} rows for ${d.values.size} points`);
        if (d.rollupCount !== d.values.size) duplicates.push(`${id}: rollups count ${d.rollupCount} for ${d.values.size} points`);
      }
      const undelivered = await until('every accepted command delivered', () => {
        const left = [...commands.accepted].filter((id) => !device.received.has(id));
        return left.length === 0 ? left : undefined;
      }).catch(() => [...commands.accepted].filter((id) => !device.received.has(id)));

      console.log(
        `${CYCLES} kills: ${ackedNow()} points acknowledged (${missing.length} missing, ${duplicates.length} duplicate findings), ` +
          `${commands.accepted.size} commands accepted (${undelivered.length} undelivered; ${resentCommands(cluster)} sent again by the leader, ` +
          `${device.deliveries - device.received.size} received twice), ${stream.connections} stream connections`,
      );
      assert.deepEqual(missing.slice(0, 10), [], 'acknowledged points missing');
      assert.deepEqual(duplicates, [], 'points stored twice');
      assert.deepEqual(undelivered, [], 'accepted commands never delivered');
      assert.deepEqual([...clients.flatMap((c) => c.errors), ...commands.errors], [], 'client errors');
      assert.ok(stream.connections > 1, 'the stream reconnected after its node was killed');
      assert.ok(commands.accepted.size > CYCLES, 'commands were sent throughout');
      passed = true;
    } finally {
      await commands.stop();
      await Promise.allSettled(restarting.values());
      stream.close();
      await device.close();
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
    }
  });
});
