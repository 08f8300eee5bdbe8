import { Clock, batchPoints } from './lib/points.ts';
import { openRawStorage, registerRawDevices } from './lib/raw-storage.ts';
const raw = await openRawStorage('sqlite');
const devs = Array.from({ length: 64 }, (_, i) => `raw-${i}`);
await registerRawDevices(raw, devs);
const clock = new Clock();
for (const [perTx, perDev] of [[50000, 0], [3500, 100], [1700, 100], [3500, 0]] as const) {
  let rows = 0, spent = 0, d = 0;
  while (spent < 3000) {
    let pts;
    if (perDev) { pts = []; while (pts.length < perTx) pts.push(...batchPoints(clock, devs[d++ % 64]!, perDev)); }
    else pts = devs.flatMap((id) => batchPoints(clock, id, Math.ceil(perTx / 64)));
    const t0 = performance.now(); const r = await raw.storage.writePoints(pts); spent += performance.now() - t0; rows += r.inserted;
  }
  console.log(perTx, perDev, ((spent * 1000) / rows).toFixed(2), 'µs/row', Math.round(rows / spent * 1000), 'rows/s');
}
await raw.close();
