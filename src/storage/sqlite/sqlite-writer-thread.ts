// The SQLite writer thread: its own connection to the database file, running the telemetry write
// transaction (point-writer.ts) for the main thread. The commit's fsync then blocks this thread
// instead of the event loop that parses requests and MQTT packets, so the next group of points
// gathers while one is committed.
import { parentPort, workerData } from 'node:worker_threads';
import { type PointColumns, fromColumns } from './point-columns.ts';
import type { CompactionStep } from '../storage.ts';
import { SqlitePointWriter } from './point-writer.ts';
import { SqliteCompactor } from './sqlite-compactor.ts';
import { WRITER_CACHE_MIB, openSqliteConnection } from './sqlite-connection.ts';

export type WriterRequest =
  | { id: number; points: PointColumns }
  | { id: number; compact: { now: number; budgetMs: number } }
  | { id: number; close: true };
export type WriterReply = { id: number; inserted: number; duplicates: number } | { id: number; step: CompactionStep } | { id: number; error: string };

const port = parentPort!;
// The leaves and rollup rows of every live series stay in cache between commits (SQLite's default
// 2 MiB cache holds ~500 pages; 64 devices × 5 fields already touch more per few commits).
const db = openSqliteConnection((workerData as { file: string }).file, { cacheMiB: WRITER_CACHE_MIB });
const writer = new SqlitePointWriter(db);
const compactor = new SqliteCompactor(db);

port.on('message', (msg: WriterRequest) => {
  if ('close' in msg) {
    db.close();
    port.postMessage({ id: msg.id, inserted: 0, duplicates: 0 } satisfies WriterReply);
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = 'compact' in msg ? { id: msg.id, step: compactor.step(msg.compact.now, msg.compact.budgetMs) } : { id: msg.id, ...writer.write(fromColumns(msg.points)) };
  } catch (err) {
    reply = { id: msg.id, error: (err as Error).message };
  }
  port.postMessage(reply);
});
