// The stack users assemble instead of Fluxgate, for bench:mqtt's "stack" row: a private Mosquitto
// (bench/lib/mosquitto.ts), a private InfluxDB 1.x (bench/lib/influxd.ts) and the bridge between
// them (bench/lib/influx-bridge.ts), each a process of its own.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { INFLUXD, startInfluxd } from './influxd.ts';
import { startMosquitto } from './mosquitto.ts';
import { stopper } from './children.ts';

export const STACK_NAME = 'Mosquitto → bridge → InfluxDB';
const DB = 'bench';

export interface InfluxStack {
  /** Where the publishers connect: the stack's Mosquitto. */
  url: string;
  version: string;
  /** Its processes, by part. */
  pids: { Mosquitto: number; bridge: number; InfluxDB: number };
  /** Batches the bridge has had stored since the last call: when, and each message's device and timestamp. */
  stored(): Promise<Array<[number, string[], number[]]>>;
  /** Points InfluxDB holds, over every measurement. */
  countPoints(): Promise<number>;
  stop(): Promise<void>;
}

/** The reason, when Debian's influxd or mosquitto is missing. */
export function stackMissing(): string | undefined {
  if (!existsSync(INFLUXD)) return `Debian's influxd is not installed (${INFLUXD}; apt-get install influxdb)`;
  return undefined;
}

export async function startInfluxStack(filter: string, protocolVersion: 4 | 5): Promise<InfluxStack | string> {
  const missing = stackMissing();
  if (missing) return missing;
  // The bridge acknowledges a batch only once InfluxDB stored it, so each consumer has thousands of
  // messages unacknowledged: Mosquitto's default window of 20 per MQTT 3.1.1 client would make every
  // batch tiny; a user raises it, and the queue per session too (publishers are acknowledged on receipt).
  const broker = await startMosquitto('max_inflight_messages 10000\nmax_queued_messages 1000000\n');
  if (!broker) return "Debian's mosquitto is not installed or did not start (apt-get install mosquitto)";
  const influx = await startInfluxd().catch((err: Error) => err.message);
  if (typeof influx === 'string') {
    await broker.stop();
    return influx;
  }
  await influx.query(`CREATE DATABASE ${DB}`);
  // BENCH_BRIDGE_NODE_ARGS="--cpu-prof --cpu-prof-dir=…" profiles the bridge.
  const nodeArgs = (process.env.BENCH_BRIDGE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const bridge: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', new URL('./influx-bridge.ts', import.meta.url).pathname], {
    env: { ...process.env, BRIDGE_JOB: JSON.stringify({ mqttUrl: broker.url, influxUrl: influx.url, db: DB, filter, protocolVersion }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stopBridge = stopper(bridge, () => {});
  const stopAll = async () => {
    // Asked first, so that it disconnects cleanly (and writes its CPU profile, when it takes one).
    if (bridge.connected && bridge.exitCode === null) {
      const exited = new Promise((r) => bridge.once('exit', r));
      bridge.send({ type: 'stop' });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    }
    await stopBridge();
    await influx.stop();
    await broker.stop();
  };
  const ready = await new Promise<boolean>((resolve) => {
    bridge.once('message', (m: { type: string }) => resolve(m.type === 'ready'));
    bridge.once('exit', () => resolve(false));
  });
  if (!ready) {
    await stopAll();
    throw new Error('the MQTT → InfluxDB bridge did not start');
  }
  return {
    url: broker.url,
    version: influx.version,
    pids: { Mosquitto: broker.pid, bridge: bridge.pid!, InfluxDB: influx.pid },
    stored: () =>
      new Promise((resolve) => {
        const onMessage = (m: { type: string; batches?: Array<[number, string[], number[]]> }) => {
          if (m.type !== 'arrivals') return;
          bridge.off('message', onMessage);
          resolve(m.batches ?? []);
        };
        bridge.on('message', onMessage);
        bridge.send({ type: 'arrivals' });
      }),
    async countPoints() {
      const res = (await influx.query('SELECT count(*) FROM /.*/', DB)) as { results: Array<{ series?: Array<{ columns: string[]; values: Array<Array<number | string>> }> }> };
      let total = 0;
      for (const series of res.results[0]?.series ?? []) {
        series.columns.forEach((column, i) => {
          if (column.startsWith('count_')) total += Number(series.values[0]?.[i] ?? 0);
        });
      }
      return total;
    },
    stop: stopAll,
  };
}
