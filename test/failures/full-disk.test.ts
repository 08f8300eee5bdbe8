// A full disk under DATA_DIR (a size-limited tmpfs mounted for this test, so root only). While it
// is full: /health is unhealthy, HTTP ingest answers 503 STORAGE_UNAVAILABLE, MQTT withholds the
// PUBACK. Once space is freed the same process recovers by itself; every acknowledged point is
// stored and SQLite's integrity_check is clean.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { connectMqtt } from '../helpers/mqtt.ts';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';
import { allStoredPoints, storedPointQueries } from '../helpers/stored-telemetry.ts';
import { postPoints, publishOutcome, until } from './ingest-probe.ts';

function skipReason(): string | undefined {
  let message: string | undefined;
  if (process.platform !== 'linux') message = 'a size-limited tmpfs needs Linux';
  else if (process.getuid?.() !== 0) message = 'mounting a size-limited tmpfs as DATA_DIR needs root';
  if (!message) return undefined;
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true requires it`);
  console.warn(`SKIP: ${message}`);
  return `SKIP: ${message}`;
}

/** Writes zeros to `file` until the file system refuses (ENOSPC). */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

const skip = skipReason();

describe('full disk under DATA_DIR', { skip: skip ?? false, timeout: 120_000 }, () => {
  let mount: string;
  let mounted = false;
  let tp: TestPlatform;
  let device: { id: string; apiKey: string };
  const t0 = Date.now() - 3_600_000;

  before(async () => {
    mount = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-fulldisk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount]);
    mounted = true;
    tp = await startTestPlatform({ RATE_LIMIT_INGEST: '0' }, mount);
    device = await tp.createDevice('disk');
  });
  after(async () => {
    await tp?.stop({ keepData: true });
    if (mounted) execFileSync('umount', [mount]);
    rmdirSync(mount);
  });

  test('refuses while full, acknowledges nothing it did not store, recovers when space returns', async () => {
    const filler = path.join(mount, 'filler');
    const mqtt = await connectMqtt(tp.mqttUrl, { clientId: 'disk-dev', username: device.id, password: device.apiKey });
    const topic = `devices/${device.id}/data`;
    assert.equal(await publishOutcome(mqtt, topic, JSON.stringify({ m: 1, timestamp: t0 - 1 })), 'puback');

    fillDisk(filler);
    // SQLite may still fit a few writes in pages it already has: send growing batches until refused.
    const acked: number[] = [];
    let next = 0;
    const refusal = await until('ingest refused with 503', async () => {
      const batch = Array.from({ length: 500 }, (_, i) => ({ v: next + i, timestamp: t0 + next + i }));
      const out = await postPoints(tp.url, device.apiKey, batch);
      if (out.status === 201) acked.push(...batch.map((p) => p.timestamp));
      next += batch.length;
      return out.status === 201 ? undefined : out;
    });
    assert.deepEqual(refusal, { status: 503, code: 'STORAGE_UNAVAILABLE', retryAfter: '1' });
    const health = await tp.request('GET', '/health?detailed=true');
    assert.equal(health.status, 503);
    assert.equal(health.body.checks.ingest.ok, false);
    assert.match(health.body.checks.ingest.last_error, /full/i);
    const big = Array.from({ length: 500 }, (_, i) => ({ m: i, timestamp: t0 - 1000 - i }));
    assert.equal(await publishOutcome(mqtt, topic, JSON.stringify(big)), 'closed', 'no PUBACK for what cannot be stored');
    await mqtt.endAsync(true);

    rmSync(filler);
    const after = Array.from({ length: 500 }, (_, i) => ({ v: next + i, timestamp: t0 + next + i }));
    assert.equal((await postPoints(tp.url, device.apiKey, after)).status, 201);
    acked.push(...after.map((p) => p.timestamp));
    assert.equal((await tp.request('GET', '/health')).status, 200);
    const again = await connectMqtt(tp.mqttUrl, { clientId: 'disk-dev', username: device.id, password: device.apiKey });
    assert.equal(await publishOutcome(again, topic, JSON.stringify(big)), 'puback');
    await again.endAsync();

    const db = new Database(path.join(mount, 'fluxgate.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const pointsOf = (field: string) => {
        const q = storedPointQueries(field);
        const old = db.prepare(q.oldRows).all() as Array<{ device_id: string; ts: number; num: number }>;
        return allStoredPoints(old, db.prepare(q.chunks).all() as Array<{ device_id: string; data: Buffer }>).filter((p) => p.device_id === device.id);
      };
      const rows = pointsOf('v');
      const stored = new Set(rows.map((p) => p.ts));
      assert.deepEqual(acked.filter((ts) => !stored.has(ts)), [], 'every acknowledged point is stored');
      assert.equal(stored.size, rows.length, 'no point is stored twice');
      const rollup = db.prepare("SELECT COALESCE(SUM(count), 0) FROM rollup_hour WHERE device_id = ? AND field = 'v'").pluck().get(device.id);
      assert.equal(rollup, stored.size, 'rollups count each stored point once');
      assert.equal(pointsOf('m').length, 501);
    } finally {
      db.close();
    }
  });
});
