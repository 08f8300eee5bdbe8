// npm run bench:mqtt — MQTT telemetry end to end, beside its references measured in the same run:
//   fluxgate: embedded broker → ingest pipeline → SQLite commit (points stored / s, publish→stored)
//   aedes:    bare aedes 1.2, no auth, no storage, in a child process (bench/lib/bare-aedes.ts); publish→delivered
//   mosquitto: Debian's Mosquitto on its own random port, same subscriber (publish→delivered)
// Publishers (lean wire clients, bench/lib/mqtt-wire.ts) run in BENCH_PROCS (2) child processes; the subscriber too is one. Settings: BENCH_PUBLISHERS (10), BENCH_MESSAGES per publisher
// (2000), BENCH_WINDOW in-flight per publisher (100), BENCH_QOS (1,0), BENCH_POINTS per message (1,3,10). The machine is small and shared: noisy figures.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createPlatform } from '../src/cli/platform.ts';
import { loadConfig } from '../src/config.ts';
import { startBareAedes } from './lib/children.ts';
import { WireClient } from './lib/mqtt-wire.ts';
import { mqttFigures } from './lib/results.ts';

const PUBLISHERS = Number(process.env.BENCH_PUBLISHERS ?? 10);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 100);
const PROCS = Number(process.env.BENCH_PROCS ?? 2);
const BASE = 1_700_000_000_000;
/** e.g. BENCH_QOS=1 BENCH_POINTS=3 measures one combination only. */
const QOS_LEVELS = (process.env.BENCH_QOS ?? '1,0').split(',').map((q) => (q.trim() === '0' ? 0 : 1) as 0 | 1);
/** e.g. BENCH_TARGETS=fluxgate to profile it alone. */
const TARGETS = (process.env.BENCH_TARGETS ?? 'fluxgate,aedes,mosquitto').split(',').map((t) => t.trim());
const POINTS_PER_MESSAGE = (process.env.BENCH_POINTS ?? '1,3,10').split(',').map(Number);

type Arrivals = Map<string, number>; // `${device}:${ts}` → arrival ms

interface Target {
  name: string;
  url: string;
  creds: Array<{ id: string; username?: string; password?: string }>;
  arrivals: Arrivals;
  pointsPerArrival: number; // fluxgate counts stored points, brokers count messages
  stop(): Promise<void>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function runPublishers(job: object): Promise<Record<string, Array<[number, number]>>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./mqtt-publishers.ts', import.meta.url).pathname], {
      env: { ...process.env, BENCH_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, Array<[number, number]>>) : reject(new Error(`publishers exited ${code}`))));
  });
}

async function fluxgateTarget(points: number): Promise<Target> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-bench-mqtt-'));
  const config = loadConfig({ DATA_DIR: dir, HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', ADMIN_PASSWORD: 'bench-admin-password', LOG_LEVEL: 'silent', ...(process.env.SQLITE_WRITER_THREAD ? { SQLITE_WRITER_THREAD: process.env.SQLITE_WRITER_THREAD } : {}) });
  const platform = await createPlatform(config, pino({ level: 'silent' }));
  const { mqttPort } = await platform.listen();
  const admin = await platform.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'bench-admin-password' } });
  const token = (admin.json() as { access_token: string }).access_token;
  const creds: Target['creds'] = [];
  for (let i = 0; i < PUBLISHERS; i++) {
    const res = await platform.http.inject({ method: 'POST', url: '/api/v1/devices', headers: { authorization: `Bearer ${token}` }, payload: { id: `bench-${i}`, name: `bench ${i}` } });
    creds.push({ id: `bench-${i}`, username: `bench-${i}`, password: (res.json() as { api_key: string }).api_key });
  }
  const arrivals: Arrivals = new Map();
  platform.bus.on('points.stored', 'bench', ({ points: stored }) => {
    const now = Date.now();
    for (const p of stored) if (p.field === 'f0') arrivals.set(`${p.deviceId}:${p.ts}`, now);
  });
  return {
    name: 'fluxgate (durable, SQLite)',
    url: `mqtt://127.0.0.1:${mqttPort}`,
    creds,
    arrivals,
    pointsPerArrival: points,
    async stop() {
      await platform.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function subscriberFor(url: string, qos: 0 | 1, arrivals: Arrivals): Promise<WireClient> {
  const sub = await WireClient.connect(url, { clientId: `bench-sub-${process.pid}` });
  await sub.subscribe('devices/+/data', qos);
  // The subscriber must not become the limit of what it measures: the timestamp is read straight
  // from the payload the publishers wrote ({"timestamp":N,…}), and PUBACKs of one read go in one write.
  const TS_AT = '{"timestamp":'.length;
  let corked = false;
  sub.onPacket = (packet) => {
    if (packet.cmd !== 'publish') return;
    const now = Date.now();
    const device = packet.topic.slice(packet.topic.indexOf('/') + 1, packet.topic.lastIndexOf('/'));
    const payload = packet.payload as Buffer;
    arrivals.set(`${device}:${payload.toString('latin1', TS_AT, payload.indexOf(44, TS_AT))}`, now);
    if (packet.qos !== 1) return;
    if (!corked) {
      corked = true;
      sub.socket.cork();
      queueMicrotask(() => ((corked = false), sub.socket.uncork()));
    }
    sub.send({ cmd: 'puback', messageId: packet.messageId! });
  };
  return sub;
}

async function aedesTarget(qos: 0 | 1): Promise<Target> {
  // In a process of its own, like Mosquitto: the subscriber here must not share its event loop.
  const broker = await startBareAedes();
  const arrivals: Arrivals = new Map();
  const sub = await subscriberFor(broker.url, qos, arrivals);
  return {
    name: 'bare aedes (no storage)',
    url: broker.url,
    creds: Array.from({ length: PUBLISHERS }, (_, i) => ({ id: `bench-${i}` })),
    arrivals,
    pointsPerArrival: 1,
    async stop() {
      await sub.end();
      await broker.stop();
    },
  };
}

async function mosquittoTarget(qos: 0 | 1): Promise<Target | undefined> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-bench-mosq-'));
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 0\nmax_queued_messages 100000\nset_tcp_nodelay true\n`);
  let child: ChildProcess;
  try {
    child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const failed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    const tryConnect = (n: number) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => (n > 50 ? resolve(true) : setTimeout(() => tryConnect(n + 1), 100)));
    };
    tryConnect(0);
  });
  if (failed) return undefined;
  const url = `mqtt://127.0.0.1:${port}`;
  const arrivals: Arrivals = new Map();
  const sub = await subscriberFor(url, qos, arrivals);
  return {
    name: 'Debian Mosquitto (no storage)',
    url,
    creds: Array.from({ length: PUBLISHERS }, (_, i) => ({ id: `bench-${i}` })),
    arrivals,
    pointsPerArrival: 1,
    async stop() {
      await sub.end();
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function measure(target: Target, qos: 0 | 1, points: number) {
  const total = PUBLISHERS * MESSAGES;
  const groups = Array.from({ length: PROCS }, (_, g) => target.creds.filter((_, i) => i % PROCS === g)).filter((g) => g.length > 0);
  const parts = await Promise.all(
    groups.map((publishers) =>
      runPublishers({ url: target.url, qos, points, messages: MESSAGES, window: WINDOW, topicOf: 'devices/{id}/data', publishers, base: BASE }),
    ),
  );
  const sent = Object.assign({}, ...parts) as Record<string, Array<[number, number]>>;
  // QoS 1 to Fluxgate: every PUBACK means stored, so all have arrived. Otherwise wait for stragglers
  // until none came for 2 s (a group commit of a QoS 0 backlog can take longer than a moment on a
  // loaded machine; the rate is taken up to the last arrival, so waiting longer does not lower it).
  let last = -1;
  let still = 0;
  for (let i = 0; i < 300 && target.arrivals.size < total && still < 10; i++) {
    still = target.arrivals.size === last ? still + 1 : 0;
    last = target.arrivals.size;
    await new Promise((r) => setTimeout(r, 200));
  }
  const latencies: number[] = [];
  let firstSend = Infinity;
  let lastArrival = 0;
  for (const [device, list] of Object.entries(sent)) {
    for (const [ts, at] of list) {
      firstSend = Math.min(firstSend, at);
      const arrived = target.arrivals.get(`${device}:${ts}`);
      if (arrived !== undefined) {
        latencies.push(arrived - at);
        lastArrival = Math.max(lastArrival, arrived);
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const seconds = (lastArrival - firstSend) / 1000;
  return {
    msgPerS: latencies.length / seconds,
    pointsPerS: (latencies.length * (target.pointsPerArrival === 1 ? 1 : points)) / seconds,
    received: latencies.length,
    total,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const rows: string[] = [];
const measured: Parameters<typeof mqttFigures>[0] = [];
const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
console.log(`MQTT benchmark: ${PUBLISHERS} publishers in ${PROCS} processes × ${MESSAGES} messages, window ${WINDOW}, loopback, ${os.cpus().length} cores (shared: noisy)`);
console.log('| target | QoS | points/msg | msg/s | stored points/s | received | p50 ms | p99 ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const qos of QOS_LEVELS) {
  for (const points of POINTS_PER_MESSAGE) {
    const all: Record<string, () => Promise<Target | undefined>> = { fluxgate: () => fluxgateTarget(points), aedes: () => aedesTarget(qos), mosquitto: () => mosquittoTarget(qos) };
    const makers = TARGETS.map((t) => all[t]).filter((m) => m !== undefined);
    for (const make of makers) {
      const target = await make();
      if (!target) {
        console.log(`| mosquitto not available | ${qos} | ${points} | | | | | |`);
        continue;
      }
      try {
        const r = await measure(target, qos, points);
        const stored = target.name.startsWith('fluxgate') ? fmt(r.pointsPerS) : '—';
        const line = `| ${target.name} | ${qos} | ${points} | ${fmt(r.msgPerS)} | ${stored} | ${r.received}/${r.total} | ${fmt(r.p50)} | ${fmt(r.p99)} |`;
        console.log(line);
        rows.push(line);
        measured.push({ target: target.name, qos, points, ...r });
      } finally {
        await target.stop();
      }
    }
  }
}
mqttFigures(measured);
console.log('\nTargets (issue 3): QoS 1 durable ≥ 50,000 msg/s of 3 points and ≥ 0.8× bare Mosquitto QoS 1 in the same run.');
process.exit(0);
