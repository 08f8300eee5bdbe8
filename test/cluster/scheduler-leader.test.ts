// One scheduler: periodic jobs on shared data (command expiry, log retention, rule timers) run on
// exactly one node. Two real `fluxgate start` processes on one PostgreSQL schema: one leads, the
// other's job counters stay at zero; SIGKILL the leader and the other takes over. With SQLite the
// only node always leads.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type CliRun, listening, runningCli, startCli, stopCli } from '../helpers/cli-process.ts';
import { type Json, request, startPlatform } from '../helpers/platform.ts';
import { TEST_DATABASE_URL, dropSchema, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';

const BIN = path.resolve('bin/fluxgate.js');

interface Scheduler {
  leader: boolean;
  lock: string;
  job_runs: Record<string, number>;
}

async function scheduler(port: number): Promise<Scheduler> {
  const res = await request<Json>(`http://127.0.0.1:${port}`, 'GET', '/health?detailed=true');
  return res.body.checks.scheduler as Scheduler;
}

/** Polls until `check` holds; fails with `what` after `limitMs` (a bound for a broken build, not a timing claim). */
async function eventually<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, limitMs = 30_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scheduler on SQLite', () => {
  it('the only node always leads and runs the jobs', async () => {
    const tp = await startPlatform('sqlite', { RULES_TICK_MS: '50' });
    try {
      const port = Number(new URL(tp.baseUrl).port);
      const s = await eventually('rule timers never ran', () => scheduler(port), (v) => (v.job_runs['rule-timers'] ?? 0) > 0);
      assert.equal(s.leader, true);
      assert.equal(s.lock, 'single-node');
    } finally {
      await tp.stop();
    }
  });
});

const pgSkip = await postgresSkipReason();

describe('scheduler on PostgreSQL (two nodes)', { skip: pgSkip ?? false }, () => {
  const schema = uniqueSchema('leader');
  const dirs: string[] = [];
  after(async () => {
    for (const child of runningCli) child.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchema(schema);
  });

  function node(): CliRun {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-leader-'));
    dirs.push(dataDir);
    return startCli(BIN, ['start'], {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      HOST: '127.0.0.1',
      PORT: '0',
      MQTT_ENABLED: 'false',
      LOG_LEVEL: 'info',
      ADMIN_PASSWORD: 'admin-password-1',
      DATA_DIR: dataDir,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      SCHEDULER_LOCK_RETRY_MS: '200',
      RULES_TICK_MS: '50',
    });
  }

  it('exactly one node runs the jobs, and the other takes over when it is killed', async (t) => {
    // One after the other, so the second does not race the first one's migrations.
    const first = node();
    const firstPort = await listening(first);
    const second = node();
    const secondPort = await listening(second);
    const nodes = [
      { run: first, port: firstPort },
      { run: second, port: secondPort },
    ];

    const both = () => Promise.all(nodes.map((n) => scheduler(n.port)));
    const states = await eventually('no node became leader', both, (s) => s.some((x) => x.leader && (x.job_runs['rule-timers'] ?? 0) > 0));
    assert.deepEqual(states.map((s) => s.lock), ['postgres-advisory-lock', 'postgres-advisory-lock']);
    assert.equal(states.filter((s) => s.leader).length, 1, `exactly one leader: ${JSON.stringify(states)}`);
    const leaderIndex = states.findIndex((s) => s.leader);
    const leader = nodes[leaderIndex]!;
    const follower = nodes[1 - leaderIndex]!;
    // The leader keeps running its jobs; the follower never runs one.
    const before = states[leaderIndex]!.job_runs['rule-timers']!;
    await eventually('the leader stopped ticking', () => scheduler(leader.port), (s) => s.job_runs['rule-timers']! > before);
    assert.deepEqual((await scheduler(follower.port)).job_runs, {}, 'the follower ran no job');
    assert.equal(states[leaderIndex]!.job_runs['log-retention'], 1, 'the new leader swept old logs once');
    const metrics = await request(`http://127.0.0.1:${follower.port}`, 'GET', '/metrics', {
      token: (await request(`http://127.0.0.1:${follower.port}`, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'admin-password-1' } })).body.access_token,
    });
    assert.match(metrics.text, /^fluxgate_scheduler_leader 0$/m);

    leader.run.child.kill('SIGKILL');
    await leader.run.exited;
    const killedAt = Date.now();
    const took = await eventually('the follower did not take over', () => scheduler(follower.port), (s) => s.leader && (s.job_runs['rule-timers'] ?? 0) > 0);
    t.diagnostic(`take-over seen ${Date.now() - killedAt} ms after the leader died (SCHEDULER_LOCK_RETRY_MS=200)`);
    assert.equal(took.lock, 'postgres-advisory-lock');
    assert.equal(took.job_runs['log-retention'], 1, 'the node that took over swept old logs once');
    assert.match(follower.run.stdout(), /this node now runs the scheduled jobs/);

    // A restarted node joins as a follower: the lock is taken.
    const again = node();
    const againPort = await listening(again);
    await new Promise((r) => setTimeout(r, 1000));
    const [a, b] = await Promise.all([scheduler(againPort), scheduler(follower.port)]);
    assert.equal(a.leader, false);
    assert.deepEqual(a.job_runs, {});
    assert.equal(b.leader, true);
    await stopCli(again);
    await stopCli(follower.run);
  });
});
