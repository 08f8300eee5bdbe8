// Child process of bench/mqtt.bench.ts: N MQTT publishers (lean wire clients), each keeping WINDOW
// QoS 1 messages unacknowledged at most (QoS 0: WINDOW per turn of the event loop).
// The first `warmup` messages of each publisher only warm the target up (JIT, caches, pipeline
// full): they are sent like the rest, in the same flow, but not recorded.
// Prints one JSON line: per publisher, [timestamp, sentAtMs] of every recorded message, the CPU
// seconds this process used (the load generator's own cost), and when the last publisher was done
// (QoS 1: its last PUBACK).
import { WireClient } from './lib/mqtt-wire.ts';
import type { PublishersJob } from './lib/publishers.ts';

type Job = PublishersJob;

const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job;
let finishedAt = 0;

function body(ts: number): string {
  let s = `{"timestamp":${ts}`;
  for (let f = 0; f < job.points; f++) s += `,"f${f}":${f + (ts % 100)}`;
  return s + '}';
}

async function runOne(p: Job['publishers'][number]): Promise<Array<[number, number]>> {
  const client = await WireClient.connect(job.url, {
    clientId: `bench-${p.id}-${process.pid}`,
    protocolVersion: job.protocolVersion ?? 4,
    ...(p.username ? { username: p.username, password: p.password } : {}),
  });
  const topic = job.topicOf.replace('{id}', p.id);
  const sent: Array<[number, number]> = [];
  const total = job.warmup + job.messages;
  let next = 0;
  const sendUpTo = (count: number) => {
    client.socket.cork();
    for (let i = 0; i < count && next < total; i++) {
      const ts = job.base + next++;
      if (next > job.warmup) sent.push([ts, Date.now()]);
      client.publish(topic, body(ts), job.qos);
    }
    client.socket.uncork();
  };
  await new Promise<void>((resolve, reject) => {
    client.socket.once('close', () => reject(new Error(`${p.id}: connection closed with ${next} of ${total} sent`)));
    if (job.qos === 1) {
      let acked = 0;
      let inflight = 0;
      let refill = false;
      // PUBACKs of one socket read are counted first, then the window is refilled in one write.
      const topUp = () => {
        refill = false;
        const before = next;
        sendUpTo(job.window - inflight);
        inflight += next - before;
      };
      client.onPacket = (packet) => {
        if (packet.cmd !== 'puback') return;
        // MQTT 5: a PUBACK may refuse (0x80 and up); a refused message is not stored, so the run is void.
        if ((packet.reasonCode ?? 0) >= 0x80) return reject(new Error(`${p.id}: PUBACK reason 0x${packet.reasonCode!.toString(16)}`));
        inflight--;
        if (++acked === total) {
          finishedAt = Math.max(finishedAt, Date.now());
          return resolve();
        }
        if (!refill && job.window - inflight >= job.refill) {
          refill = true;
          queueMicrotask(topUp);
        }
      };
      sendUpTo(job.window);
      inflight = next;
    } else {
      const pump = () => {
        sendUpTo(job.window);
        if (next >= total) {
          finishedAt = Math.max(finishedAt, Date.now());
          return resolve();
        }
        if (client.socket.writableNeedDrain) client.socket.once('drain', pump);
        else setImmediate(pump);
      };
      pump();
    }
  });
  await client.end();
  return sent;
}

const cpuBefore = process.cpuUsage();
const results = await Promise.all(job.publishers.map(runOne));
const cpu = process.cpuUsage(cpuBefore);
const sent = Object.fromEntries(job.publishers.map((p, i) => [p.id, results[i]]));
process.stdout.write(JSON.stringify({ sent, cpuSeconds: (cpu.user + cpu.system) / 1e6, finishedAt }) + '\n');
