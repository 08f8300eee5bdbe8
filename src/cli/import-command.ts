// `fluxgate import <files…>`: telemetry from CSV and NDJSON files into a running platform through
// its public API, each device's rows sent with that device's key. Exit codes (docs/import.md):
// 0 all imported · 1 bad flags, file or keys file · 2 stopped at a bad row · 3 done, bad rows
// skipped (--skip-bad) · 4 the platform refused or could not be reached.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CsvLayoutError } from './import-csv.ts';
import { BadRowError, formatOf, runImport, type ImportTally } from './import-run.ts';
import { PlatformError, TelemetrySender } from './import-sender.ts';
import type { TimeUnit } from './import-values.ts';

export const IMPORT_EXIT = { ok: 0, usage: 1, badRow: 2, skipped: 3, platform: 4 } as const;

interface ImportFlags {
  url: string;
  device?: string;
  key?: string;
  keys?: string;
  format?: string;
  timeColumn?: string;
  timeUnit: string;
  tz: string;
  deviceColumn?: string;
  fieldColumn?: string;
  valueColumn?: string;
  batchSize: string;
  retries: string;
  skipBad?: boolean;
  progress: boolean;
}

class UsageError extends Error {}

/** Reads `[{id, api_key}]` (as `fluxgate simulate --save-devices` writes) or `{"<device id>": "<key>"}`. */
export async function readKeysFile(path: string): Promise<Map<string, string>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--keys ${path}: ${(err as Error).message}`);
  }
  const entries: Array<[unknown, unknown]> = Array.isArray(raw)
    ? raw.map((d: Record<string, unknown> | null) => [d?.id ?? d?.device_id, d?.api_key ?? d?.apiKey])
    : typeof raw === 'object' && raw !== null
      ? Object.entries(raw)
      : [];
  if (entries.length === 0) throw new UsageError(`--keys ${path}: expected [{"id", "api_key"}, …] or {"<device id>": "<key>", …}`);
  return new Map(
    entries.map(([id, key], i) => {
      if (typeof id !== 'string' || typeof key !== 'string' || !id || !key) throw new UsageError(`--keys ${path}: entry ${i} needs a device id and an api_key`);
      return [id, key];
    }),
  );
}

function wholeNumber(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number of at least ${min} (got "${text}")`);
  return n;
}

async function keysOf(flags: ImportFlags): Promise<Map<string, string>> {
  const keys = flags.keys ? await readKeysFile(flags.keys) : new Map<string, string>();
  const key = flags.key ?? (process.env.FLUXGATE_DEVICE_KEY || undefined);
  if (key !== undefined) {
    if (!flags.device) throw new UsageError('--key (or FLUXGATE_DEVICE_KEY) goes with --device <id>');
    keys.set(flags.device, key);
  }
  if (keys.size === 0) throw new UsageError('give --device <id> with --key <key> (or FLUXGATE_DEVICE_KEY), or --keys <file> for several devices');
  return keys;
}

function report(file: string, tally: ImportTally): void {
  const secs = tally.elapsedMs / 1000;
  const rate = secs > 0 ? (tally.rows / secs).toFixed(0) : String(tally.rows);
  console.log(`${file}: imported ${tally.rows} rows (${tally.points} points) in ${secs.toFixed(1)} s (${rate} rows/s)${tally.bad.length ? `; skipped ${tally.bad.length} bad rows` : ''}`);
  for (const bad of tally.bad) console.error(`skipped ${bad.where}: ${bad.reason}`);
}

async function importFiles(files: string[], flags: ImportFlags): Promise<number> {
  if (!['s', 'ms', 'us', 'ns'].includes(flags.timeUnit)) throw new UsageError(`--time-unit must be s, ms, us or ns (got "${flags.timeUnit}")`);
  if (!/^https?:\/\/[^/]/.test(flags.url)) throw new UsageError(`--url must be a URL like http://127.0.0.1:8080 (got "${flags.url}")`);
  if ((flags.fieldColumn === undefined) !== (flags.valueColumn === undefined)) throw new UsageError('--field-column and --value-column go together');
  const keys = await keysOf(flags);
  const batchSize = wholeNumber(flags.batchSize, '--batch-size', 1);
  const sender = new TelemetrySender({ url: flags.url, retries: wholeNumber(flags.retries, '--retries', 0), backoffMs: 500 });
  let skipped = 0;
  for (const file of files) {
    const format = formatOf(file, flags.format);
    const tally = await runImport(
      {
        file,
        format,
        keys,
        batchSize,
        skipBad: flags.skipBad === true,
        progress: flags.progress,
        read: {
          device: flags.device,
          timeColumn: flags.timeColumn,
          deviceColumn: flags.deviceColumn,
          fieldColumn: flags.fieldColumn,
          valueColumn: flags.valueColumn,
          timeUnit: flags.timeUnit as TimeUnit,
          zone: flags.tz,
        },
      },
      sender,
    );
    report(file, tally);
    skipped += tally.bad.length;
  }
  if (sender.retried > 0) console.log(`${sender.retried} requests were retried (the platform was busy or unreachable)`);
  return skipped > 0 ? IMPORT_EXIT.skipped : IMPORT_EXIT.ok;
}

function exitCodeOf(err: unknown): number {
  if (err instanceof BadRowError) return IMPORT_EXIT.badRow;
  if (err instanceof PlatformError) return IMPORT_EXIT.platform;
  return IMPORT_EXIT.usage;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('Import telemetry from CSV or NDJSON files into a running platform through its API, with each device\'s key; safe to re-run')
    .argument('<files...>', 'CSV (header row) or NDJSON (one POST /telemetry body per line) files')
    .option('--url <url>', 'platform base URL (or FLUXGATE_URL)', process.env.FLUXGATE_URL || 'http://127.0.0.1:8080')
    .option('--device <id>', 'device of rows that name none (with --key: the one device of the file)')
    .option('--key <key>', "that device's API key (or FLUXGATE_DEVICE_KEY)")
    .option('--keys <file>', 'JSON keys of several devices: [{"id","api_key"}] or {"<id>":"<key>"}')
    .option('--format <format>', 'csv or ndjson (default: from the file name, .ndjson/.jsonl → ndjson)')
    .option('--time-column <name>', 'CSV time column (default: timestamp, time, ts, _time, datetime, recorded_at or created_at)')
    .option('--time-unit <unit>', 'unit of numeric timestamps: s, ms, us or ns', 'ms')
    .option('--tz <zone>', 'time zone of timestamps written without one', 'UTC')
    .option('--device-column <name>', 'CSV device column (default: device_id, deviceId or device)')
    .option('--field-column <name>', 'long form, one point per row: the CSV column or NDJSON member naming the field (InfluxDB: _field)')
    .option('--value-column <name>', 'long form: the column or member holding the value (InfluxDB: _value)')
    .option('--batch-size <rows>', 'rows per request (each request also stays under 10,000 points)', '500')
    .option('--retries <n>', 'retries of a request the platform answers 503/429 or cannot take', '8')
    .option('--skip-bad', 'set bad rows aside, import the rest and list them at the end (exit code 3)')
    .option('--no-progress', 'no progress line on stderr')
    .action(async (files: string[], flags: ImportFlags) => {
      try {
        process.exitCode = await importFiles(files, flags);
      } catch (err) {
        const known = err instanceof UsageError || err instanceof CsvLayoutError || err instanceof BadRowError || err instanceof PlatformError;
        const code = (err as NodeJS.ErrnoException).code;
        const message = known || code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' ? (err as Error).message : String((err as Error).stack ?? err);
        console.error(`fluxgate import: ${message}`);
        if (err instanceof BadRowError) console.error('Rows before it were imported; fix the row (or add --skip-bad) and run again: rows already stored are not stored twice.');
        process.exitCode = exitCodeOf(err);
      }
    });
}
