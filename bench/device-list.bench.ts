// npm run bench:device-list [-- --storage sqlite|postgres|both] [--devices 20000] [--online 5000] [--runs 50] [--browser]
// npm run bench:dashboard is the same with --browser: also the pages in headless chromium.
// Creates a fleet directly through the Storage API (a temp SQLite file, a fresh PostgreSQL schema),
// marks some devices online (a fresh last_seen, as the presence flush writes it) with two latest
// values each, starts the real platform (a child process) on that database, and times over HTTP:
// the overview summary, the first page of /devices sorted by name (with latest values), and a search.
// With --browser the online devices stream over MQTT (one connection each, a QoS 1 reading every
// --stream-interval seconds, from client processes) while the pages are timed in chromium.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Point } from '../src/domain/telemetry.ts';
import { hashApiKey } from '../src/services/api-keys.ts';
import { hashPassword } from '../src/services/passwords.ts';
import { PostgresStorage } from '../src/storage/postgres/postgres-storage.ts';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../src/storage/storage.ts';
import { adminToken, getJson } from './lib/api.ts';
import { browserTimings } from './lib/browser-timings.ts';
import { startFleet } from './lib/fleet.ts';
import { percentile, sampleLatency } from './lib/latency.ts';
import { ADMIN_PASSWORD, startPlatform } from './lib/children.ts';
import { DATABASE_URL, benchEachStorage, printHardware } from './lib/raw-storage.ts';
import { recordResults } from './lib/results.ts';
import { fmt, ms, printTable } from './lib/table.ts';

const { values: args } = parseArgs({
  options: {
    storage: { type: 'string', default: 'both' },
    devices: { type: 'string', default: '20000' },
    online: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '50' },
    browser: { type: 'boolean', default: false },
    'browser-runs': { type: 'string', default: '10' },
    'stream-interval': { type: 'string', default: '10' },
  },
});
const DEVICES = Number(args.devices);
const ONLINE = Number(args.online);
const RUNS = Number(args.runs);
const TARGET_MS = 100;
const TYPES = ['thermostat', 'sensor', 'camera', 'smart_plug', 'smart_meter', 'gateway'];
const PLACES = ['Kitchen', 'attic', 'Cellar', 'garage', 'Hall', 'office', 'Roof', 'yard'];

type Timing = { p50: number; p95: number };

const timing = (samples: number[]): Timing => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
};

async function time(fn: () => Promise<unknown>): Promise<Timing> {
  return timing(await sampleLatency(RUNS, 5, fn));
}

const idOf = (i: number) => `fleet-${String(i).padStart(5, '0')}`;
const KEY_SECRET = Math.random().toString(36).slice(2);
const keyOf = (i: number) => `fgk_bench_${KEY_SECRET}_${i}`;
/** The online devices: every fourth, up to ONLINE. */
const onlineIndexes = () => Array.from({ length: Math.min(ONLINE, DEVICES) }, (_, k) => (k * 4) % DEVICES);

/** A dashboard of 12 widgets over online devices (every fourth device is online, with two fields). */
async function createDashboard(url: string, token: string): Promise<string> {
  const online = (k: number) => idOf((k * 4) % DEVICES);
  const widget = (n: number, kind: string, devices: string[], extra: Record<string, unknown> = {}) => ({ id: `w${n}`, kind, device_ids: devices, fields: ['temperature'], w: 4, ...extra });
  const widgets = [
    ...[0, 1, 2, 3].map((k) => widget(k, 'value', [online(k)], { w: 3 })),
    widget(4, 'gauge', [online(4)]),
    widget(5, 'gauge', [online(5)]),
    widget(6, 'line', [online(6), online(7)], { fields: ['temperature', 'humidity'], w: 6, h: 2 }),
    widget(7, 'line', [online(8)], { w: 6, h: 2 }),
    widget(8, 'table', Array.from({ length: 20 }, (_, k) => online(20 + k)), { fields: ['temperature', 'humidity'], w: 8, h: 2 }),
    widget(9, 'timeline', [online(9)]),
    widget(10, 'thermostat', [idOf(0)]),
    widget(11, 'value', [online(11)], { fields: ['humidity'] }),
  ];
  const res = await fetch(`${url}/api/v1/dashboards`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Twelve widgets', widgets }),
  });
  if (res.status !== 201) throw new Error(`creating the dashboard answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

const sumStatus = (all: Array<{ connected: number; published: number; acked: number }>) =>
  all.reduce((t, x) => ({ connected: t.connected + x.connected, published: t.published + x.published, acked: t.acked + x.acked }), { connected: 0, published: 0, acked: 0 });

async function loadFleet(storage: Storage): Promise<number> {
  const t0 = performance.now();
  await storage.migrate();
  // The platform bootstraps its admin only into an empty database: create it here, as it would.
  await storage.createUser({ id: 'bench-admin', username: 'admin', email: null, passwordHash: await hashPassword(ADMIN_PASSWORD), role: 'admin', isActive: true });
  const owners = await Promise.all(
    [0, 1, 2, 3].map((n) =>
      storage.createUser({ id: `bench-owner-${n}`, username: `owner${n}`, email: null, passwordHash: 'x', role: 'user', isActive: true }),
    ),
  );
  for (let start = 0; start < DEVICES; start += 200) {
    const chunk = Array.from({ length: Math.min(200, DEVICES - start) }, (_, k) => start + k);
    await Promise.all(
      chunk.map((i) =>
        storage.createDevice({
          id: idOf(i),
          name: `${PLACES[i % PLACES.length]} unit ${i}`,
          description: null,
          deviceType: TYPES[i % TYPES.length]!,
          location: PLACES[(i >> 3) % PLACES.length]!,
          firmwareVersion: null,
          hardwareVersion: null,
          status: i % 50 === 7 ? 'maintenance' : 'active',
          metadata: {},
          config: {},
          ownerId: owners[i % owners.length]!.id,
          apiKeyHash: hashApiKey(keyOf(i)),
        }),
      ),
    );
  }
  // Every fourth device online (up to ONLINE), each with a temperature and a humidity.
  const now = Date.now();
  const online = onlineIndexes();
  await storage.touchDevices(new Map(online.map((i) => [idOf(i), now - (i % 60) * 1000])));
  for (let start = 0; start < online.length; start += 1000) {
    const points: Point[] = online.slice(start, start + 1000).flatMap((i) => [
      { deviceId: idOf(i), field: 'temperature', ts: now - 5000, value: 20 + (i % 10), meta: null },
      { deviceId: idOf(i), field: 'humidity', ts: now - 5000, value: 40 + (i % 20), meta: null },
    ]);
    await storage.writePoints(points);
  }
  return (performance.now() - t0) / 1000;
}

interface Row {
  kind: 'sqlite' | 'postgres';
  loadSeconds: number;
  summary: Timing;
  page: Timing;
  search: Timing;
  browser?: { overview: Timing; devicesPage: Timing; search: Timing; dashboard: Timing };
  /** While the browser ran: devices connected and streaming, readings sent and acknowledged per second. */
  stream?: { connected: number; sentPerSecond: number; ackedPerSecond: number };
}


async function benchOne(kind: 'sqlite' | 'postgres'): Promise<Row> {
  const schema = kind === 'postgres' ? `bench_dl_${process.pid}_${Date.now().toString(36)}` : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-bench-'));
  const storage: Storage = schema ? new PostgresStorage(DATABASE_URL, schema) : new SqliteStorage(path.join(dataDir, 'fluxgate.db'));
  let loadSeconds: number;
  try {
    loadSeconds = await loadFleet(storage);
  } finally {
    await storage.close();
  }
  console.log(`${kind}: ${fmt(DEVICES)} devices, ${fmt(Math.min(ONLINE, DEVICES))} online, loaded in ${loadSeconds.toFixed(1)} s`);
  const platform = await startPlatform(schema ? { databaseUrl: DATABASE_URL, databaseSchema: schema, dataDir } : { dataDir });
  try {
    const token = await adminToken(platform.url);
    const summaryUrl = `${platform.url}/api/v1/devices/summary`;
    const pageUrl = `${platform.url}/api/v1/devices?sort=name&limit=50`;
    const searchUrl = `${platform.url}/api/v1/devices?q=UNIT%201234&sort=name&limit=20`;
    const summary = await getJson<{ total: number; online: number }>(summaryUrl, token);
    if (summary.total !== DEVICES || summary.online !== Math.min(ONLINE, DEVICES)) throw new Error(`summary says ${JSON.stringify(summary)}`);
    const page = await getJson<{ devices: unknown[]; total: number }>(pageUrl, token);
    if (page.devices.length !== Math.min(50, DEVICES) || page.total !== DEVICES) throw new Error(`first page: ${page.devices.length} of ${page.total}`);
    const found = await getJson<{ total: number }>(searchUrl, token);
    if (found.total === 0 && DEVICES > 1234) throw new Error('search found nothing');
    const row: Row = { kind, loadSeconds, summary: await time(() => getJson(summaryUrl, token)), page: await time(() => getJson(pageUrl, token)), search: await time(() => getJson(searchUrl, token)) };
    if (args.browser) {
      const dashboardId = await createDashboard(platform.url, token);
      if (platform.mqttPort === undefined) throw new Error('the platform has no MQTT port to stream to');
      const devices = onlineIndexes().map((i) => ({ id: idOf(i), key: keyOf(i) }));
      const fleet = await startFleet({ port: platform.mqttPort, devices, procs: 2, intervalMs: Number(args['stream-interval']) * 1000, connectConcurrency: 200, baseTs: Date.now() });
      try {
        const before = sumStatus(await fleet.status());
        const t0 = performance.now();
        const b = await browserTimings(
          platform.url,
          { username: 'admin', password: ADMIN_PASSWORD },
          { total: DEVICES, searchText: 'unit 1234', row: `${PLACES[1234 % PLACES.length]} unit 1234`, dashboardId, valueWidgets: 4 },
          Number(args['browser-runs']),
        );
        const seconds = (performance.now() - t0) / 1000;
        const after = sumStatus(await fleet.status());
        row.browser = { overview: timing(b.overview), devicesPage: timing(b.devicesPage), search: timing(b.search), dashboard: timing(b.dashboard) };
        row.stream = { connected: after.connected, sentPerSecond: (after.published - before.published) / seconds, ackedPerSecond: (after.acked - before.acked) / seconds };
      } finally {
        fleet.kill();
      }
    }
    return row;
  } finally {
    await platform.stop();
    if (schema) {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}

printHardware(`device-list bench: ${fmt(DEVICES)} devices, ${fmt(ONLINE)} online, ${RUNS} timed runs each (sequential, admin)`);
const rows: Row[] = await benchEachStorage(args.storage, benchOne);

const QUERIES = [
  ['summary', 'GET /devices/summary'],
  ['page', 'GET /devices?sort=name&limit=50'],
  ['search', 'GET /devices?q=UNIT 1234&sort=name'],
] as const;
printTable(
  'Device lists over HTTP',
  ['storage', 'query', 'p50', 'p95', `< ${TARGET_MS} ms p50`],
  rows.flatMap((r) => QUERIES.map(([key, label]) => [r.kind, label, ms(r[key].p50), ms(r[key].p95), r[key].p50 < TARGET_MS ? 'yes' : 'NO'])),
);
recordResults(
  'device-list',
  rows.flatMap((r) =>
    QUERIES.map(([key, label]) => ({
      name: `${r.kind}: ${label} at ${fmt(DEVICES)} devices`,
      value: r[key].p50,
      unit: 'ms p50',
      kind: 'latency' as const,
      p50Ms: r[key].p50,
      target: `< ${TARGET_MS} ms p50`,
      met: r[key].p50 < TARGET_MS,
    })),
  ),
);
const PAGES = [
  ['overview', 'overview until its device count shows', 'its aggregate < 100 ms (above)'],
  ['devicesPage', 'devices page until its first row', '< 500 ms'],
  ['search', 'search typed until the row shows (150 ms debounce included)', '< 300 ms'],
  ['dashboard', 'a dashboard of 12 widgets until each has drawn its data', ''],
] as const;
const withBrowser = rows.filter((r) => r.browser);
if (withBrowser.length > 0) {
  printTable(
    'The dashboard in headless chromium',
    ['storage', 'page', 'p50', 'p95', 'target'],
    withBrowser.flatMap((r) => PAGES.map(([key, label, target]) => [r.kind, label, ms(r.browser![key].p50), ms(r.browser![key].p95), target])),
  );
  for (const r of withBrowser) {
    const st = r.stream!;
    console.log(`${r.kind}: meanwhile ${fmt(st.connected)} devices streamed over MQTT: ${fmt(Math.round(st.sentPerSecond))} readings/s sent, ${fmt(Math.round(st.ackedPerSecond))}/s acknowledged (stored)`);
  }
}
console.log('\nSequential requests from this process to the platform (a child process), as the admin (every device visible).');
console.log('The machine is shared with other work: figures are noisy.');
