// npm run soak -- --minutes 10 [--rate-fraction 0.5] [--http-rate R --mqtt-rate M] [--sample 5]
// Soak: HTTP batches and MQTT QoS 1 messages into one platform node (a child process, SQLite in its
// own DATA_DIR) at half the maximum measured first (both together, 10 s), for --minutes. Every
// --sample seconds it reads the server's /metrics (prom-client defaults): resident memory and
// event-loop lag (p99 of the interval, prom-client resets its histogram per scrape). The verdict
// compares the first and last quartile of the samples after a warm-up (the first 20%, at most
// 60 s) and fits a line through them. At the end, every acknowledged point is counted in storage.
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import mqtt from 'mqtt';
import { adminToken, createDevices } from './lib/api.ts';
import { METRICS_TOKEN, startPlatform } from './lib/children.ts';
import { runLoad } from './lib/load.ts';
import { Clock, batchBody } from './lib/points.ts';
import { printHardware } from './lib/raw-storage.ts';
import { type Figure, recordResults } from './lib/results.ts';
import { fmt, median, printTable } from './lib/table.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'rate-fraction': { type: 'string', default: '0.5' },
    /** HTTP requests/s (100 points each); measured when absent. */
    'http-rate': { type: 'string' },
    /** MQTT messages/s (5 points each); measured when absent. */
    'mqtt-rate': { type: 'string' },
    sample: { type: 'string', default: '5' },
    'max-seconds': { type: 'string', default: '10' },
    out: { type: 'string', default: path.join(import.meta.dirname, 'report', 'soak-samples.csv') },
  },
});
const MINUTES = Number(args.minutes);
const FRACTION = Number(args['rate-fraction']);
const SAMPLE_MS = Number(args.sample) * 1000;
const HTTP_DEVICES = 16;
const MQTT_DEVICES = 16;
const BATCH = 100;
const MQTT_FIELDS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  t: number; // seconds since the soak started
  rssMiB: number;
  heapMiB: number;
  lagP99Ms: number;
  lagMeanMs: number;
}

async function scrape(base: string): Promise<Omit<Sample, 't'>> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const value = (name: string) => Number(new RegExp(`^fluxgate_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rssMiB: value('process_resident_memory_bytes') / 2 ** 20,
    heapMiB: value('nodejs_heap_size_used_bytes') / 2 ** 20,
    lagP99Ms: value('nodejs_eventloop_lag_p99_seconds') * 1000,
    lagMeanMs: value('nodejs_eventloop_lag_mean_seconds') * 1000,
  };
}

/** MQTT devices publishing QoS 1 messages of MQTT_FIELDS points, at `rate` msg/s overall or as fast as `window` allows. */
class MqttDriver {
  acked = 0;
  sent = 0;
  errors = 0;
  private readonly latencies: number[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;

  private constructor(
    private readonly clients: Array<{ id: string; client: mqtt.MqttClient; inflight: number }>,
    private readonly clock: Clock,
  ) {}

  static async connect(url: string, devices: Array<{ id: string; key: string }>, clock: Clock): Promise<MqttDriver> {
    const clients = await Promise.all(
      devices.map(async (d) => ({
        id: d.id,
        client: await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `soak-${d.id}`, username: d.id, password: d.key, reconnectPeriod: 1000 }),
        inflight: 0,
      })),
    );
    return new MqttDriver(clients, clock);
  }

  private publish(c: { id: string; client: mqtt.MqttClient; inflight: number }, then?: () => void): void {
    const ts = this.clock.take(c.id, 1);
    const body: Record<string, number> = { timestamp: ts };
    for (let f = 0; f < MQTT_FIELDS; f++) body[`m${f}`] = (ts % 1000) / 10 + f;
    const at = performance.now();
    c.inflight++;
    this.sent++;
    c.client.publish(`devices/${c.id}/data`, JSON.stringify(body), { qos: 1 }, (err) => {
      c.inflight--;
      if (err) this.errors++;
      else {
        this.acked++;
        if (this.latencies.length < 200_000) this.latencies.push(performance.now() - at);
      }
      then?.();
    });
  }

  /** As fast as it goes, `window` messages in flight per client, for `ms`: acked messages/s. */
  async flood(ms: number, window = 50): Promise<number> {
    const a0 = this.acked;
    const until = Date.now() + ms;
    await Promise.all(
      this.clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            const pump = () => {
              if (Date.now() >= until) return c.inflight === 0 && resolve();
              while (c.inflight < window) this.publish(c, pump);
            };
            pump();
          }),
      ),
    );
    return ((this.acked - a0) * 1000) / ms;
  }

  /** `rate` messages/s, spread over the clients in 100 ms ticks. */
  start(rate: number): void {
    let owed = 0;
    let next = 0;
    this.timer = setInterval(() => {
      if (this.stopped) return;
      owed += rate / 10;
      while (owed >= 1) {
        owed--;
        this.publish(this.clients[next++ % this.clients.length]!);
      }
    }, 100);
  }

  takeLatencies(): number[] {
    return this.latencies.splice(0);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (let i = 0; i < 100 && this.clients.some((c) => c.inflight > 0); i++) await sleep(100);
    await Promise.all(this.clients.map((c) => c.client.endAsync()));
  }
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function quartiles(samples: Sample[], pick: (s: Sample) => number): { first: number; last: number; slopePerMin: number } {
  const q = Math.max(1, Math.floor(samples.length / 4));
  return {
    first: median(samples.slice(0, q).map(pick)),
    last: median(samples.slice(-q).map(pick)),
    slopePerMin: slope(samples.map((s) => s.t / 60), samples.map(pick)),
  };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

// ---------------------------------------------------------------------------------------------
printHardware(`soak: ${MINUTES} min of HTTP + MQTT ingest at ${FRACTION * 100}% of the measured maximum, samples every ${SAMPLE_MS / 1000} s`);
const platform = await startPlatform({ env: { RATE_LIMIT_INGEST: '0' } });
const clock = new Clock();
let mqttDriver: MqttDriver | undefined;
try {
  const token = await adminToken(platform.url);
  const httpDevices = await createDevices(platform.url, token, HTTP_DEVICES, 'soak-http');
  const mqttDevices = await createDevices(platform.url, token, MQTT_DEVICES, 'soak-mqtt');
  mqttDriver = await MqttDriver.connect(`mqtt://127.0.0.1:${platform.mqttPort}`, mqttDevices, clock);
  let nextDevice = 0;
  const deviceOf = (conn: Record<string, unknown>) => {
    conn.device ??= httpDevices[nextDevice++ % httpDevices.length];
    return conn.device as { id: string; key: string };
  };
  const http = {
    url: `${platform.url}/api/v1/telemetry`,
    method: 'POST' as const,
    connections: HTTP_DEVICES,
    connectionHeaders: (c: Record<string, unknown>) => ({ 'x-api-key': deviceOf(c).key }),
    body: (c: Record<string, unknown>) => batchBody(clock, deviceOf(c).id, BATCH),
  };

  // Maximum: both transports flat out at once, so the soak's half is half of the mix's limit.
  let httpRate = args['http-rate'] ? Number(args['http-rate']) : NaN;
  let mqttRate = args['mqtt-rate'] ? Number(args['mqtt-rate']) : NaN;
  let maxNote = 'given on the command line';
  let maxHttpRequests = 0;
  if (!Number.isFinite(httpRate) || !Number.isFinite(mqttRate)) {
    const seconds = Number(args['max-seconds']);
    const [h, m] = await Promise.all([runLoad({ ...http, durationSec: seconds }), mqttDriver.flood(seconds * 1000)]);
    mqttDriver.takeLatencies();
    maxHttpRequests = h.requests - h.non2xx;
    if (!Number.isFinite(httpRate)) httpRate = h.requestsPerSec * FRACTION;
    if (!Number.isFinite(mqttRate)) mqttRate = m * FRACTION;
    maxNote = `measured over ${seconds} s, both at once: HTTP ${fmt(h.requestsPerSec)} req/s (${fmt(h.requestsPerSec * BATCH)} points/s), MQTT ${fmt(m)} msg/s (${fmt(m * MQTT_FIELDS)} points/s)`;
  }
  console.log(`maximum ${maxNote}`);
  console.log(`soak rate: HTTP ${fmt(httpRate, 1)} req/s × ${BATCH} points + MQTT ${fmt(mqttRate, 1)} msg/s × ${MQTT_FIELDS} points = ${fmt(httpRate * BATCH + mqttRate * MQTT_FIELDS)} points/s`);

  const durationSec = MINUTES * 60;
  const t0 = Date.now();
  const httpRun = runLoad({ ...http, durationSec, overallRate: Math.max(1, Math.round(httpRate)) });
  mqttDriver.start(mqttRate);
  const samples: Sample[] = [];
  const mqttLat: number[] = [];
  while (Date.now() - t0 < durationSec * 1000) {
    await sleep(SAMPLE_MS);
    const s = { t: (Date.now() - t0) / 1000, ...(await scrape(platform.url)) };
    samples.push(s);
    for (const l of mqttDriver.takeLatencies()) mqttLat.push(l);
    if (samples.length % Math.max(1, Math.round(60_000 / SAMPLE_MS)) === 0) {
      console.log(`  ${fmt(s.t / 60, 1)} min: RSS ${fmt(s.rssMiB, 1)} MiB, heap ${fmt(s.heapMiB, 1)} MiB, event-loop lag p99 ${fmt(s.lagP99Ms, 1)} ms (mean ${fmt(s.lagMeanMs, 1)} ms)`);
    }
  }
  const h = await httpRun;
  await mqttDriver.stop();
  for (const l of mqttDriver.takeLatencies()) mqttLat.push(l);
  mqttLat.sort((a, b) => a - b);

  mkdirSync(path.dirname(args.out), { recursive: true });
  writeFileSync(args.out, 't_s,rss_mib,heap_mib,lag_p99_ms,lag_mean_ms\n' + samples.map((s) => [s.t, s.rssMiB, s.heapMiB, s.lagP99Ms, s.lagMeanMs].map((v) => v.toFixed(2)).join(',')).join('\n') + '\n');

  const warm = Math.min(60, durationSec * 0.2);
  const measured = samples.filter((s) => s.t > warm);
  const rss = quartiles(measured, (s) => s.rssMiB);
  const lag = quartiles(measured, (s) => s.lagP99Ms);
  // Flat: the last quartile within 10% (and 16 MiB) of the first for RSS; lag within 50% or 5 ms.
  const rssFlat = rss.last <= Math.max(rss.first * 1.1, rss.first + 16);
  const lagFlat = lag.last <= Math.max(lag.first * 1.5, lag.first + 5);

  // Accounting: what was acknowledged must be stored.
  const httpAckedPoints = (h.requests - h.non2xx + maxHttpRequests) * BATCH;
  const mqttAckedPoints = mqttDriver.acked * MQTT_FIELDS;
  const db = new BetterSqlite3(path.join(platform.dataDir, 'fluxgate.db'), { readonly: true });
  const count = (prefix: string) => (db.prepare('SELECT COALESCE(SUM(count), 0) FROM chunks WHERE device_id LIKE ?').pluck().get(`${prefix}%`) as number);
  const storedHttp = count('soak-http');
  const storedMqtt = count('soak-mqtt');
  db.close();

  console.log(`\nHTTP: ${fmt(h.requests)} requests (${h.non2xx} non-2xx, ${h.errors} errors), ${fmt(h.requestsPerSec, 1)} req/s, p50 ${fmt(h.p50Ms)} ms p99 ${fmt(h.p99Ms)} ms`);
  console.log(`MQTT: ${fmt(mqttDriver.sent)} sent, ${fmt(mqttDriver.acked)} PUBACKed (${mqttDriver.errors} errors), publish→PUBACK p50 ${fmt(pct(mqttLat, 50), 1)} ms p99 ${fmt(pct(mqttLat, 99), 1)} ms`);
  console.log(`stored: HTTP devices ${fmt(storedHttp)} points of ${fmt(httpAckedPoints)} acknowledged (2xx × ${BATCH}), MQTT devices ${fmt(storedMqtt)} of ${fmt(mqttAckedPoints)} PUBACKed (× ${MQTT_FIELDS}); both include the maximum run`);
  console.log(`samples: ${samples.length} (${args.out}); verdict over ${measured.length} samples after ${warm} s of warm-up`);

  const figures: Figure[] = [
    {
      name: `soak ${MINUTES} min: server RSS, last quartile`,
      value: rss.last,
      unit: 'MiB',
      kind: 'memory',
      reference: { name: 'first quartile', value: rss.first, unit: 'MiB' },
      ratio: rss.last / rss.first,
      target: 'flat (last ≤ 1.1× first)',
      met: rssFlat,
      note: `slope ${rss.slopePerMin.toFixed(2)} MiB/min`,
    },
    {
      name: `soak ${MINUTES} min: event-loop lag p99, last quartile`,
      value: lag.last,
      unit: 'ms',
      reference: { name: 'first quartile', value: lag.first, unit: 'ms' },
      ratio: lag.last / lag.first,
      target: 'flat (last ≤ 1.5× first or +5 ms)',
      met: lagFlat,
      note: `slope ${lag.slopePerMin.toFixed(2)} ms/min`,
    },
    { name: `soak HTTP batches of ${BATCH} points`, value: h.requestsPerSec * BATCH, unit: 'points/s', kind: 'throughput', p50Ms: h.p50Ms, p99Ms: h.p99Ms, note: maxNote },
    { name: `soak MQTT QoS 1, ${MQTT_FIELDS} points per message`, value: (mqttDriver.acked * MQTT_FIELDS) / durationSec, unit: 'points/s', kind: 'throughput', p50Ms: pct(mqttLat, 50), p99Ms: pct(mqttLat, 99) },
  ];
  printTable(
    `Soak, ${MINUTES} min (SQLite)`,
    ['measure', 'first quartile', 'last quartile', 'slope', 'flat'],
    [
      ['server RSS', `${fmt(rss.first, 1)} MiB`, `${fmt(rss.last, 1)} MiB`, `${rss.slopePerMin.toFixed(2)} MiB/min`, rssFlat ? 'yes' : 'NO'],
      ['event-loop lag p99', `${fmt(lag.first, 1)} ms`, `${fmt(lag.last, 1)} ms`, `${lag.slopePerMin.toFixed(2)} ms/min`, lagFlat ? 'yes' : 'NO'],
    ],
  );
  recordResults('soak', figures);
  if (storedHttp < httpAckedPoints || storedMqtt < mqttAckedPoints) {
    console.error('FAIL: fewer points stored than acknowledged');
    process.exitCode = 1;
  }
} finally {
  await mqttDriver?.stop().catch(() => {});
  await platform.stop();
}
process.exit(process.exitCode ?? 0);
