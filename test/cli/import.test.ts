// `fluxgate import` run as a process against a real platform (SQLite and PostgreSQL): CSV and NDJSON
// land as typed points, a re-run stores nothing twice, bad rows are named by file:line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachStorage } from '../helpers/platform.ts';
import { runImport, storedPoints, writeFixture } from './import-fixtures.ts';

const MINUTE = 60_000;
/** ISO times of `n` rows, one a minute, ending ten minutes ago: inside any clock the suite runs on. */
function minutesAgo(n: number): string[] {
  const end = Date.now() - 10 * MINUTE;
  return Array.from({ length: n }, (_, i) => new Date(end - (n - 1 - i) * MINUTE).toISOString());
}

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-import-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

forEachStorage('fluxgate import', (tp, kind) => {
  const keys: Record<string, string> = {};
  let keysFile: string;

  before(async () => {
    const token = await tp().adminToken();
    for (const id of ['imp-a', 'imp-b', 'imp-nd', 'imp-bad', 'imp-long']) keys[id] = (await tp().newDevice(token, { id, name: id })).api_key;
    keysFile = path.join(dir, `keys-${kind}.json`);
    writeFileSync(keysFile, JSON.stringify(Object.entries(keys).map(([id, api_key]) => ({ id, api_key }))));
  });

  test('CSV of two devices: typed fields per row, and a re-run stores nothing twice', async () => {
    const times = minutesAgo(30);
    const rows = times.map((t, i) => `${t},${i % 2 ? 'imp-b' : 'imp-a'},${20 + i / 10},${i % 3 === 0},${i === 4 ? '' : `"mode, ${i}"`}`);
    const file = writeFixture(dir, `wide-${kind}.csv`, ['timestamp,device_id,temperature,heating,mode', ...rows]);
    const args = [file, '--url', tp().baseUrl, '--keys', keysFile, '--batch-size', '7'];

    const first = await runImport(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /imported 30 rows \(89 points\)/);
    assert.match(first.stderr, /wide-\w+\.csv \[.*\] 31\/31 lines \| \d+ rows\/s \| 0 bad/, 'progress on stderr');
    const a = await storedPoints(tp(), 'imp-a', keys['imp-a']!);
    const b = await storedPoints(tp(), 'imp-b', keys['imp-b']!);
    assert.equal(a.length, 15 * 3 - 1, 'row 4 has no mode');
    assert.equal(b.length, 15 * 3);
    const at = (points: typeof a, i: number, field: string) => points.find((p) => p.ts === Date.parse(times[i]!) && p.field === field)?.value;
    assert.equal(at(a, 0, 'temperature'), 20);
    assert.equal(at(a, 0, 'heating'), true);
    assert.equal(at(b, 1, 'heating'), false);
    assert.equal(at(a, 2, 'mode'), 'mode, 2');
    assert.equal(at(a, 4, 'mode'), undefined);

    const again = await runImport(args);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await storedPoints(tp(), 'imp-a', keys['imp-a']!)).length, a.length);
    assert.equal((await storedPoints(tp(), 'imp-b', keys['imp-b']!)).length, b.length);
  });

  test('NDJSON: one POST /telemetry body per line, nested, flat or an array', async () => {
    const [t1, t2, t3, t4] = minutesAgo(4).map((t) => Date.parse(t));
    const file = writeFixture(dir, `bodies-${kind}.ndjson`, [
      JSON.stringify({ data: { power: 1.5, on: true }, metadata: { source: 'meter' }, timestamp: t1 }),
      '',
      JSON.stringify({ power: 2.5, status: 'ok', timestamp: new Date(t2!).toISOString() }),
      JSON.stringify([{ power: 3, ts: t3 }, { data: { power: 4 }, timestamp: t4 }]),
    ]);
    const args = [file, '--url', tp().baseUrl, '--device', 'imp-nd', '--no-progress'];
    const first = await runImport(args, { FLUXGATE_DEVICE_KEY: keys['imp-nd']! });
    assert.equal(first.code, 0, first.stderr);
    const points = await storedPoints(tp(), 'imp-nd', keys['imp-nd']!);
    assert.deepStrictEqual(
      points.map((p) => [p.ts, p.field, p.value]).sort(),
      [[t1, 'on', true], [t1, 'power', 1.5], [t2, 'power', 2.5], [t2, 'status', 'ok'], [t3, 'power', 3], [t4, 'power', 4]].sort(),
    );
    assert.deepStrictEqual(points.find((p) => p.ts === t1)?.metadata, { source: 'meter' });

    const again = await runImport(args, { FLUXGATE_DEVICE_KEY: keys['imp-nd']! });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await storedPoints(tp(), 'imp-nd', keys['imp-nd']!)).length, 6);
  });

  test('a bad row stops the import naming file:line; --skip-bad imports the rest and lists it', async () => {
    const times = minutesAgo(5);
    const file = writeFixture(dir, `bad-${kind}.csv`, [
      'time,level',
      `${times[0]},1`,
      `${times[1]},2`,
      'yesterday-ish,3',
      `${times[3]},4`,
    ]);
    const args = [file, '--url', tp().baseUrl, '--device', 'imp-bad', '--key', keys['imp-bad']!, '--no-progress'];
    const stopped = await runImport(args);
    assert.equal(stopped.code, 2);
    assert.match(stopped.stderr, new RegExp(`${file.replace(/[.\\]/g, '\\$&')}:4: timestamp "yesterday-ish" is not`));

    const skipped = await runImport([...args, '--skip-bad']);
    assert.equal(skipped.code, 3, skipped.stderr);
    assert.match(skipped.stderr, /skipped .*bad-\w+\.csv:4: /);
    const levels = (await storedPoints(tp(), 'imp-bad', keys['imp-bad']!)).map((p) => p.value);
    assert.deepStrictEqual(levels, [1, 2, 4]);
  });

  test('a row the platform refuses is named by its line too', async () => {
    const [t1, t2, t3] = minutesAgo(3).map((t) => Date.parse(t));
    const file = writeFixture(dir, `refused-${kind}.ndjson`, [
      JSON.stringify({ level: 1, timestamp: t1 }),
      JSON.stringify({ 'not a field name!': 2, timestamp: t2 }),
      JSON.stringify({ level: 3, timestamp: t3 }),
    ]);
    const args = [file, '--url', tp().baseUrl, '--keys', keysFile, '--device', 'imp-bad', '--no-progress'];
    const stopped = await runImport(args);
    assert.equal(stopped.code, 2);
    assert.match(stopped.stderr, /refused-\w+\.ndjson:2: .*not a valid field name/);
    const skipped = await runImport([...args, '--skip-bad']);
    assert.equal(skipped.code, 3, skipped.stderr);
    const points = await storedPoints(tp(), 'imp-bad', keys['imp-bad']!);
    assert.ok(points.some((p) => p.ts === t3 && p.value === 3));
    assert.ok(!points.some((p) => p.ts === t2));
  });

  test('InfluxDB annotated CSV in long form: _time, _field, _value, one header per table', async () => {
    const [t1, t2] = minutesAgo(2);
    const file = writeFixture(dir, `influx-${kind}.csv`, [
      '#group,false,false,true,true,false,false,true,true,true',
      '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string',
      '#default,_result,,,,,,,,',
      ',result,table,_start,_stop,_time,_value,_field,_measurement,device_id',
      `,,0,${t1},${t2},${t1},21.5,temperature,sensor_data,imp-long`,
      `,,0,${t1},${t2},${t2},22,temperature,sensor_data,imp-long`,
      '',
      ',result,table,_start,_stop,_time,_value,_field,_measurement,device_id',
      `,,1,${t1},${t2},${t1},40,humidity,sensor_data,imp-long`,
    ]);
    const run = await runImport([file, '--url', tp().baseUrl, '--keys', keysFile, '--field-column', '_field', '--value-column', '_value']);
    assert.equal(run.code, 0, run.stderr);
    const points = await storedPoints(tp(), 'imp-long', keys['imp-long']!);
    assert.deepStrictEqual(
      points.map((p) => [p.timestamp, p.field, p.value]).sort(),
      [[t1, 'humidity', 40], [t1, 'temperature', 21.5], [t2, 'temperature', 22]].sort(),
    );
  });

  test("Fluxgate's own exports (CSV and NDJSON, one point per line) import back as they were", async () => {
    const token = await tp().adminToken();
    const before = await storedPoints(tp(), 'imp-a', keys['imp-a']!);
    assert.ok(before.length > 0, 'the CSV test stored points first');
    for (const format of ['csv', 'ndjson']) {
      const exported = await tp().api('GET', `/api/v1/telemetry/imp-a/export?format=${format}&start_time=-2d`, { token });
      assert.equal(exported.status, 200);
      const file = path.join(dir, `export-${kind}.${format}`);
      writeFileSync(file, exported.text);
      const deleted = await tp().api('DELETE', '/api/v1/telemetry/imp-a?start_time=-2d', { token });
      assert.ok(deleted.status < 300, deleted.text);
      assert.equal((await storedPoints(tp(), 'imp-a', keys['imp-a']!)).length, 0);
      const run = await runImport([file, '--url', tp().baseUrl, '--keys', keysFile, '--field-column', 'field', '--value-column', 'value']);
      assert.equal(run.code, 0, run.stderr);
      const after = await storedPoints(tp(), 'imp-a', keys['imp-a']!);
      assert.deepStrictEqual(after.map((p) => [p.ts, p.field, p.value]), before.map((p) => [p.ts, p.field, p.value]), format);
    }
  });

  test('usage errors exit 1 and say what to give; a wrong key exits 4', async () => {
    const file = writeFixture(dir, `usage-${kind}.csv`, ['time,level', `${minutesAgo(1)[0]},1`]);
    const noKey = await runImport([file, '--url', tp().baseUrl]);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /give --device <id> with --key <key>/);
    const missing = await runImport([path.join(dir, 'nope.csv'), '--url', tp().baseUrl, '--device', 'imp-bad', '--key', 'k']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.csv/);
    const wrongKey = await runImport([file, '--url', tp().baseUrl, '--device', 'imp-bad', '--key', 'not-the-key']);
    assert.equal(wrongKey.code, 4);
    assert.match(wrongKey.stderr, /refused the key of device imp-bad/);
  });
});
