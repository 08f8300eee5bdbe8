import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { openSqliteConnection } from '../../src/storage/sqlite/sqlite-connection.ts';
import { SqlitePointWriter, ROLLUP_UPSERT } from '../../src/storage/sqlite/point-writer.ts';
import { rollupBatch } from '../../src/domain/rollup.ts';
import { mkdtempSync } from 'node:fs';
async function setup() {
  const dir = mkdtempSync('/tmp/mb/db-');
  const file = dir + '/f.db';
  const s = new SqliteStorage(file, {});
  await s.migrate();
  await s.close?.();
  const db = openSqliteConnection(file, { cacheMiB: 64 });
  db.pragma('foreign_keys = OFF');
  db.prepare("INSERT INTO users (id, username, email, password_hash, role, created_at, updated_at) VALUES ('u','u','u@x','x','admin',0,0)").run();
  for (let i = 0; i < 50; i++) db.prepare("INSERT INTO devices (id,name,device_type,status,owner_id,api_key_hash,created_at,updated_at) VALUES (?,?,?,?,?,?,0,0)").run('d'+i,'d'+i,'meter','active','u','h'+i);
  return db;
}
async function run(name: string, make: (db: any) => (pts: any[]) => void) {
  const db = await setup();
  const write = make(db);
  const B = 400; const t0base = Date.now() - 30*86400_000; let n = 0; const times: number[] = [];
  for (let b = 0; b < 150; b++) {
    const pts = [];
    for (let i = 0; i < B; i++, n++) pts.push({ deviceId: 'd' + (n % 50), field: 'measurement_value', ts: t0base + n * 10_000, value: 0.1 + (n%7)/100, meta: null });
    const t = performance.now(); write(pts); times.push(performance.now() - t);
  }
  times.sort((a,b)=>a-b); const med = times[75]!;
  console.log(`${name}: median ${med.toFixed(2)} ms = ${(med*1000/B).toFixed(1)} us/point`);
}
await 0;
(async () => {
for (let r = 0; r < 2; r++) {
await run('current', (db) => { const w = new SqlitePointWriter(db); return (p) => w.write(p); });
await run('points only', (db) => { const ins = db.prepare('INSERT INTO points (device_id, field, ts, num, str, type, meta) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'); const tx = db.transaction((ps: any[]) => { for (const p of ps) ins.run(p.deviceId, p.field, p.ts, p.value, null, 0, null); }); return (p) => tx.immediate(p); });
await run('empty tx', (db) => { const tx = db.transaction((ps: any[]) => { db.prepare('UPDATE settings SET value=value WHERE key=?').run('x'); }); return (p) => tx.immediate(p); });
await run('points json_each', (db) => { const ins = db.prepare("INSERT INTO points (device_id, field, ts, num, str, type, meta) SELECT value->>0, value->>1, value->>2, value->>3, NULL, 0, NULL FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"); const tx = db.transaction((ps: any[]) => { ins.run(JSON.stringify(ps.map(p => [p.deviceId, p.field, p.ts, p.value]))); }); return (p) => tx.immediate(p); });
await run('rollups only', (db) => { const m = db.prepare(ROLLUP_UPSERT('rollup_minute')); const h = db.prepare(ROLLUP_UPSERT('rollup_hour')); const tx = db.transaction((ps: any[]) => { for (const r of rollupBatch(ps,'minute')) m.run(r); for (const r of rollupBatch(ps,'hour')) h.run(r); }); return (p) => tx.immediate(p); });
}
})();
