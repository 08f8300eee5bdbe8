// npm run bench:mqtt — MQTT telemetry end to end, beside its references measured in the same run:
//   fluxgate: embedded broker → ingest pipeline → SQLite commit (points stored / s, publish→stored)
//   aedes:    bare aedes 1.2, no auth, no storage, in a child process (bench/lib/bare-aedes.ts); publish→delivered
//   mosquitto: Debian's Mosquitto on its own random port, same subscriber (publish→delivered)
//   external: Fluxgate in external broker mode (MQTT_URL) behind its own Mosquitto → SQLite, beside the
//             embedded row of the same round (external ÷ embedded stored msg/s)
//   stack:    what users assemble instead (issue 17): Mosquitto → a bridge of two shared-subscription QoS 1
//             consumers writing batched line protocol → InfluxDB 1.x (bench/lib/influx-stack.ts), QoS 1 only;
//             stored points/s beside Fluxgate's of the same round. On when Debian's influxd is installed.
// Publishers (lean wire clients, bench/lib/mqtt-wire.ts) run in BENCH_PROCS (2) child processes. Settings: BENCH_PUBLISHERS (10), BENCH_MESSAGES
// measured per publisher (2000) after BENCH_WARMUP unrecorded ones (1000), BENCH_WINDOW in-flight per publisher (100), BENCH_QOS (1,0),
// BENCH_POINTS per message (1,3,10), BENCH_PROTOCOLS (4,5: MQTT 3.1.1 and MQTT 5 publishers and subscriber, both in every round, so
// Fluxgate's MQTT 5 figure stands beside its 3.1.1 one and beside Mosquitto's MQTT 5 one of the same round),
// BENCH_ROUNDS (3: every target once per round, in a rotating order; medians are reported).
// The machine is small and shared: noisy figures.
import { Session } from 'node:inspector/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createPlatform } from '../src/cli/platform.ts';
import { loadConfig } from '../src/config.ts';
import { cpuSeconds, startBareAedes } from './lib/children.ts';
import { startMosquitto } from './lib/mosquitto.ts';
import { STACK_NAME, stackMissing, startInfluxStack } from './lib/influx-stack.ts';
import { WireClient } from './lib/mqtt-wire.ts';
import { mqttFigures } from './lib/results.ts';
import { median } from './lib/table.ts';
import { type PublishersOutput, runPublishers } from './lib/publishers.ts';
import { percentile } from './lib/latency.ts';

const PUBLISHERS = Number(process.env.BENCH_PUBLISHERS ?? 10);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
/** Sent first in the same flow but not recorded: JIT-compiled code and a full pipeline are what a long-running broker has. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const WINDOW = Number(process.env.BENCH_WINDOW ?? 100);
const PROCS = Number(process.env.BENCH_PROCS ?? 2);
const REFILL = Math.max(1, Number(process.env.BENCH_REFILL ?? 1));
const BASE = 1_700_000_000_000;
/** e.g. BENCH_QOS=1 BENCH_POINTS=3 measures one combination only. */
const QOS_LEVELS = (process.env.BENCH_QOS ?? '1,0').split(',').map((q) => (q.trim() === '0' ? 0 : 1) as 0 | 1);
/** A directory: Fluxgate's event loop is CPU-profiled while the publishers run (one .cpuprofile per run). */
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE;
/** e.g. BENCH_TARGETS=fluxgate to profile it alone. */
const TARGETS = (process.env.BENCH_TARGETS ?? `fluxgate,external,aedes,mosquitto${stackMissing() ? '' : ',stack'}`).split(',').map((t) => t.trim());
const POINTS_PER_MESSAGE = (process.env.BENCH_POINTS ?? '1,3,10').split(',').map(Number);
const PROTOCOLS = (process.env.BENCH_PROTOCOLS ?? '4,5').split(',').map((v) => (v.trim() === '5' ? 5 : 4) as 4 | 5);
const protocolName = (v: 4 | 5) => (v === 5 ? 'MQTT 5' : 'MQTT 3.1.1');

/**
 * Arrival time (ms) per device and message. Timestamps are BASE + message number, so each device's
 * arrivals are one typed array indexed by that number: Fluxgate's tracker runs in its own event loop,
 * and a string key and a Map entry per message cost it more than the array write.
 */
class Arrivals {
  private readonly byDevice = new Map<string, Float64Array>();
  /** Distinct messages arrived so far. */
  size = 0;

  set(device: string, ts: number, at: number): void {
    let times = this.byDevice.get(device);
    if (!times) this.byDevice.set(device, (times = new Float64Array(WARMUP + MESSAGES)));
    const n = ts - BASE;
    if (n < 0 || n >= times.length || times[n] !== 0) return;
    times[n] = at;
    this.size++;
  }

  get(device: string, ts: number): number | undefined {
    return this.byDevice.get(device)?.[ts - BASE] || undefined;
  }
}

interface Target {
  name: string;
  url: string;
  creds: Array<{ id: string; username?: string; password?: string }>;
  arrivals: Arrivals;
  pointsPerArrival: number; // fluxgate counts stored points, brokers count messages
  /** CPU seconds the server has used so far, all threads (Fluxgate: this process; brokers: their own). */
  cpuSeconds(): number;
  /** CPU seconds so far per process of the server, when it is several (the stack). */
  cpuParts?(): Record<string, number>;
  /** Brings `arrivals` up to date when they are recorded in another process. */
  sync?(): Promise<void>;
  /** After the run: what the target holds, when it is not what arrived (the stack: InfluxDB's count of points). */
  storedPoints?(): Promise<number>;
  stop(): Promise<void>;
}


async function startProfile() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** `externalUrl`: Fluxgate in external broker mode, a client of that broker, which the publishers use. */
async function fluxgateTarget(points: number, externalUrl?: string): Promise<Target> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-bench-mqtt-'));
  const config = loadConfig({
    DATA_DIR: dir,
    HOST: '127.0.0.1',
    PORT: '0',
    MQTT_PORT: '0',
    ADMIN_PASSWORD: 'bench-admin-password',
    LOG_LEVEL: 'silent',
    ...(externalUrl ? { MQTT_URL: externalUrl } : {}),
    ...(process.env.MQTT_EXTERNAL_CONNECTIONS ? { MQTT_EXTERNAL_CONNECTIONS: process.env.MQTT_EXTERNAL_CONNECTIONS } : {}),
    ...(process.env.MQTT_EXTERNAL_RECEIVE_MAXIMUM ? { MQTT_EXTERNAL_RECEIVE_MAXIMUM: process.env.MQTT_EXTERNAL_RECEIVE_MAXIMUM } : {}),
    ...(process.env.SQLITE_WRITER_THREAD ? { SQLITE_WRITER_THREAD: process.env.SQLITE_WRITER_THREAD } : {}),
  });
  const platform = await createPlatform(config, pino({ level: 'silent' }));
  const { mqttPort } = await platform.listen();
  const admin = await platform.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'bench-admin-password' } });
  const token = (admin.json() as { access_token: string }).access_token;
  const creds: Target['creds'] = [];
  for (let i = 0; i < PUBLISHERS; i++) {
    const res = await platform.http.inject({ method: 'POST', url: '/api/v1/devices', headers: { authorization: `Bearer ${token}` }, payload: { id: `bench-${i}`, name: `bench ${i}` } });
    creds.push({ id: `bench-${i}`, username: `bench-${i}`, password: (res.json() as { api_key: string }).api_key });
  }
  const arrivals = new Arrivals();
  platform.bus.on('points.stored', 'bench', ({ points: stored }) => {
    const now = Date.now();
    for (const p of stored) if (p.field === 'f0') arrivals.set(p.deviceId, p.ts, now);
  });
  return {
    name: externalUrl ? 'fluxgate external (Mosquitto → SQLite)' : 'fluxgate (durable, SQLite)',
    url: externalUrl ?? `mqtt://127.0.0.1:${mqttPort}`,
    // The external broker here lets anyone in; Fluxgate's device keys are for its embedded broker.
    creds: externalUrl ? creds.map(({ id }) => ({ id })) : creds,
    arrivals,
    pointsPerArrival: points,
    cpuSeconds: () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    },
    async stop() {
      await platform.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function subscriberFor(url: string, qos: 0 | 1, arrivals: Arrivals, protocolVersion: 4 | 5): Promise<WireClient> {
  const sub = await WireClient.connect(url, { clientId: `bench-sub-${process.pid}`, protocolVersion });
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
    arrivals.set(device, Number(payload.toString('latin1', TS_AT, payload.indexOf(44, TS_AT))), now);
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

async function aedesTarget(qos: 0 | 1, protocol: 4 | 5): Promise<Target> {
  // In a process of its own, like Mosquitto: the subscriber here must not share its event loop.
  const broker = await startBareAedes();
  const arrivals = new Arrivals();
  const sub = await subscriberFor(broker.url, qos, arrivals, protocol);
  return {
    name: 'bare aedes (no storage)',
    url: broker.url,
    creds: Array.from({ length: PUBLISHERS }, (_, i) => ({ id: `bench-${i}` })),
    arrivals,
    pointsPerArrival: 1,
    cpuSeconds: () => cpuSeconds(broker.pid),
    async stop() {
      await sub.end();
      await broker.stop();
    },
  };
}

async function mosquittoTarget(qos: 0 | 1, protocol: 4 | 5): Promise<Target | undefined> {
  const broker = await startMosquitto('max_inflight_messages 0\nmax_queued_messages 100000\n');
  if (!broker) return undefined;
  const arrivals = new Arrivals();
  const sub = await subscriberFor(broker.url, qos, arrivals, protocol);
  return {
    name: 'Debian Mosquitto (no storage)',
    url: broker.url,
    creds: Array.from({ length: PUBLISHERS }, (_, i) => ({ id: `bench-${i}` })),
    arrivals,
    pointsPerArrival: 1,
    cpuSeconds: () => cpuSeconds(broker.pid),
    async stop() {
      await sub.end();
      await broker.stop();
    },
  };
}

/**
 * Fluxgate in external broker mode behind a Mosquitto of its own. Mosquitto keeps its default
 * in-flight window per connection (max_inflight_messages 20), as a deployment would; its queue per
 * session is raised, since it acknowledges publishers on receipt and queues what the node has not taken.
 */
async function externalTarget(points: number): Promise<Target | undefined> {
  const broker = await startMosquitto('max_queued_messages 1000000\n');
  if (!broker) return undefined;
  const target = await fluxgateTarget(points, broker.url);
  return {
    ...target,
    // This process (Fluxgate) and the broker both serve the messages.
    cpuSeconds: () => target.cpuSeconds() + cpuSeconds(broker.pid),
    cpuParts: () => ({ fluxgate: target.cpuSeconds(), mosquitto: cpuSeconds(broker.pid) }),
    async stop() {
      await target.stop();
      await broker.stop();
    },
  };
}

/**
 * Mosquitto → bridge → InfluxDB: a message has arrived when InfluxDB answered 204 to the write of its
 * batch (the bridge records it; its PUBACK to Mosquitto goes out then). Mosquitto itself acknowledges
 * the publishers on receipt, as it does for the external row.
 */
async function stackTarget(points: number, qos: 0 | 1, protocol: 4 | 5): Promise<Target | string> {
  if (qos !== 1) return 'QoS 1 only (its consumers acknowledge after the write)';
  const stack = await startInfluxStack('devices/+/data', protocol);
  if (typeof stack === 'string') return stack;
  const arrivals = new Arrivals();
  return {
    name: `${STACK_NAME} ${stack.version}`,
    url: stack.url,
    creds: Array.from({ length: PUBLISHERS }, (_, i) => ({ id: `bench-${i}` })),
    arrivals,
    pointsPerArrival: points,
    cpuSeconds: () => Object.values(stack.pids).reduce((n, pid) => n + cpuSeconds(pid), 0),
    cpuParts: () => Object.fromEntries(Object.entries(stack.pids).map(([part, pid]) => [part, cpuSeconds(pid)])),
    async sync() {
      for (const [at, devices, timestamps] of await stack.stored()) {
        for (let i = 0; i < devices.length; i++) arrivals.set(devices[i]!, timestamps[i]!, at);
      }
    },
    storedPoints: () => stack.countPoints(),
    stop: () => stack.stop(),
  };
}

interface Measurement {
  msgPerS: number;
  pointsPerS: number;
  received: number;
  total: number;
  p50: number;
  p99: number;
  /** Server CPU (all threads) per message over warm-up and measured phase, µs. */
  cpuUsPerMsg: number;
  /** The publishers' CPU per message, µs: what the load generator takes from the same cores. */
  loadCpuUsPerMsg: number;
  /** Per process of the server, its CPU per message (µs), when it is several. */
  cpuParts?: Record<string, number>;
  /** Points the target holds after the run (warm-up included), when it counts them itself, and how many were published. */
  stored?: { points: number; published: number };
}

async function measure(target: Target, qos: 0 | 1, points: number, protocolVersion: 4 | 5): Promise<Measurement> {
  const total = PUBLISHERS * MESSAGES;
  const everything = PUBLISHERS * (WARMUP + MESSAGES);
  const profiler = CPU_PROFILE && target.name.startsWith('fluxgate') ? await startProfile() : undefined;
  const cpuBefore = target.cpuSeconds();
  const partsBefore = target.cpuParts?.();
  const groups = Array.from({ length: PROCS }, (_, g) => target.creds.filter((_, i) => i % PROCS === g)).filter((g) => g.length > 0);
  const parts = await Promise.all(
    groups.map((publishers) =>
      runPublishers({ url: target.url, qos, points, messages: MESSAGES, warmup: WARMUP, window: WINDOW, refill: REFILL, topicOf: 'devices/{id}/data', publishers, base: BASE, protocolVersion }),
    ),
  );
  await profiler?.stop(path.join(CPU_PROFILE!, `fluxgate-v${protocolVersion}-qos${qos}-${points}pt-${Date.now()}.cpuprofile`));
  const sent = Object.assign({}, ...parts.map((p) => p.sent)) as PublishersOutput['sent'];
  const loadCpuUsPerMsg = (parts.reduce((n, p) => n + p.cpuSeconds, 0) * 1e6) / everything;
  // QoS 1 to Fluxgate: every PUBACK means stored, so all have arrived. Otherwise wait for stragglers
  // until none came for 2 s (a group commit of a QoS 0 backlog can take longer than a moment on a
  // loaded machine; the rate is taken up to the last arrival, so waiting longer does not lower it).
  let last = -1;
  let still = 0;
  await target.sync?.();
  for (let i = 0; i < 300 && target.arrivals.size < everything && still < 10; i++) {
    still = target.arrivals.size === last ? still + 1 : 0;
    last = target.arrivals.size;
    await new Promise((r) => setTimeout(r, 200));
    await target.sync?.();
  }
  const cpuUsPerMsg = ((target.cpuSeconds() - cpuBefore) * 1e6) / everything;
  const partsAfter = target.cpuParts?.();
  const cpuParts = partsBefore && partsAfter ? Object.fromEntries(Object.entries(partsAfter).map(([part, s]) => [part, ((s - partsBefore[part]!) * 1e6) / everything])) : undefined;
  const latencies: number[] = [];
  let firstSend = Infinity;
  let lastArrival = 0;
  for (const [device, list] of Object.entries(sent)) {
    for (const [ts, at] of list) {
      firstSend = Math.min(firstSend, at);
      const arrived = target.arrivals.get(device, ts);
      if (arrived !== undefined) {
        latencies.push(arrived - at);
        lastArrival = Math.max(lastArrival, arrived);
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const seconds = (lastArrival - firstSend) / 1000;
  const stored = target.storedPoints ? { points: await target.storedPoints(), published: everything * points } : undefined;
  return {
    msgPerS: latencies.length / seconds,
    pointsPerS: (latencies.length * (target.pointsPerArrival === 1 ? 1 : points)) / seconds,
    received: latencies.length,
    total,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuUsPerMsg,
    loadCpuUsPerMsg,
    ...(stored ? { stored } : {}),
    ...(cpuParts ? { cpuParts } : {}),
  };
}

/** The median of the finite values (a latency percentile of a run with no arrivals is NaN). */
const finiteMedian = (values: number[]) => median(values.filter(Number.isFinite));

function medianOf(runs: Measurement[]): Measurement {
  return {
    msgPerS: finiteMedian(runs.map((r) => r.msgPerS)),
    pointsPerS: finiteMedian(runs.map((r) => r.pointsPerS)),
    received: runs.reduce((n, r) => n + r.received, 0),
    total: runs.reduce((n, r) => n + r.total, 0),
    p50: finiteMedian(runs.map((r) => r.p50)),
    p99: finiteMedian(runs.map((r) => r.p99)),
    cpuUsPerMsg: finiteMedian(runs.map((r) => r.cpuUsPerMsg)),
    loadCpuUsPerMsg: finiteMedian(runs.map((r) => r.loadCpuUsPerMsg)),
    ...(runs.some((r) => r.stored)
      ? { stored: { points: runs.reduce((n, r) => n + (r.stored?.points ?? 0), 0), published: runs.reduce((n, r) => n + (r.stored?.published ?? 0), 0) } }
      : {}),
  };
}

const measured: Parameters<typeof mqttFigures>[0] = [];
const STACK_RATIO = `Fluxgate ÷ ${STACK_NAME.replace(/ /g, '')} stack`;
/** "N of M points published" and whether that is all of them. */
const storedCheck = ({ points, published }: { points: number; published: number }) =>
  `${points.toLocaleString('en-US')} of ${published.toLocaleString('en-US')} points published${points === published ? '' : ' — MISMATCH'}`;
const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const all = {
  fluxgate: (points: number) => fluxgateTarget(points),
  external: (points: number) => externalTarget(points),
  aedes: (_points: number, qos: 0 | 1, protocol: 4 | 5) => aedesTarget(qos, protocol),
  mosquitto: (_points: number, qos: 0 | 1, protocol: 4 | 5) => mosquittoTarget(qos, protocol),
  stack: (points: number, qos: 0 | 1, protocol: 4 | 5) => stackTarget(points, qos, protocol),
};
const missing = stackMissing();
if (missing && (process.env.BENCH_TARGETS === undefined || TARGETS.includes('stack'))) console.log(`SKIP stack (${STACK_NAME}): ${missing}`);
const names = TARGETS.filter((t): t is keyof typeof all => t in all && !(t === 'stack' && missing));
if (names.includes('stack') && QOS_LEVELS.includes(0)) console.log(`stack (${STACK_NAME}): QoS 1 only, not run at QoS 0`);
const STACK_TARGET = '≥ 2×';
const header = '| target | protocol | QoS | points/msg | msg/s | stored points/s | received | p50 ms | p99 ms | server CPU µs/msg | publishers CPU µs/msg |\n|---|---|---|---|---|---|---|---|---|---|---|';
console.log(
  `MQTT benchmark: ${PUBLISHERS} publishers in ${PROCS} processes × (${WARMUP} warm-up + ${MESSAGES} measured) messages, window ${WINDOW}, loopback, ` +
    `${PROTOCOLS.map(protocolName).join(' and ')}, ${ROUNDS} round(s) per combination, ${os.cpus().length} cores (shared: noisy)`,
);
const medians: string[] = [];
for (const qos of QOS_LEVELS) {
  for (const points of POINTS_PER_MESSAGE) {
    /** Per protocol, per target name: the runs. */
    const runs = new Map<4 | 5, Map<string, Measurement[]>>(PROTOCOLS.map((v) => [v, new Map()]));
    const ratios = new Map<4 | 5, number[]>(PROTOCOLS.map((v) => [v, []]));
    /** Per round, Fluxgate's MQTT 5 msg/s ÷ its MQTT 3.1.1 msg/s. */
    const v5ToV4: number[] = [];
    /** Per protocol: per round, external mode's stored msg/s ÷ embedded mode's. */
    const externalRatios = new Map<4 | 5, number[]>(PROTOCOLS.map((v) => [v, []]));
    /** Per protocol: per round, Fluxgate's stored points/s ÷ the Mosquitto → bridge → InfluxDB stack's. */
    const stackRatios = new Map<4 | 5, number[]>(PROTOCOLS.map((v) => [v, []]));
    const namesHere = names.filter((n) => n !== 'stack' || qos === 1);
    for (let round = 0; round < ROUNDS; round++) {
      const fluxgateIn = new Map<4 | 5, Measurement>();
      // The protocols alternate from round to round, as the targets rotate.
      const protocols = round % 2 === 0 ? PROTOCOLS : [...PROTOCOLS].reverse();
      for (const protocol of protocols) {
        // A rotating order, so no target is always the first one after a change of combination.
        const order = namesHere.map((_, i) => namesHere[(i + round) % namesHere.length]!);
        const inRound = new Map<string, Measurement>();
        for (const name of order) {
          const target = await all[name](points, qos, protocol);
          if (!target || typeof target === 'string') {
            console.log(typeof target === 'string' ? `round ${round + 1}: SKIP ${name}: ${target}` : `round ${round + 1}: ${name} not available`);
            continue;
          }
          try {
            const r = await measure(target, qos, points, protocol);
            inRound.set(name, r);
            const list = runs.get(protocol)!;
            list.set(target.name, [...(list.get(target.name) ?? []), r]);
            console.log(
              `round ${round + 1}: ${target.name}, ${protocolName(protocol)}, QoS ${qos}, ${points} point(s)/msg: ${fmt(r.msgPerS)} msg/s, p50 ${fmt(r.p50)} ms, ` +
                `${r.received}/${r.total}, server CPU ${r.cpuUsPerMsg.toFixed(1)} µs/msg, publishers ${r.loadCpuUsPerMsg.toFixed(1)}`,
            );
            if (r.stored) console.log(`round ${round + 1}: ${target.name} holds ${storedCheck(r.stored)}`);
            if (r.cpuParts) {
              const parts = Object.entries(r.cpuParts).map(([part, us]) => `${part} ${us.toFixed(1)}`);
              console.log(`round ${round + 1}: ${target.name}, server CPU µs/msg by process: ${parts.join(', ')}`);
            }
          } finally {
            await target.stop();
          }
        }
        const ours = inRound.get('fluxgate');
        const reference = inRound.get('mosquitto') ?? inRound.get('aedes');
        if (ours && reference) ratios.get(protocol)!.push(ours.msgPerS / reference.msgPerS);
        if (ours) fluxgateIn.set(protocol, ours);
        const external = inRound.get('external');
        if (ours && external) externalRatios.get(protocol)!.push(external.msgPerS / ours.msgPerS);
        const stack = inRound.get('stack');
        if (ours && stack) stackRatios.get(protocol)!.push(ours.pointsPerS / stack.pointsPerS);
      }
      const v4 = fluxgateIn.get(4);
      const v5 = fluxgateIn.get(5);
      if (v4 && v5) v5ToV4.push(v5.msgPerS / v4.msgPerS);
    }
    for (const protocol of PROTOCOLS) {
      for (const [target, list] of runs.get(protocol)!) {
        const r = medianOf(list);
        const fluxgate = target.startsWith('fluxgate');
        const external = target.startsWith('fluxgate external');
        const stored = fluxgate || target.startsWith(STACK_NAME) ? fmt(r.pointsPerS) : '—';
        const rs = (external ? externalRatios : ratios).get(protocol)!;
        const received = `${r.received}/${r.total}${r.stored ? `; holds ${storedCheck(r.stored)}` : ''}`;
        medians.push(`| ${target} | ${protocolName(protocol)} | ${qos} | ${points} | ${fmt(r.msgPerS)} | ${stored} | ${received} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.cpuUsPerMsg.toFixed(1)} | ${r.loadCpuUsPerMsg.toFixed(1)} |`);
        measured.push({
          target,
          protocol,
          qos,
          points,
          ...r,
          ...(fluxgate && rs.length > 0 ? { ratio: finiteMedian(rs), ratios: rs } : {}),
          ...(fluxgate && !external && protocol === 5 && v5ToV4.length > 0 ? { toV4: v5ToV4 } : {}),
          ...(fluxgate && !external && stackRatios.get(protocol)!.length > 0 ? { stackRatios: stackRatios.get(protocol)! } : {}),
        });
      }
      const toStack = stackRatios.get(protocol)!;
      if (toStack.length > 0) {
        const ratio = finiteMedian(toStack);
        const perRound = toStack.map((x) => x.toFixed(2)).join(', ');
        medians.push(
          `| ${STACK_RATIO} (target ${STACK_TARGET}) | ${protocolName(protocol)} | ${qos} | ${points} | | ${ratio.toFixed(2)}× (${ratio >= 2 ? 'met' : 'not met'}; per round ${perRound}) | | | | | |`,
        );
      }
    }
  }
}
console.log(`\nMedians over ${ROUNDS} round(s):`);
console.log(header);
for (const line of medians) console.log(line);
for (const r of measured.filter((m) => m.ratios)) {
  const what = r.target.startsWith('fluxgate external') ? 'external ÷ embedded Fluxgate' : 'Fluxgate ÷ reference';
  console.log(`${protocolName(r.protocol ?? 4)}, QoS ${r.qos}, ${r.points} point(s)/msg: ${what} per round ${r.ratios!.map((x) => x.toFixed(2)).join(', ')}; median ${r.ratio!.toFixed(2)}`);
}
for (const r of measured.filter((m) => m.stackRatios)) {
  const ratio = finiteMedian(r.stackRatios!);
  console.log(
    `${protocolName(r.protocol ?? 4)}, QoS ${r.qos}, ${r.points} point(s)/msg: ${STACK_RATIO} (target ${STACK_TARGET}), stored points/s, per round ` +
      `${r.stackRatios!.map((x) => x.toFixed(2)).join(', ')}; median ${ratio.toFixed(2)} (${ratio >= 2 ? 'met' : 'not met'})`,
  );
}
for (const r of measured.filter((m) => m.toV4)) {
  console.log(`QoS ${r.qos}, ${r.points} point(s)/msg: Fluxgate MQTT 5 ÷ MQTT 3.1.1 per round ${r.toV4!.map((x) => x.toFixed(2)).join(', ')}; median ${finiteMedian(r.toV4!).toFixed(2)}`);
}
// External mode's ceiling is its broker's own pass-through rate, which embedded mode does not pay.
for (const r of measured.filter((m) => m.target.startsWith('fluxgate external'))) {
  const mosquitto = measured.find((m) => m.target.startsWith('Debian Mosquitto') && m.protocol === r.protocol && m.qos === r.qos && m.points === r.points);
  if (mosquitto) console.log(`${protocolName(r.protocol ?? 4)}, QoS ${r.qos}, ${r.points} point(s)/msg: external ÷ bare Mosquitto pub→sub (medians) ${(r.msgPerS / mosquitto.msgPerS).toFixed(2)}`);
}
mqttFigures(measured);
console.log('\nTargets: QoS 1 durable ≥ 50,000 msg/s of 3 points and ≥ 0.8× bare Mosquitto QoS 1 in the same run (issue 3); MQTT 5 QoS 1 ≥ 0.9× MQTT 3.1.1 and ≥ 0.8× Mosquitto MQTT 5 (issue 20).');
console.log('Target (issue 19): one node in external broker mode ≥ 0.8× embedded stored QoS 1 msg/s in the same run.');
console.log(`Target (issue 17): Fluxgate's durable stored QoS 1 points/s ${STACK_TARGET} the ${STACK_NAME} stack's in the same run.`);
process.exit(0);
