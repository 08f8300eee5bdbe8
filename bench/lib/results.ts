// Machine-readable bench output for `npm run bench` (bench/run-all.ts): when BENCH_RESULTS names a
// file, each bench appends one JSON line with its figures, each beside its same-run reference.
import { appendFileSync } from 'node:fs';
import { hardwareLine } from './hardware.ts';
import { median } from './table.ts';

export interface Figure {
  /** What was measured, e.g. "HTTP batches of 100 points, 32 conns". */
  name: string;
  value: number;
  unit: string;
  /** What the chart plots it as; figures without a kind appear in the table only. */
  kind?: 'throughput' | 'latency' | 'memory';
  p50Ms?: number;
  p99Ms?: number;
  reference?: { name: string; value: number; unit: string };
  /** value / reference.value, or the share the bench itself defines. */
  ratio?: number;
  target?: string;
  /** undefined: no target, or the target does not apply to this storage. */
  met?: boolean;
  note?: string;
}

export interface BenchRecord {
  bench: string;
  at: string;
  machine: string;
  figures: Figure[];
}

export function recordResults(bench: string, figures: Figure[]): void {
  const file = process.env.BENCH_RESULTS;
  if (!file) return;
  const record: BenchRecord = { bench, at: new Date().toISOString(), machine: hardwareLine(), figures };
  appendFileSync(file, JSON.stringify(record) + '\n');
}

/** bench:mqtt's rows as figures: Fluxgate beside bare Mosquitto (and aedes) at the same QoS and size. */
export function mqttFigures(
  rows: Array<{
    target: string;
    /** MQTT protocol level of publishers and subscriber: 4 (3.1.1) or 5. */
    protocol?: 4 | 5;
    qos: number;
    points: number;
    msgPerS: number;
    pointsPerS: number;
    p50: number;
    p99: number;
    received: number;
    total: number;
    /** Server CPU per message, all threads, µs. */
    cpuUsPerMsg?: number;
    /** Median of the per-round ratios to the reference (Mosquitto, else bare aedes); only on Fluxgate's rows. */
    ratio?: number;
    ratios?: number[];
    /** MQTT 5 rows of Fluxgate: per round, its msg/s ÷ its MQTT 3.1.1 msg/s in the same round. */
    toV4?: number[];
    /** QoS 1 rows of Fluxgate: per round, its stored points/s ÷ the Mosquitto → bridge → InfluxDB stack's. */
    stackRatios?: number[];
    /** What the target holds after its runs, when it counts them itself (the stack's InfluxDB). */
    stored?: { points: number; published: number };
  }>,
): void {
  const figures: Figure[] = [];
  const sameAs = (r: (typeof rows)[number], name: string) =>
    rows.find((x) => x.target.startsWith(name) && (x.protocol ?? 4) === (r.protocol ?? 4) && x.qos === r.qos && x.points === r.points);
  for (const r of rows.filter((x) => x.target.startsWith('fluxgate external'))) {
    const embedded = sameAs(r, 'fluxgate (');
    const ratio = r.ratio ?? (embedded ? r.msgPerS / embedded.msgPerS : NaN);
    figures.push({
      name: `MQTT${r.protocol === 5 ? ' 5' : ''} QoS ${r.qos}, ${r.points} point${r.points > 1 ? 's' : ''}/msg, external broker mode (Mosquitto), stored`,
      value: r.msgPerS,
      unit: 'msg/s',
      kind: 'throughput',
      p50Ms: r.p50,
      p99Ms: r.p99,
      ...(embedded ? { reference: { name: 'embedded broker, stored', value: embedded.msgPerS, unit: 'msg/s' }, ratio } : {}),
      ...(r.qos === 1 ? { target: '≥ 0.8× embedded', met: embedded ? ratio >= 0.8 : false } : {}),
      note: `${r.received}/${r.total} received` + (r.ratios && r.ratios.length > 1 ? `; ratio per round ${r.ratios.map((x) => x.toFixed(2)).join(', ')}` : ''),
    });
  }
  for (const r of rows.filter((x) => x.target.startsWith('fluxgate ('))) {
    const protocol = r.protocol ?? 4;
    const same = (name: string) => sameAs(r, name);
    const mosq = same('Debian Mosquitto');
    const aedes = same('bare aedes');
    const ref = mosq ?? aedes;
    const ratio = r.ratio ?? (ref ? r.msgPerS / ref.msgPerS : NaN);
    const durable = r.qos === 1 && r.points === 3;
    const v5 = protocol === 5;
    figures.push({
      name: `MQTT${v5 ? ' 5' : ''} QoS ${r.qos}, ${r.points} point${r.points > 1 ? 's' : ''}/msg, stored end to end`,
      value: r.msgPerS,
      unit: 'msg/s',
      kind: 'throughput',
      p50Ms: r.p50,
      p99Ms: r.p99,
      ...(ref ? { reference: { name: `${mosq ? 'bare Mosquitto' : 'bare aedes'} pub→sub`, value: ref.msgPerS, unit: 'msg/s' }, ratio } : {}),
      ...(durable && !v5 ? { target: '≥ 50,000 msg/s and ≥ 0.8× Mosquitto', met: r.msgPerS >= 50_000 && (mosq ? ratio >= 0.8 : false) } : {}),
      ...(v5 && r.qos === 1 ? { target: '≥ 0.8× Mosquitto (MQTT 5 to MQTT 5)', met: mosq ? ratio >= 0.8 : false } : {}),
      note:
        `${r.received}/${r.total} received${aedes ? `; bare aedes ${Math.round(aedes.msgPerS)} msg/s` : ''}` +
        (r.cpuUsPerMsg !== undefined ? `; server CPU ${r.cpuUsPerMsg.toFixed(1)} µs/msg${mosq?.cpuUsPerMsg !== undefined ? ` (Mosquitto ${mosq.cpuUsPerMsg.toFixed(1)})` : ''}` : '') +
        (r.ratios && r.ratios.length > 1 ? `; medians of ${r.ratios.length} rounds, ratio per round ${r.ratios.map((x) => x.toFixed(2)).join(', ')}` : ''),
    });
    const stack = rows.find((x) => x.target.startsWith('Mosquitto → bridge → InfluxDB') && (x.protocol ?? 4) === protocol && x.qos === r.qos && x.points === r.points);
    if (stack && r.stackRatios && r.stackRatios.length > 0) {
      const toStack = median(r.stackRatios);
      figures.push({
        name: `MQTT${v5 ? ' 5' : ''} QoS ${r.qos}, ${r.points} point${r.points > 1 ? 's' : ''}/msg, stored points/s vs Mosquitto → bridge → InfluxDB`,
        value: r.pointsPerS,
        unit: 'points/s',
        kind: 'throughput',
        reference: { name: stack.target, value: stack.pointsPerS, unit: 'points/s' },
        ratio: toStack,
        target: '≥ 2× the stack',
        met: toStack >= 2,
        note:
          `stack ${Math.round(stack.msgPerS)} msg/s, ${stack.received}/${stack.total} received` +
          (stack.stored ? `; InfluxDB holds ${stack.stored.points} of ${stack.stored.published} points published` : '') +
          `; ratio per round ${r.stackRatios.map((x) => x.toFixed(2)).join(', ')}`,
      });
    }
    if (v5 && r.toV4 && r.toV4.length > 0) {
      const v4 = rows.find((x) => x.target === r.target && (x.protocol ?? 4) === 4 && x.qos === r.qos && x.points === r.points);
      const toV4 = median(r.toV4);
      figures.push({
        name: `MQTT 5 ÷ MQTT 3.1.1, QoS ${r.qos}, ${r.points} point${r.points > 1 ? 's' : ''}/msg, Fluxgate stored msg/s`,
        value: r.msgPerS,
        unit: 'msg/s',
        kind: 'throughput',
        ...(v4 ? { reference: { name: 'Fluxgate with MQTT 3.1.1 clients, same run', value: v4.msgPerS, unit: 'msg/s' } } : {}),
        ratio: toV4,
        ...(r.qos === 1 ? { target: '≥ 0.9× MQTT 3.1.1', met: toV4 >= 0.9 } : {}),
        note: `ratio per round ${r.toV4.map((x) => x.toFixed(2)).join(', ')}`,
      });
    }
  }
  recordResults('mqtt', figures);
}

/** bench:ingest's medians as figures (targets apply to SQLite). */
export function ingestFigures(
  storage: string,
  r: {
    batched?: { pointsPerS: number; p50Ms: number; p99Ms: number; rawRowsPerS: number; share: number };
    single?: { reqPerS: number; p50Ms: number; p99Ms: number; helloReqPerS: number; share: number };
  },
): void {
  const sqlite = storage === 'sqlite';
  const figures: Figure[] = [];
  if (r.batched) {
    figures.push({
      name: `HTTP batches of 100 points (${storage})`,
      value: r.batched.pointsPerS,
      unit: 'points/s',
      kind: 'throughput',
      p50Ms: r.batched.p50Ms,
      p99Ms: r.batched.p99Ms,
      reference: { name: `raw ${storage} writePoints`, value: r.batched.rawRowsPerS, unit: 'rows/s' },
      ratio: r.batched.share,
      ...(sqlite ? { target: '≥ 50% of raw', met: r.batched.share >= 0.5 } : {}),
    });
  }
  if (r.single) {
    figures.push({
      name: `HTTP single-point requests (${storage})`,
      value: r.single.reqPerS,
      unit: 'req/s',
      kind: 'throughput',
      p50Ms: r.single.p50Ms,
      p99Ms: r.single.p99Ms,
      reference: { name: 'bare fastify GET /', value: r.single.helloReqPerS, unit: 'req/s' },
      ratio: r.single.share,
      ...(sqlite ? { target: '≥ 20,000 req/s', met: r.single.reqPerS >= 20_000 } : {}),
    });
  }
  recordResults('ingest', figures);
}
