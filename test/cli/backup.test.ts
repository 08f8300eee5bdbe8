// `fluxgate backup`, `fluxgate restore` and `fluxgate admin storage` as an operator runs them: an
// online backup taken while points keep arriving holds every point acknowledged before it started,
// restore refuses a running platform and an occupied DATA_DIR (unless --replace, which keeps the old
// database), and a platform started on the restored DATA_DIR serves the backed-up data.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type CliRun, listening, runningCli, startCli, stopCli } from '../helpers/cli-process.ts';
import { request } from '../helpers/platform.ts';

const BIN = path.resolve('bin/fluxgate.js');
const ADMIN_PASSWORD = 'admin-password-1';
const baseEnv = (dataDir: string): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? os.tmpdir(),
  HOST: '127.0.0.1',
  PORT: '0',
  MQTT_PORT: '0',
  LOG_LEVEL: 'info',
  ADMIN_PASSWORD,
  DATA_DIR: dataDir,
});
const run = (args: string[], env: Record<string, string>): CliRun => startCli(BIN, args, env);

async function adminToken(base: string): Promise<string> {
  const res = await request<{ access_token: string }>(base, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  assert.equal(res.status, 200);
  return res.body.access_token;
}

async function pointsStored(base: string, token: string): Promise<{ points: number; storage: { kind: string; bytes: number; bytes_per_point: number | null } }> {
  const res = await request<{ points_stored: number; storage: { kind: string; bytes: number; bytes_per_point: number | null } }>(base, 'GET', '/api/v1/admin/stats', { token });
  assert.equal(res.status, 200);
  return { points: res.body.points_stored, storage: res.body.storage };
}

describe('fluxgate backup / restore / admin storage (SQLite)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-backup-'));
  const live = path.join(root, 'live');
  const backup = path.join(root, 'backup');
  const restored = path.join(root, 'restored');
  after(() => {
    for (const child of runningCli) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('backs up online while points arrive; restore refuses a running platform; admin storage lists the tables', async () => {
    const platform = run(['start'], baseEnv(live));
    const base = `http://127.0.0.1:${await listening(platform)}`;
    try {
      const token = await adminToken(base);
      const device = await request<{ api_key: string }>(base, 'POST', '/api/v1/devices', { token, body: { id: 'meter-1', name: 'Meter' } });
      assert.equal(device.status, 201);
      const key = device.body.api_key;
      const t0 = Date.now() - 3_600_000;
      let sent = 0;
      const post = async () => {
        const body = Array.from({ length: 50 }, (_, i) => ({ timestamp: t0 + (sent + i) * 1000, power: sent + i }));
        const res = await request(base, 'POST', '/api/v1/telemetry', { apiKey: key, body });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        sent += 50;
      };
      for (let i = 0; i < 20; i++) await post();
      const acknowledgedBefore = sent;

      // Ingest goes on during the backup.
      let ingesting = true;
      const writer = (async () => {
        while (ingesting) await post();
      })();
      const made = run(['backup', backup], baseEnv(live));
      const code = await made.exited;
      ingesting = false;
      await writer;
      assert.equal(code, 0, made.stderr());
      assert.match(made.stdout(), /^backup in .*: schema \d+, database \d+ bytes, 0 device files$/m);
      const manifest = JSON.parse(readFileSync(path.join(backup, 'backup.json'), 'utf8')) as { format: string; schema_version: number };
      assert.equal(manifest.format, 'fluxgate-backup-1');

      const busy = run(['restore', backup, '--replace'], baseEnv(live));
      assert.equal(await busy.exited, 1);
      assert.match(busy.stderr(), /a Fluxgate process is running on DATA_DIR=.*: stop it before restoring/);

      const again = run(['backup', backup], baseEnv(live));
      assert.equal(await again.exited, 1);
      assert.match(again.stderr(), /is not empty: give a new folder/);

      const stats = await pointsStored(base, token);
      assert.equal(stats.points, sent);
      assert.equal(stats.storage.kind, 'sqlite');
      assert.ok(stats.storage.bytes > 0 && stats.storage.bytes_per_point !== null && stats.storage.bytes_per_point > 0);

      // Restore into a new DATA_DIR and start there: every point acknowledged before the backup is back.
      const restore = run(['restore', backup], baseEnv(restored));
      assert.equal(await restore.exited, 0, restore.stderr());
      assert.match(restore.stdout(), /^restored the backup of .* \(schema \d+\); start the platform to use it$/m);
      const second = run(['start'], baseEnv(restored));
      const base2 = `http://127.0.0.1:${await listening(second)}`;
      try {
        const back = await pointsStored(base2, await adminToken(base2));
        assert.ok(back.points >= acknowledgedBefore && back.points <= sent, `${back.points} points restored, ${acknowledgedBefore} acknowledged before the backup, ${sent} in all`);
        const latest = await request<{ values: Record<string, number> }>(base2, 'GET', '/api/v1/telemetry/meter-1/latest', { apiKey: key });
        assert.equal(latest.status, 200, JSON.stringify(latest.body));
        assert.equal(latest.body.values.power, back.points - 1, 'points are stored in order, so the newest is the last one counted');
      } finally {
        await stopCli(second);
      }
    } finally {
      await stopCli(platform);
    }

    const report = run(['admin', 'storage'], baseEnv(live));
    assert.equal(await report.exited, 0, report.stderr());
    assert.match(report.stdout(), /^storage: SQLite \(.*fluxgate\.db\)$/m);
    assert.match(report.stdout(), /bytes per point, everything included/);
    assert.match(report.stdout(), /^\| chunks \| [\d.]+ MiB \| [\d.]+ % \|$/m);
    assert.match(report.stdout(), /^\| rollup_hour \| /m);
    assert.match(report.stdout(), /^layout: compressed chunks per series and day, .* compaction backlog \d+ chunks/m);
  });

  it('restore refuses an occupied DATA_DIR unless --replace, and then keeps the old database', async () => {
    const refused = run(['restore', backup], baseEnv(restored));
    assert.equal(await refused.exited, 1);
    assert.match(refused.stderr(), /already has a database: add --replace/);
    const replaced = run(['restore', backup, '--replace'], baseEnv(restored));
    assert.equal(await replaced.exited, 0, replaced.stderr());
    assert.match(replaced.stdout(), /the previous database is kept as .*fluxgate\.db\.before-restore-/);
    assert.equal(readdirSync(restored).filter((f) => f.startsWith('fluxgate.db.before-restore-')).length, 1);
    assert.ok(existsSync(path.join(restored, 'fluxgate.db')));
  });

  it('says what to do instead for PostgreSQL, and what is wrong with a folder that is not a backup', async () => {
    const pg = run(['backup', path.join(root, 'pg')], { ...baseEnv(live), DATABASE_URL: 'postgres://127.0.0.1:5432/test' });
    assert.equal(await pg.exited, 1);
    assert.match(pg.stderr(), /stores in PostgreSQL \(DATABASE_URL\): back it up with pg_dump/);
    const notBackup = run(['restore', live], baseEnv(path.join(root, 'elsewhere')));
    assert.equal(await notBackup.exited, 1);
    assert.match(notBackup.stderr(), /is not a Fluxgate backup/);
  });
});
