import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { openSqliteConnection } from '../../src/storage/sqlite/sqlite-connection.ts';
import { SqlitePointWriter } from '../../src/storage/sqlite/point-writer.ts';
import { mkdtempSync } from 'node:fs';
async function main() {
  const dir = mkdtempSync('/tmp/mb/db-');
  const file = dir + '/f.db';
  const s = new SqliteStorage(file, {});
  await s.migrate();
  await s.close?.();
  const db = openSqliteConnection(file, { cacheMiB: 64 });
  db.pragma('foreign_keys = OFF');
  db.prepare("INSERT INTO users (id, username, email, password_hash, role, created_at, updated_at) VALUES ('u','u','u@x','x','admin',0,0)").run();
  const D = 50;
  for (let i = 0; i < D; i++) db.prepare("INSERT INTO devices (id,name,device_type,status,owner_id,api_key_hash,created_at,updated_at) VALUES (?,?,?,?,?,?,0,0)").run('d'+i,'d'+i,'meter','active','u','h'+i);
  const w = new SqlitePointWriter(db);
  const B = Number(process.argv[2] ?? 400);
  const t0base = Date.now() - 30*86400_000;
  let n = 0;
  const times: number[] = [];
  for (let b = 0; b < 100; b++) {
    const pts = [];
    for (let i = 0; i < B; i++, n++) pts.push({ deviceId: 'd' + (n % D), field: 'measurement_value', ts: t0base + n * 10_000 / 1, value: 0.1 + (n%7)/100, meta: null });
    const t = performance.now();
    w.write(pts as any);
    times.push(performance.now() - t);
  }
  times.sort((a,b)=>a-b);
  const med = times[50]!;
  console.log(`batch ${B}: median ${med.toFixed(2)} ms = ${(med*1000/B).toFixed(1)} us/point, ${(B/med*1000).toFixed(0)} pts/s`);
}
main();
