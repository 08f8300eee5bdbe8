// Fleet-scale benchmark of the simulator: one process drives (A) 10,000 devices at one message per
// 10 s each and (B) 100 devices at 100 messages/s each, over MQTT (one mqtt.js client per device,
// QoS 1) to a counting MQTT sink in a separate process. Prints achieved vs scheduled rate, how late
// sends ran, and the simulator's own CPU per message (process.cpuUsage), beside the CPU per message
// of the models alone measured in the same run.
//   npm run bench:simulator            (BENCH_SECONDS=30 to measure longer; BENCH_SCENARIO=A or B)
import { fork, type ChildProcess } from 'node:child_process';
import { Fleet } from '../src/simulator/fleet.ts';
import { ManualClock } from '../src/simulator/clock.ts';
import { SimulatedDevice } from '../src/simulator/device.ts';
import { MqttTransport } from '../src/simulator/links/mqtt-link.ts';
import { DEVICE_TYPES } from '../src/simulator/models/registry.ts';
import { knobsFor } from '../src/simulator/profiles.ts';
import { type Figure, recordResults } from './lib/results.ts';

interface SinkCount {
  publishes: number;
  connections: number;
  cpu: NodeJS.CpuUsage;
}

const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 20);
const figures: Figure[] = [];
let modelCpuUs = NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startSink(): Promise<{ url: string; count(): Promise<SinkCount>; stop(): void }> {
  const child: ChildProcess = fork(new URL('./mqtt-sink.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return {
    url: `mqtt://127.0.0.1:${port}`,
    count: () =>
      new Promise((resolve) => {
        child.once('message', (m: SinkCount) => resolve(m));
        child.send({ type: 'count' });
      }),
    stop: () => child.kill(),
  };
}

/** CPU µs per generated message with no transport: the models, fault draws and JSON encoding. */
function modelOnlyCpuPerMessage(): number {
  const clock = new ManualClock(Date.now());
  const knobs = knobsFor('default');
  const devices = DEVICE_TYPES.map((type, i) => new SimulatedDevice({ id: `m-${i}`, type, knobs, clock, seed: 1 }));
  const n = 200_000;
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    clock.advance(10);
    devices[i % devices.length]!.next();
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

async function scenario(name: string, count: number, intervalMs: number): Promise<void> {
  const sink = await startSink();
  const fleet = new Fleet({
    devices: Array.from({ length: count }, (_, i) => ({
      credentials: { id: `bench-${i}`, apiKey: 'k'.repeat(43), type: DEVICE_TYPES[i % DEVICE_TYPES.length]! },
    })),
    knobs: knobsFor('default', { intervalMs, jitterMs: Math.min(100, intervalMs / 10) }),
    transport: new MqttTransport({ url: sink.url, reconnectSeconds: 0 }),
    seed: 1,
    connectConcurrency: 200,
  });
  const tc = Date.now();
  const started = await fleet.start();
  const connectS = (Date.now() - tc) / 1000;
  // Warm up for one interval (at least 3 s) so every device has entered its schedule.
  await sleep(Math.max(3000, intervalMs));
  const snap = () => ({ t: Date.now(), c: { ...fleet.counters }, cpu: process.cpuUsage() });
  const a = snap();
  const sa = await sink.count();
  await sleep((MEASURE_S * 1000) / 2);
  const m = snap();
  await sleep((MEASURE_S * 1000) / 2);
  const b = snap();
  const sb = await sink.count();
  const secs = (b.t - a.t) / 1000;
  const sent = b.c.sent - a.c.sent;
  const accepted = b.c.accepted - a.c.accepted;
  const scheduled = fleet.scheduledRate();
  const cpuUs = b.cpu.user - a.cpu.user + (b.cpu.system - a.cpu.system);
  const sinkCpu = sb.cpu.user - sa.cpu.user + (sb.cpu.system - sa.cpu.system);
  const slots = b.c.scheduled - a.c.scheduled;
  const lateAvg = slots ? (b.c.lateMsSum - a.c.lateMsSum) / slots : 0;
  const lateOf = (x: typeof a, y: typeof a) => (y.c.scheduled > x.c.scheduled ? (y.c.lateMsSum - x.c.lateMsSum) / (y.c.scheduled - x.c.scheduled) : 0);
  const [lateFirst, lateSecond] = [lateOf(a, m), lateOf(m, b)];
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(`\n${name}: ${count} devices × 1 msg / ${intervalMs / 1000} s, MQTT QoS 1, ${secs.toFixed(1)} s measured`);
  console.log(`  connected            ${started.connected}/${count} in ${connectS.toFixed(1)} s (${started.failed.length} failed)`);
  console.log(`  rate, scheduled      ${scheduled.toFixed(0)} msg/s`);
  console.log(`  rate, sent           ${(sent / secs).toFixed(0)} msg/s  (${((sent / secs / scheduled) * 100).toFixed(1)} % of schedule)`);
  console.log(`  rate, PUBACKed       ${(accepted / secs).toFixed(0)} msg/s`);
  console.log(`  rate, sink counted   ${((sb.publishes - sa.publishes) / secs).toFixed(0)} msg/s (data + status/acks)`);
  console.log(`  lateness vs schedule ${lateAvg.toFixed(1)} ms average (first half ${lateFirst.toFixed(1)}, second half ${lateSecond.toFixed(1)}), ${b.c.lateMsMax.toFixed(0)} ms worst since start`);
  console.log(`  simulator CPU        ${(cpuUs / sent).toFixed(1)} µs/msg  (${((cpuUs / (secs * 1e6)) * 100).toFixed(0)} % of one core)`);
  console.log(`  sink CPU (other proc)${(sinkCpu / Math.max(1, sb.publishes - sa.publishes)).toFixed(1).padStart(6)} µs/msg`);
  console.log(`  simulator RSS        ${rss.toFixed(0)} MiB (${((rss * 1024) / count).toFixed(0)} KiB/device)`);
  console.log(`  errors / failed      ${b.c.errors} / ${b.c.failed}; in flight at end ${fleet.inFlight}`);
  const keepsUp = sent / secs >= scheduled * 0.98 && lateSecond < lateFirst + Math.max(5, intervalMs / 10);
  console.log(`  keeps up             ${keepsUp ? 'yes' : 'NO'} (sent ≥ 98 % of schedule, and lateness not growing between the halves)`);
  figures.push({
    name: `simulator ${name}: ${count} devices × 1 msg / ${intervalMs / 1000} s over MQTT`,
    value: sent / secs,
    unit: 'msg/s sent',
    kind: 'throughput',
    reference: { name: 'scheduled', value: scheduled, unit: 'msg/s' },
    ratio: sent / secs / scheduled,
    target: 'keeps up (≥ 98% of schedule)',
    met: keepsUp,
    note: `CPU ${(cpuUs / sent).toFixed(1)} µs/msg vs models alone ${modelCpuUs.toFixed(2)} µs/msg; late ${lateAvg.toFixed(1)} ms avg`,
  });
  await fleet.stop();
  sink.stop();
}

console.log(`Simulator fleet benchmark — Node ${process.version}, ${MEASURE_S} s per scenario. The machine is shared (2 cores): figures are noisy.`);
console.log('Against: a counting MQTT endpoint (bench/mqtt-sink.ts: CONNACK/PUBACK/SUBACK only, no storage) in a child process — not the platform.');
modelCpuUs = modelOnlyCpuPerMessage();
console.log(`Reference, same run: models + fault draws + JSON encoding alone cost ${modelCpuUs.toFixed(2)} µs/msg of CPU.`);
const which = process.env.BENCH_SCENARIO ?? 'AB';
if (which.includes('A')) await scenario('A', 10_000, 10_000);
if (which.includes('B')) await scenario('B', 100, 10);
recordResults('simulator', figures);
process.exit(0);
