import { parseLineProtocol } from './src/connectors/line-protocol/line-parser.ts';
import { normalizeTelemetry, DEFAULT_LIMITS } from './src/domain/telemetry.ts';
import { toColumns, fromColumns } from './src/storage/sqlite/point-columns.ts';
const lines: string[] = []; const json: unknown[] = [];
for (let i = 0; i < 3000; i++) { const ts = 1_790_000_000_000 + i * 10000; lines.push(`meter power=${1200 + i % 50 / 10},voltage=${230 + i % 7 / 10},current=${5 + i % 9 / 100} ${ts}`); json.push({ timestamp: ts, power: 1200 + i % 50 / 10, voltage: 230.1, current: 5.43 }); }
const text = lines.join('\n'); const body = JSON.stringify(json);
const time = (name: string, f: () => unknown) => { for (let i = 0; i < 50; i++) f(); const t = performance.now(); for (let i = 0; i < 200; i++) f(); console.log(name, ((performance.now() - t) / 200).toFixed(3), 'ms'); };
time('parse line protocol 3000 lines', () => parseLineProtocol(text));
time('JSON.parse 3000 readings', () => JSON.parse(body));
const parsed = JSON.parse(body);
time('normalize 3000 readings', () => normalizeTelemetry(parsed, 'dev-1', Date.now(), { ...DEFAULT_LIMITS, maxPoints: 100000 }));
const pts = normalizeTelemetry(parsed, 'dev-1', Date.now(), { ...DEFAULT_LIMITS, maxPoints: 100000 });
time('toColumns 9000', () => toColumns(pts));
const c = toColumns(pts);
time('fromColumns 9000', () => fromColumns(c));
const { MessageChannel } = await import('node:worker_threads');
const ch = new MessageChannel();
time('structuredClone columns', () => structuredClone(c));
ch.port1.close();
