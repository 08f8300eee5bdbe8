// `npm run cluster` (scripts/cluster.ts) as a user runs it: it prints the URLs of a working cluster
// (API through nginx, MQTT over WebSocket through nginx with the broker secured by dynamic security, each node), and on SIGTERM stops every
// process it started, removes its folder and drops its PostgreSQL schema.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import mqtt from 'mqtt';
import pg from 'pg';
import { TEST_DATABASE_URL } from '../helpers/services.ts';
import { clusterSkipReason } from './cluster-skip.ts';

const skip = await clusterSkipReason();

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
  } finally {
    await client.end();
  }
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('npm run cluster prints working URLs and stops everything on SIGTERM', { skip: skip ?? false, timeout: 180_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', '--nodes', '2', '--database-url', TEST_DATABASE_URL], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (out.includes('Ctrl-C stops everything')) {
          clearInterval(check);
          resolve();
        } else if (child.exitCode !== null) {
          clearInterval(check);
          reject(new Error(`cluster exited while starting:\n${out}`));
        }
      }, 100);
    });
    const api = /Dashboard and HTTP API\s+(\S+)\/\s/.exec(out)?.[1];
    const mqttWs = /MQTT over WebSocket\s+(\S+)/.exec(out)?.[1];
    const schema = /PostgreSQL schema\s+(\S+)/.exec(out)?.[1];
    const dir = /cluster is up \((\S+)\)/.exec(out)?.[1];
    const nodePids = [...out.matchAll(/node-\d+\s+\S+\s+pid (\d+)/g)].map((m) => Number(m[1]));
    assert.ok(api && mqttWs && schema && dir, `URLs printed:\n${out}`);
    assert.equal(nodePids.length, 2);

    const health = await fetch(`${api}/health`);
    assert.equal(health.status, 200);
    const password = /\(admin \/ (\S+)\)/.exec(out)?.[1];
    const login = await fetch(`${api}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    assert.equal(login.status, 200, 'the printed admin password works through nginx');
    assert.match(out, /Broker access\s+dynamic security: devices connect with their id and API key/);
    // The broker is secured: no anonymous client; a device created through the API connects with its key.
    await assert.rejects(mqtt.connectAsync(mqttWs, { reconnectPeriod: 0, connectTimeout: 5000 }), /Not authorized/);
    const token = ((await login.json()) as { access_token: string }).access_token;
    const created = await fetch(`${api}/api/v1/devices`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ id: 'cluster-plug', name: 'Plug' }) });
    assert.equal(created.status, 201);
    const key = ((await created.json()) as { api_key: string }).api_key;
    const client = await mqtt.connectAsync(mqttWs, { reconnectPeriod: 0, connectTimeout: 5000, username: 'cluster-plug', password: key });
    await client.endAsync();
    assert.equal(await schemaExists(schema), true);

    child.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.match(out, /SIGTERM: stopping the cluster…\nstopped/);
    assert.deepEqual(nodePids.filter(pidAlive), [], 'nodes stopped');
    assert.equal(existsSync(dir), false, 'folder removed');
    assert.equal(await schemaExists(schema), false, 'schema dropped');
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  }
});
