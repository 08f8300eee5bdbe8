// npm run bench:amqp [-- --messages 50000] [--warmup 10000] [--devices 50] [--prefetch 500] [--consumers 4] [--rounds 5]
// Stored messages/s from a RabbitMQ queue: Fluxgate's AMQP connector (parse, check the device key,
// group commit to SQLite, then ack) beside a bare consumer that acks each message without storing,
// same RabbitMQ, same pre-filled queue of the Energy Management System's measurement messages, same
// consumer channels with the same prefetch each (AMQP_CONSUMERS × AMQP_PREFETCH in flight for both).
// Each round fills a queue with --warmup + --messages messages and lets one consumer drain it; the
// first --warmup messages are not timed (a freshly started platform runs cold, unoptimised code for
// its first seconds, while the bare consumer lives in this long-running process), then the next
// --messages are timed until the last is acked (Fluxgate: stored). Rounds alternate the order;
// medians are reported.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import amqplib, { type Channel } from 'amqplib';
import { AckCoalescer } from '../src/connectors/amqp/ack-coalescer.ts';
import { commitStats } from './lib/api.ts';
import { startPlatform } from './lib/children.ts';
import { provision } from './lib/fleet.ts';
import { printHardware } from './lib/raw-storage.ts';
import { recordResults } from './lib/results.ts';
import { fmt, median, printTable } from './lib/table.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '50000' },
    warmup: { type: 'string', default: '10000' },
    devices: { type: 'string', default: '50' },
    prefetch: { type: 'string', default: '500' },
    consumers: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '5' },
    events: { type: 'boolean', default: false },
    url: { type: 'string', default: process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672' },
  },
});
const MESSAGES = Number(args.messages);
const WARMUP = Number(args.warmup);
/** Messages in each queue: the untimed warm-up, then the timed ones. */
const QUEUED = WARMUP + MESSAGES;
const DEVICES = Number(args.devices);
const PREFETCH = Number(args.prefetch);
const CONSUMERS = Number(args.consumers);
const ROUNDS = Number(args.rounds);
const TARGET = 0.8;
/** --events: Fluxgate also publishes points.stored events (to fluxgate.events), as by default. */
const EVENTS = args.events;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fills `queue` with QUEUED measurement messages (a reading per device every 10 s, on a confirm channel). */
async function fill(url: string, queue: string, devices: Array<{ id: string; key: string }>): Promise<void> {
  const conn = await amqplib.connect(url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  const t0 = Date.now() - QUEUED * 10_000;
  for (let i = 0; i < QUEUED; i++) {
    const d = devices[i % devices.length]!;
    const body = { device_id: d.id, timestamp: new Date(t0 + i * 10_000).toISOString(), measurement_value: 0.1 + (i % 7) / 100 };
    if (!ch.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { persistent: true, headers: { 'x-api-key': d.key } })) {
      await new Promise((resolve) => ch.once('drain', resolve));
    }
    if (i % 5000 === 4999) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  await conn.close();
}

/** Acks every message without looking at it (coalesced): the ceiling of this RabbitMQ, client and prefetch. */
async function bareConsumer(url: string, queue: string): Promise<number> {
  const conn = await amqplib.connect(url);
  let acked = 0;
  let t0 = 0;
  let finished: (ms: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finished = resolve));
  const channels: Channel[] = [];
  for (let i = 0; i < CONSUMERS; i++) {
    const ch = await conn.createChannel();
    await ch.prefetch(PREFETCH);
    // Acks coalesced as Fluxgate's are (one multiple ack per turn of the event loop): the reference
    // has every advantage Fluxgate has, and stores nothing.
    const acks = new AckCoalescer(ch);
    await ch.consume(queue, (m) => {
      if (!m) return;
      if (acked === WARMUP) t0 = performance.now();
      acks.ack(m);
      if (++acked === QUEUED) finished(performance.now() - t0);
    });
    channels.push(ch);
  }
  const ms = await done;
  await channels[0]!.deleteQueue(queue);
  await conn.close();
  return MESSAGES / (ms / 1000);
}

interface Stored {
  rate: number;
  /** Group commits while draining: how many, points in each, milliseconds each (from /metrics). */
  pointsPerCommit: number;
  commitMs: number;
}

/** Fluxgate started on the filled queue: WARMUP messages stored → every message stored. */
async function fluxgate(url: string, queue: string, dataDir: string): Promise<Stored> {
  const platform = await startPlatform({
    dataDir,
    env: {
      AMQP_URL: url,
      AMQP_QUEUE: queue,
      AMQP_DEAD_LETTER_QUEUE: `${queue}.dead`,
      AMQP_PREFETCH: String(PREFETCH),
      AMQP_CONSUMERS: String(CONSUMERS),
      AMQP_EVENTS_EXCHANGE: EVENTS ? 'fluxgate.events' : 'none',
    },
  });
  try {
    const amqp = async () => {
      const res = await fetch(`${platform.url}/health?include=amqp`);
      return ((await res.json()) as { components?: { amqp?: { stored?: number; dead_lettered?: number } } }).components?.amqp ?? {};
    };
    let t0 = 0;
    let before = await commitStats(platform.url);
    for (;;) {
      const c = await amqp();
      if (!t0 && (c.stored ?? 0) >= Math.max(WARMUP, 1)) {
        t0 = performance.now();
        before = await commitStats(platform.url);
      }
      if ((c.dead_lettered ?? 0) > 0) throw new Error(`${c.dead_lettered} messages were dead-lettered`);
      if ((c.stored ?? 0) >= QUEUED) break;
      await sleep(t0 ? 20 : 2);
    }
    const ms = performance.now() - t0;
    const after = await commitStats(platform.url);
    const commits = after.commits - before.commits;
    return { rate: MESSAGES / (ms / 1000), pointsPerCommit: (after.points - before.points) / commits, commitMs: ((after.seconds - before.seconds) / commits) * 1000 };
  } finally {
    await platform.stop();
    const conn = await amqplib.connect(url);
    const ch = await conn.createChannel();
    await ch.deleteQueue(queue).catch(() => {});
    await ch.deleteQueue(`${queue}.dead`).catch(() => {});
    await conn.close();
  }
}

printHardware(
  `AMQP bench: ${fmt(MESSAGES)} measurement messages over ${DEVICES} devices, ${CONSUMERS} consumer channels × prefetch ${PREFETCH}, ` +
    `${ROUNDS} rounds, events ${EVENTS ? 'on' : 'off'}`,
);
const bare: number[] = [];
const stored: number[] = [];
const ratios: number[] = [];
const perCommit: number[] = [];
const commitMs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-bench-amqp-'));
  const devices = await provision(dataDir, DEVICES);
  const tag = randomBytes(4).toString('hex');
  const run = {
    bare: async () => {
      await fill(args.url, `bench_bare_${tag}`, devices);
      return bareConsumer(args.url, `bench_bare_${tag}`);
    },
    fluxgate: async () => {
      await fill(args.url, `bench_fluxgate_${tag}`, devices);
      return fluxgate(args.url, `bench_fluxgate_${tag}`, dataDir);
    },
  };
  const order = round % 2 === 0 ? (['bare', 'fluxgate'] as const) : (['fluxgate', 'bare'] as const);
  let bareRate = 0;
  let got: Stored | undefined;
  for (const which of order) {
    if (which === 'bare') bareRate = await run.bare();
    else got = await run.fluxgate();
  }
  bare.push(bareRate);
  stored.push(got!.rate);
  ratios.push(got!.rate / bareRate);
  perCommit.push(got!.pointsPerCommit);
  commitMs.push(got!.commitMs);
  console.log(
    `round ${round + 1}: bare consumer ${fmt(bareRate)} msg/s, Fluxgate ${fmt(got!.rate)} stored msg/s (${(got!.rate / bareRate).toFixed(2)}×); ` +
      `group commits of ${fmt(got!.pointsPerCommit)} points, ${got!.commitMs.toFixed(1)} ms each`,
  );
}

const ratio = median(ratios);
printTable(
  'RabbitMQ queue → acked (median of rounds)',
  ['consumer', 'messages/s', 'vs bare', `target ≥ ${TARGET}×`],
  [
    ['bare consumer (coalesced acks only, no storage)', fmt(median(bare)), '1.00×', ''],
    ['Fluxgate (parse, key check, SQLite group commit, then ack)', fmt(median(stored)), `${ratio.toFixed(2)}×`, ratio >= TARGET ? 'yes' : 'NO'],
  ],
);
console.log(`Fluxgate's group commits (median of rounds): ${fmt(median(perCommit))} points, ${median(commitMs).toFixed(1)} ms each`);
recordResults('amqp', [
  {
    name: `AMQP queue → stored, ${CONSUMERS} channels × prefetch ${PREFETCH}${EVENTS ? ', events on' : ''}`,
    value: median(stored),
    unit: 'msg/s',
    kind: 'throughput',
    reference: { name: 'bare consumer, ack only', value: median(bare), unit: 'msg/s' },
    ratio,
    target: `≥ ${TARGET}× the bare consumer`,
    met: ratio >= TARGET,
  },
]);
