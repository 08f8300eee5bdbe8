// npm run bench:rules [-- --only ingest,webhook,silence] — issue 16's performance targets, each figure
// beside a reference measured in the same run. The platform runs as a child process (`fluxgate start`,
// fresh SQLite DATA_DIR, devices provisioned straight into it); the load comes from other child processes.
//   ingest:  MQTT QoS 1 ingest, 1,000 devices, with 1,000 rules (one per device) ÷ the same without rules
//   webhook: probe point published → "raised" webhook received by a real HTTP receiver in this process,
//            while a fleet of devices publishes in the background (target 10,000 msg/s); reference: the
//            same probes with no background load
//   silence: 10,000 devices whose last point is at the same instant and a "no data for D s" rule over
//            all of them: when the 10,000th alarm is raised (target ≤ 2 D), and /health p99 meanwhile
//            beside /health p99 of the quiet seconds before
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import type { Condition, NewRule, RuleDefinition } from '../src/domain/rule.ts';
import { hashPassword } from '../src/services/passwords.ts';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.ts';
import { adminToken, getJson, sendJson } from './lib/api.ts';
import { ADMIN_PASSWORD, startPlatform } from './lib/children.ts';
import { provision, startFleet } from './lib/fleet.ts';
import { sampleHealth } from './lib/health-sampler.ts';
import { percentile } from './lib/latency.ts';
import { WireClient } from './lib/mqtt-wire.ts';
import { runPublishers } from './lib/publishers.ts';
import { printHardware } from './lib/raw-storage.ts';
import { type Figure, recordResults } from './lib/results.ts';
import { fmt, median, printTable } from './lib/table.ts';
import { startWebhookReceiver } from './lib/webhook-receiver.ts';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: 'ingest,webhook,silence' },
    rounds: { type: 'string', default: '3' },
    devices: { type: 'string', default: '1000' },
    messages: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '10' },
    window: { type: 'string', default: '4' },
    rate: { type: 'string', default: '10000' },
    'background-devices': { type: 'string', default: '1000' },
    probes: { type: 'string', default: '100' },
    'silent-devices': { type: 'string', default: '10000' },
    'silence-s': { type: 'string', default: '60' },
  },
});
const only = new Set(args.only.split(',').map((s) => s.trim()));
const figures: Figure[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The load average as `uptime` shows it: the machine is shared, so every figure is printed with it. */
function readLoad(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * A fresh DATA_DIR with `count` devices of type "bench" (the provisioning template removed), owned by
 * the admin the benches log in as (the platform creates no admin when a user exists already).
 */
async function freshFleet(count: number): Promise<{ dataDir: string; devices: Array<{ id: string; key: string }> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-bench-rules-'));
  const devices = await provision(dataDir, count);
  const db = new BetterSqlite3(path.join(dataDir, 'fluxgate.db'));
  db.prepare(`DELETE FROM devices WHERE id = 'conn-template'`).run();
  db.prepare(`UPDATE users SET username = 'admin', role = 'admin', password_hash = ? WHERE id = 'bench-owner'`).run(await hashPassword(ADMIN_PASSWORD));
  db.close();
  return { dataDir, devices };
}

// ---- 1. ingest with and without rules ----

/** Rule i watches device i; kinds rotate so every kind of per-point work is in the mix. None ever fires. */
function quietRule(deviceId: string, i: number): NewRule {
  const conditions: Condition[] = [
    { kind: 'compare', field: 'f0', op: 'gt', value: 1e9 },
    { kind: 'range', field: 'f1', mode: 'outside', min: -1e9, max: 1e9 },
    { kind: 'rate', field: 'f2', window_s: 60, per: 'second', op: 'gt', value: 1e12 },
    { kind: 'any', conditions: [{ kind: 'compare', field: 'f0', op: 'lt', value: -1e9 }, { kind: 'no_data', for_s: 86_400 }] },
  ];
  const definition: RuleDefinition = { target: { kind: 'device', device_id: deviceId }, condition: conditions[i % conditions.length]!, for_s: 0, clear: { hysteresis: 0, delay_s: 0 }, severity: 'warning', escalation: [] };
  return { id: `bench-rule-${i}`, ownerId: 'bench-owner', name: `bench rule ${i}`, description: '', enabled: true, definition };
}

/**
 * Rules written before the platform starts, so it has loaded all of them before it listens (rules
 * created over the API are loaded one after another in the background, which would overlap the run).
 */
async function storeRules(dataDir: string, rules: readonly NewRule[]): Promise<void> {
  const storage = new SqliteStorage(path.join(dataDir, 'fluxgate.db'));
  for (const rule of rules) await storage.createRule(rule);
  await storage.close();
}

async function ingestRun(withRules: boolean): Promise<number> {
  const devicesN = Number(args.devices);
  const { dataDir, devices } = await freshFleet(devicesN);
  if (withRules) await storeRules(dataDir, devices.map((d, i) => quietRule(d.id, i)));
  const platform = await startPlatform({ dataDir, startTimeoutMs: 120_000 });
  try {
    const messages = Number(args.messages);
    const warmup = Number(args.warmup);
    const creds = devices.map((d) => ({ id: d.id, username: d.id, password: d.key }));
    const groups = [0, 1].map((g) => creds.filter((_, i) => i % 2 === g));
    // An hour back, well inside the quiet rules' "no data for a day": points a day old would make that
    // leaf true and raise an alarm per rule of that kind during the run.
    const base = Date.now() - 3_600_000;
    const parts = await Promise.all(
      groups.map((publishers) =>
        runPublishers({ url: `mqtt://127.0.0.1:${platform.mqttPort}`, qos: 1, points: 3, messages, warmup, window: Number(args.window), refill: 1, topicOf: 'devices/{id}/data', publishers, base }),
      ),
    );
    // Rate over the measured messages: first measured send → last PUBACK (QoS 1: after commit).
    let first = Infinity;
    let count = 0;
    for (const p of parts) {
      for (const list of Object.values(p.sent)) {
        for (const [, at] of list) first = Math.min(first, at);
        count += list.length;
      }
    }
    const last = Math.max(...parts.map((p) => p.finishedAt));
    if (withRules) {
      // The quiet rules must stay quiet: an alarm raised meanwhile would measure alarm writes, not rule evaluation.
      const { total: open } = await getJson<{ total: number }>(`${platform.url}/api/v1/alarms/counts`, await adminToken(platform.url));
      if (open > 0) throw new Error(`${open} alarms were raised during the ingest run with quiet rules`);
    }
    return count / ((last - first) / 1000);
  } finally {
    await platform.stop();
  }
}

async function ingestScenario(): Promise<void> {
  const rounds = Number(args.rounds);
  const without: number[] = [];
  const withRules: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [false, true] : [true, false];
    const got = new Map<boolean, number>();
    for (const rules of order) got.set(rules, await ingestRun(rules));
    without.push(got.get(false)!);
    withRules.push(got.get(true)!);
    ratios.push(got.get(true)! / got.get(false)!);
    console.log(`ingest round ${round + 1}: without rules ${fmt(got.get(false)!)} msg/s, with ${args.devices} rules ${fmt(got.get(true)!)} msg/s (${(ratios.at(-1)! * 100).toFixed(0)}%), load ${readLoad()}`);
  }
  const ratio = median(ratios);
  printTable(
    `MQTT QoS 1 ingest, ${args.devices} devices, 3 points/msg, median of ${rounds} rounds`,
    ['run', 'msg/s', 'vs without rules', 'target ≥ 90%'],
    [
      ['without rules (reference)', fmt(median(without)), '100%', ''],
      [`with ${args.devices} rules, one per device`, fmt(median(withRules)), `${(ratio * 100).toFixed(0)}%`, ratio >= 0.9 ? 'yes' : 'NO'],
    ],
  );
  figures.push({
    name: `MQTT QoS 1 ingest with ${args.devices} rules over ${args.devices} devices`,
    value: median(withRules),
    unit: 'msg/s',
    kind: 'throughput',
    reference: { name: 'same run without rules', value: median(without), unit: 'msg/s' },
    ratio,
    target: '≥ 90% of the run without rules',
    met: ratio >= 0.9,
  });
}

// ---- 2. condition met → webhook received, under background load ----

async function webhookScenario(): Promise<void> {
  const receiver = await startWebhookReceiver();
  const background = Number(args['background-devices']);
  const { dataDir, devices } = await freshFleet(background);
  const platform = await startPlatform({ dataDir, env: { WEBHOOK_ALLOW_PRIVATE: 'true' }, startTimeoutMs: 120_000 });
  let fleet: Awaited<ReturnType<typeof startFleet>> | undefined;
  try {
    const token = await adminToken(platform.url);
    const probe = await sendJson<{ id: string; api_key: string }>('POST', `${platform.url}/api/v1/devices`, token, { id: 'probe', name: 'Latency probe' });
    await sendJson('PUT', `${platform.url}/api/v1/notifications/preferences`, token, { severities: ['critical'], channels: { webhook: { url: receiver.url, secret: 'bench-webhook-secret' } } });
    await sendJson('POST', `${platform.url}/api/v1/rules`, token, {
      name: 'probe level high',
      target: { kind: 'device', device_id: 'probe' },
      condition: { kind: 'compare', field: 'level', op: 'gt', value: 50 },
      severity: 'critical',
    });
    const client = await WireClient.connect(`mqtt://127.0.0.1:${platform.mqttPort}`, { clientId: 'bench-probe', username: probe.id, password: probe.api_key });
    let ts = Date.now();
    /** Raise and clear the probe's alarm `n` times; latency of publish → "raised" webhook, ms. */
    const probeRuns = async (n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const sentAt = Date.now();
        client.publish('devices/probe/data', `{"timestamp":${++ts},"level":100}`, 1);
        out.push((await receiver.next('raised', 'probe', 60_000)).at - sentAt);
        client.publish('devices/probe/data', `{"timestamp":${++ts},"level":0}`, 1);
        await receiver.next('cleared', 'probe', 60_000);
      }
      return out.sort((a, b) => a - b);
    };
    const probes = Number(args.probes);
    await probeRuns(5); // warm-up
    const idle = await probeRuns(probes);

    const rate = Number(args.rate);
    fleet = await startFleet({ port: platform.mqttPort!, devices, procs: 2, intervalMs: Math.round((background * 1000) / rate), connectConcurrency: 100, baseTs: Date.now() - 86_400_000 });
    await sleep(3000); // the fleet's publishing spreads out over its interval
    const acked = async () => (await fleet!.status()).reduce((n, s) => n + s.acked, 0);
    const before = await acked();
    const t0 = Date.now();
    const loaded = await probeRuns(probes);
    // One status read for both: the clients' latency sample is per read.
    const after = await fleet.status();
    const achieved = (after.reduce((n, s) => n + s.acked, 0) - before) / ((Date.now() - t0) / 1000);
    const pubacks = after.flatMap((s) => s.latencies).sort((a, b) => a - b);
    await client.end();

    const p99 = percentile(loaded, 99);
    printTable(
      `Probe point published → "raised" webhook received (${probes} probes each, raise then clear)`,
      ['while', 'p50 ms', 'p99 ms', 'max ms', 'target p99 < 1,000 ms'],
      [
        ['no background load (reference)', fmt(percentile(idle, 50)), fmt(percentile(idle, 99)), fmt(idle.at(-1)!), ''],
        [`${background} devices publishing, ${fmt(achieved)} msg/s achieved (asked ${fmt(rate)})`, fmt(percentile(loaded, 50)), fmt(p99), fmt(loaded.at(-1)!), p99 < 1000 ? 'yes' : 'NO'],
      ],
    );
    console.log(`background publish → PUBACK meanwhile: p50 ${fmt(percentile(pubacks, 50))} ms, p99 ${fmt(percentile(pubacks, 99))} ms; load ${readLoad()}`);
    if (achieved < rate * 0.95) console.log(`note: this machine reached ${fmt(achieved)} msg/s of background load, not the ${fmt(rate)} the target names`);
    figures.push({
      name: `condition met → webhook received, while ingesting ${fmt(achieved)} msg/s`,
      value: p99,
      unit: 'ms',
      kind: 'latency',
      p50Ms: percentile(loaded, 50),
      p99Ms: p99,
      reference: { name: 'same probes without background load, p99', value: percentile(idle, 99), unit: 'ms' },
      ratio: p99 / percentile(idle, 99),
      target: 'p99 < 1 s while ingesting 10,000 msg/s',
      met: p99 < 1000 && achieved >= rate * 0.95 ? true : p99 < 1000 ? undefined : false,
      note: `background ${fmt(achieved)} msg/s achieved of ${fmt(rate)} asked`,
    });
  } finally {
    if (fleet) await fleet.stop(1000).catch(() => fleet!.kill());
    await platform.stop();
    await receiver.close();
  }
}

// ---- 3. 10,000 devices going silent at once ----

async function silenceScenario(): Promise<void> {
  const count = Number(args['silent-devices']);
  const silenceS = Number(args['silence-s']);
  const { dataDir, devices } = await freshFleet(count);
  // Every device's last point at the same instant, and the rule, are in storage before the platform
  // starts: it restores both (a seek per series), so silence is counted from that instant.
  const silentFrom = Date.now();
  const storage = new SqliteStorage(path.join(dataDir, 'fluxgate.db'));
  await storage.writePoints(devices.map((d) => ({ deviceId: d.id, ts: silentFrom, field: 'v', value: 1, meta: null })));
  await storage.close();
  await storeRules(dataDir, [
    {
      id: 'bench-fleet-silent',
      ownerId: 'bench-owner',
      name: 'fleet silent',
      description: '',
      enabled: true,
      definition: { target: { kind: 'device_type', device_type: 'bench' }, condition: { kind: 'no_data', for_s: silenceS }, for_s: 0, clear: { hysteresis: 0, delay_s: 0 }, severity: 'warning', escalation: [] },
    },
  ]);
  const platform = await startPlatform({ dataDir, startTimeoutMs: silenceS * 1000 });
  const health = sampleHealth(platform.url, 20);
  try {
    const token = await adminToken(platform.url);
    const watchedAt = Date.now();
    if (watchedAt - silentFrom > silenceS * 1000 - 2000) throw new Error(`starting took ${watchedAt - silentFrom} ms, too close to the silence (${silenceS} s): raise --silence-s`);
    const open = async () => (await getJson<{ total: number }>(`${platform.url}/api/v1/alarms/counts`, token)).total;
    const deadline = silentFrom + silenceS * 4000;
    let n = 0;
    while (Date.now() < deadline) {
      n = await open();
      if (n >= count) break;
      await sleep(250);
    }
    const allAt = Date.now();
    const newest = await getJson<{ alarms: Array<{ raised_at: string }> }>(`${platform.url}/api/v1/alarms?limit=1`, token);
    const lastRaised = newest.alarms[0] ? Date.parse(newest.alarms[0].raised_at) : NaN;
    const due = silentFrom + silenceS * 1000;
    const quiet = health.between(watchedAt, due - 1000);
    const burst = health.between(due - 1000, Math.max(allAt, lastRaised) + 1000);
    const tookS = (lastRaised - silentFrom) / 1000;
    const met = n >= count && tookS <= 2 * silenceS;
    printTable(
      `${fmt(count)} devices silent from the same instant, rule "no data for ${silenceS} s" (one device-type rule)`,
      ['figure', 'value', 'reference (same run)', 'target', 'met'],
      [
        ['alarms raised', `${fmt(n)} of ${fmt(count)}`, '', `${fmt(count)}`, n >= count ? 'yes' : 'NO'],
        ['silence → last alarm raised', `${tookS.toFixed(1)} s`, `the condition's ${silenceS} s`, `≤ ${2 * silenceS} s (2×)`, met ? 'yes' : 'NO'],
        ['alarms due → last raised', `${((lastRaised - due) / 1000).toFixed(1)} s`, '', '', ''],
        ['/health p99 while raising', `${burst.p99.toFixed(1)} ms (p50 ${burst.p50.toFixed(1)}, ${burst.count} requests)`, `quiet before: p99 ${quiet.p99.toFixed(1)} ms (${quiet.count} requests)`, '< 100 ms', burst.p99 < 100 ? 'yes' : 'NO'],
      ],
    );
    console.log(`load ${readLoad()}`);
    figures.push({
      name: `${fmt(count)} "no data" alarms raised after ${silenceS} s of silence`,
      value: tookS,
      unit: 's',
      reference: { name: "the condition's duration", value: silenceS, unit: 's' },
      ratio: tookS / silenceS,
      target: '≤ 2× the duration, every alarm raised',
      met,
    });
    figures.push({
      name: `/health p99 while ${fmt(count)} alarms are raised`,
      value: burst.p99,
      unit: 'ms',
      kind: 'latency',
      p50Ms: burst.p50,
      p99Ms: burst.p99,
      reference: { name: '/health p99 in the quiet seconds before', value: quiet.p99, unit: 'ms' },
      ratio: burst.p99 / quiet.p99,
      target: 'p99 < 100 ms',
      met: burst.p99 < 100,
    });
  } finally {
    await health.stop();
    await platform.stop();
  }
}

printHardware(`Rules bench (issue 16): ${[...only].join(', ')}; load average at start ${readLoad()}`);
if (only.has('ingest')) await ingestScenario();
if (only.has('webhook')) await webhookScenario();
if (only.has('silence')) await silenceScenario();
recordResults('rules', figures);
process.exit(0);
