// Runs a group of lean MQTT publishers (bench/mqtt-publishers.ts) in a child process of its own,
// so the load generator does not share the event loop of what it measures.
import { spawn } from 'node:child_process';

export interface PublishersJob {
  url: string;
  qos: 0 | 1;
  points: number;
  messages: number;
  warmup: number;
  window: number;
  /** QoS 1: the window is topped up once this many of its messages are acknowledged. */
  refill: number;
  /** Template with {id}. */
  topicOf: string;
  publishers: Array<{ id: string; username?: string; password?: string }>;
  base: number;
  /** MQTT protocol level: 4 (3.1.1, the default) or 5. */
  protocolVersion?: 4 | 5;
}

export interface PublishersOutput {
  /** Per publisher: [timestamp, sentAtMs] of every measured message. */
  sent: Record<string, Array<[number, number]>>;
  cpuSeconds: number;
  /** When its last publisher was done (QoS 1: last PUBACK), ms since the epoch. */
  finishedAt: number;
}

export function runPublishers(job: PublishersJob): Promise<PublishersOutput> {
  return new Promise((resolve, reject) => {
    // BENCH_PUBLISHER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the load generator.
    const nodeArgs = (process.env.BENCH_PUBLISHER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', new URL('../mqtt-publishers.ts', import.meta.url).pathname], {
      env: { ...process.env, BENCH_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as PublishersOutput) : reject(new Error(`publishers exited ${code}`))));
  });
}
