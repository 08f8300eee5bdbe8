import { SqliteStorage } from './src/storage/sqlite/sqlite-storage.ts';
import { rmSync, mkdirSync } from 'node:fs';
rmSync('/tmp/qt', { recursive: true, force: true }); mkdirSync('/tmp/qt');
const s = new SqliteStorage('/tmp/qt/x.db', { writerThread: false });
await s.migrate();
await s.createUser({ id: 'u', username: 'u', email: null, passwordHash: 'x', role: 'user', isActive: true });
await s.createDevice({ id: 'd', name: 'd', description: null, deviceType: 't', location: null, firmwareVersion: null, hardwareVersion: null, status: 'active', metadata: {}, config: {}, ownerId: 'u', apiKeyHash: 'h' });
const DAY = 86400000, STEP = 10000; const end = Math.floor(Date.now() / STEP) * STEP; const n = 30 * DAY / STEP;
let batch = []; let t0 = performance.now();
for (let i = 0; i < n; i++) {
  const ts = end - (n - i) * STEP;
  const power = Math.round((1200 + 600 * Math.sin(2 * Math.PI * (ts % DAY) / DAY) + 40 * Math.sin(i / 7)) * 10) / 10;
  const voltage = Math.round((230 + 2 * Math.sin(i / 13)) * 10) / 10;
  batch.push({ deviceId: 'd', field: 'power', ts, value: power, meta: null }, { deviceId: 'd', field: 'voltage', ts, value: voltage, meta: null }, { deviceId: 'd', field: 'current', ts, value: Math.round(power / voltage * 100) / 100, meta: null });
  if (batch.length >= 9000) { await s.writePoints(batch); batch = []; }
}
await s.writePoints(batch);
console.log('write', (performance.now() - t0).toFixed(0), 'ms'); t0 = performance.now();
console.log(await s.compact(), (performance.now() - t0).toFixed(0), 'ms');
for (let r = 0; r < 5; r++) {
  t0 = performance.now(); let count = 0; let after;
  for (;;) { const page = await s.queryPoints({ deviceId: 'd', start: end - DAY, end: end + 1, order: 'asc', limit: 10000, ...(after ? { after } : {}) }); count += page.length; if (page.length < 10000) break; const l = page[page.length - 1]; after = { ts: l.ts, field: l.field }; }
  if (r % 10 === 0) console.log("day", count, (performance.now() - t0).toFixed(1), 'ms');
}
await s.close();
