// NDJSON for `fluxgate import`: each line one POST /telemetry body (a message or an array of them,
// nested or flat), or with --field-column/--value-column one point per line (as
// `GET /telemetry/{id}/export?format=ndjson` writes them: field, value). Each message needs its timestamp: that is what makes a re-run store nothing twice.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type ImportRow, type ReadOptions, type ReadResult } from './import-rows.ts';
import { parseTime } from './import-values.ts';

const TIME_MEMBERS = ['timestamp', 'ts', 'time'] as const;
const RESERVED = new Set<string>([...TIME_MEMBERS, 'device_id', 'deviceId', 'metadata']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toRow(msg: unknown, line: number, opts: ReadOptions): ReadResult {
  if (!isObject(msg)) return { line, reason: 'a message must be a JSON object' };
  const rawTime = msg.timestamp ?? msg.ts ?? msg.time;
  const ts = parseTime(typeof rawTime === 'number' ? rawTime : String(rawTime ?? ''), opts.timeUnit, opts.zone);
  if (typeof ts === 'string') return { line, reason: ts };
  const claimed = msg.device_id ?? msg.deviceId;
  if (claimed !== undefined && typeof claimed !== 'string' && typeof claimed !== 'number') return { line, reason: 'device_id must be text' };
  let data: Record<string, unknown>;
  if (opts.fieldColumn !== undefined && opts.valueColumn !== undefined) {
    const name = msg[opts.fieldColumn];
    if (typeof name !== 'string' || !name) return { line, reason: `${opts.fieldColumn} must name the field` };
    if (msg[opts.valueColumn] === undefined) return { line, reason: `${opts.valueColumn} is missing` };
    data = { [name]: msg[opts.valueColumn] };
  } else if (msg.data !== undefined) {
    if (!isObject(msg.data)) return { line, reason: 'data must be an object of fields' };
    data = msg.data;
  } else {
    data = Object.fromEntries(Object.entries(msg).filter(([k]) => !RESERVED.has(k)));
  }
  const message: ImportRow['message'] = { timestamp: ts, data };
  if (msg.metadata !== undefined) message.metadata = msg.metadata;
  return { line, deviceId: claimed === undefined || claimed === '' ? opts.device : String(claimed), message, points: Object.keys(data).length };
}

/** Yields every message of an NDJSON file, or the reason its line is bad, with its line number. */
export async function* readNdjson(path: string, opts: ReadOptions): AsyncGenerator<ReadResult> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      yield { line, reason: `not JSON: ${(err as Error).message}` };
      continue;
    }
    for (const msg of Array.isArray(body) ? body : [body]) yield toRow(msg, line, opts);
  }
}
