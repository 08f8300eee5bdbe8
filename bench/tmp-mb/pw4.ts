import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { openSqliteConnection } from '../../src/storage/sqlite/sqlite-connection.ts';
import { mkdtempSync } from 'node:fs';
async function setup(sync = 'FULL') {
  const dir = mkdtempSync('/tmp/mb/db-'); const file = dir + '/f.db';
  const s = new SqliteStorage(file, {}); await s.migrate(); await s.close?.();
  const db = openSqliteConnection(file, { cacheMiB: 64 }); db.pragma('synchronous = ' + sync);
  return db;
}
async function run(name: string, D: number, sync: string, B = 400) {
  const db = await setup(sync);
  const ins = db.prepare('INSERT INTO points (device_id, field, ts, num, str, type, meta) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const tx = db.transaction((ps: any[]) => { for (const p of ps) ins.run(p.deviceId, p.field, p.ts, p.value, null, 0, null); });
  const t0base = Date.now() - 30*86400_000; let n = 0; const times: number[] = [];
  for (let b = 0; b < 150; b++) {
    const pts = [];
    for (let i = 0; i < B; i++, n++) pts.push({ deviceId: '0b3c2f4e-1d2a-4c5b-8e9f-' + String(n % D).padStart(12,'0'), field: 'measurement_value', ts: t0base + n * 10_000, value: 0.1 + (n%7)/100 });
    const t = performance.now(); tx.immediate(pts); times.push(performance.now() - t);
  }
  times.sort((a,b)=>a-b); const med = times[75]!;
  console.log(`${name}: D=${D} sync=${sync} B=${B} median ${med.toFixed(2)} ms = ${(med*1000/B).toFixed(1)} us/point`);
}
(async () => {
await run('pts', 1, 'FULL'); await run('pts', 50, 'FULL'); await run('pts', 50, 'OFF'); await run('pts', 1000, 'FULL'); await run('pts', 50, 'FULL', 2000); await run('pts', 1, 'OFF');
})();
