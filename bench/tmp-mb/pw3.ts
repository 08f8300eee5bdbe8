import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { openSqliteConnection } from '../../src/storage/sqlite/sqlite-connection.ts';
import { ROLLUP_UPSERT } from '../../src/storage/sqlite/point-writer.ts';
import { rollupBatch } from '../../src/domain/rollup.ts';
import { mkdtempSync } from 'node:fs';
const POS = (table: string) => ROLLUP_UPSERT(table).replace(/@\w+/g, '?');
async function setup() {
  const dir = mkdtempSync('/tmp/mb/db-'); const file = dir + '/f.db';
  const s = new SqliteStorage(file, {}); await s.migrate(); await s.close?.();
  const db = openSqliteConnection(file, { cacheMiB: 64 });
  return db;
}
async function run(name: string, make: (db: any) => (pts: any[]) => void) {
  const db = await setup(); const write = make(db);
  const B = 400; const t0base = Date.now() - 30*86400_000; let n = 0; const times: number[] = [];
  for (let b = 0; b < 150; b++) {
    const pts = [];
    for (let i = 0; i < B; i++, n++) pts.push({ deviceId: 'd' + (n % 50), field: 'measurement_value', ts: t0base + n * 10_000, value: 0.1 + (n%7)/100, meta: null });
    const t = performance.now(); write(pts); times.push(performance.now() - t);
  }
  times.sort((a,b)=>a-b); const med = times[75]!;
  console.log(`${name}: median ${med.toFixed(2)} ms = ${(med*1000/B).toFixed(1)} us/point`);
}
(async () => {
for (let r = 0; r < 2; r++) {
await run('rollups named', (db) => { const m = db.prepare(ROLLUP_UPSERT('rollup_minute')); const h = db.prepare(ROLLUP_UPSERT('rollup_hour')); const tx = db.transaction((ps: any[]) => { for (const r of rollupBatch(ps,'minute')) m.run(r); for (const r of rollupBatch(ps,'hour')) h.run(r); }); return (p) => tx.immediate(p); });
await run('rollupBatch JS only', (db) => (ps) => { rollupBatch(ps,'minute'); rollupBatch(ps,'hour'); });
await run('minute named only', (db) => { const m = db.prepare(ROLLUP_UPSERT('rollup_minute')); const tx = db.transaction((ps: any[]) => { for (const r of rollupBatch(ps,'minute')) m.run(r); }); return (p) => tx.immediate(p); });
await run('minute positional', (db) => { const m = db.prepare(POS('rollup_minute')); const tx = db.transaction((ps: any[]) => { for (const r of rollupBatch(ps,'minute')) m.run(r.deviceId, r.field, r.bucket, r.count, r.sum, r.min, r.max, r.firstTs, r.first, r.lastTs, r.last); }); return (p) => tx.immediate(p); });
await run('minute plain insert', (db) => { const m = db.prepare('INSERT INTO rollup_minute VALUES (?,?,?,?,?,?,?,?,?,?,?)'); const tx = db.transaction((ps: any[]) => { for (const r of rollupBatch(ps,'minute')) m.run(r.deviceId, r.field, r.bucket, r.count, r.sum, r.min, r.max, r.firstTs, r.first, r.lastTs, r.last); }); return (p) => tx.immediate(p); });
}
})();
