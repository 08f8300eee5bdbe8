// Child process of bench/mqtt.bench.ts: N MQTT publishers, each keeping WINDOW messages in flight.
// Prints one JSON line: per publisher, [timestamp, sentAtMs] of every message.
import mqtt from 'mqtt';

interface Job {
  url: string;
  qos: 0 | 1;
  points: number;
  messages: number;
  window: number;
  topicOf: string; // template with {id}
  publishers: Array<{ id: string; username?: string; password?: string }>;
  base: number;
}

const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job;

async function runOne(p: Job['publishers'][number]): Promise<Array<[number, number]>> {
  const client = await mqtt.connectAsync(job.url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    clientId: `bench-${p.id}-${process.pid}`,
    ...(p.username ? { username: p.username, password: p.password } : {}),
  });
  const topic = job.topicOf.replace('{id}', p.id);
  const sent: Array<[number, number]> = [];
  let inflight = 0;
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    const pump = () => {
      while (inflight < job.window && next < job.messages) {
        const ts = job.base + next++;
        const body: Record<string, number> = { timestamp: ts };
        for (let f = 0; f < job.points; f++) body[`f${f}`] = f + ts % 100;
        inflight++;
        sent.push([ts, Date.now()]);
        client.publish(topic, JSON.stringify(body), { qos: job.qos }, (err) => {
          if (err) return reject(err);
          inflight--;
          if (++done === job.messages) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  await client.endAsync();
  return sent;
}

const results = await Promise.all(job.publishers.map(runOne));
process.stdout.write(JSON.stringify(Object.fromEntries(job.publishers.map((p, i) => [p.id, results[i]]))) + '\n');
