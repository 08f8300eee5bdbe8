// Child process of bench:mqtt's "stack" row: the MQTT → InfluxDB bridge users write themselves, as
// a competent one would. BENCH_BRIDGE_CONNECTIONS (2) clean-session connections share one QoS 1
// subscription ($share/bridge/<filter>); each message's JSON payload becomes one line of line
// protocol (measurement = device id from the topic, its numeric fields, its timestamp); lines are
// batched (up to BENCH_BRIDGE_BATCH_LINES, or BENCH_BRIDGE_BATCH_MS after a batch's first line) and
// POSTed to InfluxDB's /write?precision=ms over kept-alive connections, BENCH_BRIDGE_WRITES (2)
// batches in flight at most. A batch's PUBACKs go out only after InfluxDB answered 204: ack after
// durable commit. IPC: sends {type:'ready'} once subscribed; answers {type:'arrivals'} with the
// batches stored since the last ask (when, and each message's device and timestamp); exits on
// {type:'stop'}.
import http from 'node:http';
import { WireClient } from './mqtt-wire.ts';

interface Job {
  mqttUrl: string;
  influxUrl: string;
  db: string;
  /** The publishers' topic filter, e.g. devices/+/data; the device id is its second level. */
  filter: string;
  protocolVersion: 4 | 5;
}

const job = JSON.parse(process.env.BRIDGE_JOB ?? '{}') as Job;
const CONNECTIONS = Number(process.env.BENCH_BRIDGE_CONNECTIONS ?? 2);
const BATCH_LINES = Number(process.env.BENCH_BRIDGE_BATCH_LINES ?? 5000);
const BATCH_MS = Number(process.env.BENCH_BRIDGE_BATCH_MS ?? 10);
const WRITES = Number(process.env.BENCH_BRIDGE_WRITES ?? 2);

interface Batch {
  lines: string[];
  /** Per message: which connection delivered it and its packet id (0: QoS 0, nothing to acknowledge). */
  clients: number[];
  messageIds: number[];
  devices: string[];
  timestamps: number[];
}

const newBatch = (): Batch => ({ lines: [], clients: [], messageIds: [], devices: [], timestamps: [] });
let open = newBatch();
let timer: NodeJS.Timeout | undefined;
let writing = 0;
/** Stored batches not yet reported to the bench: [when stored, devices, timestamps]. */
let stored: Array<[number, string[], number[]]> = [];
const agent = new http.Agent({ keepAlive: true, maxSockets: WRITES });
const write = new URL(`/write?db=${encodeURIComponent(job.db)}&precision=ms`, job.influxUrl);

/** Line protocol escapes: measurement (commas, spaces) and field keys (also equal signs). */
const measurement = (s: string) => (/[, ]/.test(s) ? s.replace(/[, ]/g, '\\$&') : s);
const fieldKey = (s: string) => (/[,= ]/.test(s) ? s.replace(/[,= ]/g, '\\$&') : s);

function toLine(device: string, payload: Buffer): { line: string; ts: number } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const ts = typeof record.timestamp === 'number' ? record.timestamp : Date.now();
  let fields = '';
  for (const key in record) {
    if (key === 'timestamp') continue;
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) fields += `${fields ? ',' : ''}${fieldKey(key)}=${value}`;
    else if (typeof value === 'boolean') fields += `${fields ? ',' : ''}${fieldKey(key)}=${value}`;
  }
  return fields ? { line: `${measurement(device)} ${fields} ${ts}`, ts } : undefined;
}

function post(body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(write, { method: 'POST', agent, headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A batch's PUBACKs, one write per connection. Each is the 4-byte form (MQTT 5 too: success with no
 * properties may leave the reason code out), written directly rather than encoded one by one.
 */
function ack(clients: WireClient[], batch: Batch): void {
  const counts = clients.map(() => 0);
  for (let i = 0; i < batch.messageIds.length; i++) if (batch.messageIds[i] !== 0) counts[batch.clients[i]!]!++;
  const out = counts.map((n) => Buffer.allocUnsafe(n * 4));
  const at = clients.map(() => 0);
  for (let i = 0; i < batch.messageIds.length; i++) {
    const messageId = batch.messageIds[i]!;
    if (messageId === 0) continue;
    const c = batch.clients[i]!;
    const buf = out[c]!;
    buf[at[c]!] = 0x40;
    buf[at[c]! + 1] = 2;
    buf.writeUInt16BE(messageId, at[c]! + 2);
    at[c]! += 4;
  }
  clients.forEach((client, c) => out[c]!.length > 0 && client.socket.write(out[c]!));
}

/** Sends the open batch when it is due and a write slot is free; a write that fails is retried. */
function flush(clients: WireClient[]): void {
  if (open.lines.length === 0 || writing >= WRITES) return;
  if (timer) clearTimeout(timer);
  timer = undefined;
  const batch = open;
  open = newBatch();
  writing++;
  const body = batch.lines.join('\n');
  const attempt = (): void => {
    post(body).then(
      (status) => {
        if (status !== 204) {
          process.stderr.write(`influx bridge: /write answered ${status}, retrying\n`);
          setTimeout(attempt, 100);
          return;
        }
        ack(clients, batch);
        stored.push([Date.now(), batch.devices, batch.timestamps]);
        writing--;
        // Lines that came in while every slot was busy go out now, if their batch is due.
        if (open.lines.length >= BATCH_LINES || (open.lines.length > 0 && !timer)) flush(clients);
      },
      (err: Error) => {
        process.stderr.write(`influx bridge: /write failed (${err.message}), retrying\n`);
        setTimeout(attempt, 100);
      },
    );
  };
  attempt();
}

function take(clients: WireClient[], index: number, topic: string, payload: Buffer, messageId: number | undefined): void {
  const first = topic.indexOf('/');
  const device = topic.slice(first + 1, topic.indexOf('/', first + 1));
  const converted = toLine(device, payload);
  if (!converted) {
    // Not telemetry this bridge can store: acknowledged so that it does not block the session.
    if (messageId !== undefined) clients[index]!.send({ cmd: 'puback', messageId });
    return;
  }
  open.lines.push(converted.line);
  open.clients.push(index);
  open.messageIds.push(messageId ?? 0);
  open.devices.push(device);
  open.timestamps.push(converted.ts);
  if (open.lines.length >= BATCH_LINES) flush(clients);
  else if (!timer && open.lines.length === 1) {
    timer = setTimeout(() => {
      timer = undefined;
      flush(clients);
    }, BATCH_MS);
  }
}

const clients: WireClient[] = [];
for (let i = 0; i < CONNECTIONS; i++) {
  const client = await WireClient.connect(job.mqttUrl, { clientId: `influx-bridge-${process.pid}-${i}`, protocolVersion: job.protocolVersion });
  clients.push(client);
}
let stopping = false;
for (const [i, client] of clients.entries()) {
  // Messages unacknowledged on a lost connection would be redelivered to nobody: the run is void, loudly.
  client.socket.on('close', () => {
    if (stopping) return;
    process.stderr.write(`influx bridge: connection ${i} to Mosquitto closed\n`);
    process.exit(1);
  });
  await client.subscribe(`$share/bridge/${job.filter}`, 1);
  client.onPacket = (packet) => {
    if (packet.cmd !== 'publish') return;
    take(clients, i, packet.topic, packet.payload as Buffer, packet.qos === 1 ? packet.messageId : undefined);
  };
}

process.on('message', (m: { type: string }) => {
  if (m.type === 'arrivals') {
    process.send?.({ type: 'arrivals', batches: stored });
    stored = [];
  }
  if (m.type === 'stop') {
    stopping = true;
    void Promise.all(clients.map((c) => c.end())).finally(() => process.exit(0));
  }
});
process.send?.({ type: 'ready' });
