// `fluxgate import`'s engine: reads a file's rows, groups them per device into batches, sends each
// batch with that device's key, and keeps count. A bad row stops the import naming file:line, or
// with skipBad is set aside and reported. Re-running is safe: the platform keeps the first value of
// a (device, field, timestamp), so rows already stored are not stored twice.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { readCsv } from './import-csv.ts';
import { readNdjson } from './import-ndjson.ts';
import { isBad, type ImportRow, type ReadOptions, type ReadResult } from './import-rows.ts';
import type { TelemetrySender } from './import-sender.ts';

/** The platform's default MAX_POINTS_PER_REQUEST: a batch never holds more points than this. */
const MAX_POINTS_PER_BATCH = 10_000;

export type ImportFormat = 'csv' | 'ndjson';

export interface ImportJob {
  file: string;
  format: ImportFormat;
  read: ReadOptions;
  keys: ReadonlyMap<string, string>;
  batchSize: number;
  skipBad: boolean;
  progress: boolean;
}

export interface ImportTally {
  rows: number;
  points: number;
  bad: Array<{ where: string; reason: string }>;
  elapsedMs: number;
}

/** A bad row with --skip-bad off: the import stops here. */
export class BadRowError extends Error {}

export function formatOf(file: string, given: string | undefined): ImportFormat {
  const format = given ?? (/\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : 'csv');
  if (format !== 'csv' && format !== 'ndjson') throw new Error(`--format must be csv or ndjson (got "${format}")`);
  return format;
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

export async function runImport(job: ImportJob, sender: TelemetrySender): Promise<ImportTally> {
  const started = performance.now();
  const tally: ImportTally = { rows: 0, points: 0, bad: [], elapsedMs: 0 };
  const pending = new Map<string, { rows: ImportRow[]; points: number }>();
  const bar = job.progress
    ? new cliProgress.SingleBar(
        { stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000, format: `${basename(job.file)} [{bar}] {value}/{total} lines | {speed} rows/s | {bad} bad`, hideCursor: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(await countLines(job.file), 0, { speed: '0', bad: 0 });

  const badRow = (line: number, reason: string) => {
    const where = `${job.file}:${line}`;
    if (!job.skipBad) throw new BadRowError(`${where}: ${reason}`);
    tally.bad.push({ where, reason });
  };

  const flush = async (deviceId: string) => {
    const batch = pending.get(deviceId);
    pending.delete(deviceId);
    let rows = batch?.rows ?? [];
    while (rows.length > 0) {
      const result = await sender.send(deviceId, job.keys.get(deviceId)!, rows.map((r) => r.message));
      if (result.ok) {
        tally.rows += rows.length;
        tally.points += result.points;
        break;
      }
      const culprit = rows[result.index];
      if (!culprit) throw new Error(`the platform named message ${result.index} of a batch of ${rows.length}: ${result.reason}`);
      badRow(culprit.line, result.reason);
      rows = rows.filter((r) => r !== culprit);
    }
    const secs = (performance.now() - started) / 1000;
    bar?.update({ speed: secs > 0 ? (tally.rows / secs).toFixed(0) : '0', bad: tally.bad.length });
  };

  const take = async (row: ReadResult) => {
    bar?.update(row.line);
    if (isBad(row)) return badRow(row.line, row.reason);
    if (row.deviceId === undefined) return badRow(row.line, 'names no device; give --device or a device column');
    if (!job.keys.has(row.deviceId)) return badRow(row.line, `no API key for device ${row.deviceId}; add it to --keys`);
    let batch = pending.get(row.deviceId);
    if (batch && batch.points + row.points > MAX_POINTS_PER_BATCH) await flush(row.deviceId);
    batch = pending.get(row.deviceId) ?? { rows: [], points: 0 };
    pending.set(row.deviceId, batch);
    batch.rows.push(row);
    batch.points += row.points;
    if (batch.rows.length >= job.batchSize) await flush(row.deviceId);
  };

  try {
    const rows = job.format === 'csv' ? readCsv(job.file, job.read) : readNdjson(job.file, job.read);
    for await (const row of rows) await take(row);
    for (const deviceId of [...pending.keys()]) await flush(deviceId);
    bar?.update(bar.getTotal());
  } finally {
    bar?.stop();
  }
  tally.elapsedMs = performance.now() - started;
  return tally;
}
