import { adminToken, createDevices, getJson } from './lib/api.ts';
import { startPlatform } from './lib/children.ts';
const DAY = 86_400_000, STEP = 10_000;
const p = await startPlatform({});
try {
  const token = await adminToken(p.url);
  const [dev] = await createDevices(p.url, token, 1, 'rawday');
  const end = Math.floor(Date.now() / STEP) * STEP;
  const rows = []; for (let ts = end - DAY; ts < end; ts += STEP) rows.push({ timestamp: ts, power: 1200.5, voltage: 230.1, current: 5.43 });
  for (let i = 0; i < rows.length; i += 3000) {
    const r = await fetch(`${p.url}/api/v1/telemetry`, { method: 'POST', headers: { 'x-api-key': dev!.key, 'content-type': 'application/json' }, body: JSON.stringify(rows.slice(i, i + 3000)) });
    if (r.status !== 201) throw new Error(String(r.status));
  }
  const times: number[] = []; let bytes = 0;
  for (let run = 0; run < 30; run++) {
    const t0 = performance.now(); let cursor: string | null = null; bytes = 0; let serverish = 0;
    do {
      const t1 = performance.now();
      const res = await fetch(`${p.url}/api/v1/telemetry/${dev!.id}?start_time=${end - DAY}&end_time=${end}&order=asc&limit=10000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text(); serverish += performance.now() - t1; bytes += text.length;
      const page = JSON.parse(text) as { next_cursor: string | null }; cursor = page.next_cursor;
    } while (cursor);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log('p50', times[15]!.toFixed(1), 'ms; bytes', bytes);
} finally { await p.stop(); }
void getJson;
