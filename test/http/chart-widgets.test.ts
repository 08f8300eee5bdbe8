// Saved charts are one kind of dashboard widget: a `chart` widget shows one of its owner's saved
// charts, each viewer sees only the series of devices they may read, and the charts saved before
// widgets existed are moved onto a "Saved charts" dashboard by a migration (rewound and re-run here).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { before, test } from 'node:test';
import { type Json, type TestPlatform, forEachStorage, startPlatform } from '../helpers/platform.ts';
import { runSql } from '../helpers/raw-sql.ts';
import { dropSchema } from '../helpers/services.ts';

forEachStorage('chart widgets', (get) => {
  let tp: TestPlatform;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };

  before(async () => {
    tp = get();
    alice = await tp.newUser('alice');
    bob = await tp.newUser('bob');
    for (const id of ['c-thermo', 'c-meter']) await tp.newDevice(alice.token, { id, name: id });
    const shared = await tp.api('POST', '/api/v1/devices/c-thermo/access', { token: alice.token, body: { user_id: bob.id, level: 'read' } });
    assert.equal(shared.status, 201, shared.text);
  });

  const newChart = async (token: string, name: string, series: Json[]) => {
    const res = await tp.api('POST', '/api/v1/charts', { token, body: { name, series, time_range: '7d' } });
    assert.equal(res.status, 201, res.text);
    return res.body;
  };

  test('a chart widget shows its saved chart; viewers see only the series they may read', async () => {
    const chart = await newChart(alice.token, 'Heating', [
      { device_id: 'c-thermo', field: 'temperature', label: 'Living room' },
      { device_id: 'c-meter', field: 'power' },
    ]);
    const created = await tp.api('POST', '/api/v1/dashboards', {
      token: alice.token,
      body: { name: 'With chart', widgets: [{ id: 'heat', kind: 'chart', chart_id: chart.id, w: 12, h: 2 }], shared_with: ['bob'] },
    });
    assert.equal(created.status, 201, created.text);
    const [w] = created.body.widgets;
    assert.deepEqual(w, {
      id: 'heat',
      kind: 'chart',
      title: '',
      device_ids: ['c-thermo', 'c-meter'],
      fields: [],
      range: '24h',
      w: 12,
      h: 2,
      hidden_devices: 0,
      chart_id: chart.id,
      series: [
        { device_id: 'c-thermo', field: 'temperature', label: 'Living room' },
        { device_id: 'c-meter', field: 'power', label: null },
      ],
    });
    const asBob = await tp.api('GET', `/api/v1/dashboards/${created.body.id}`, { token: bob.token });
    assert.equal(asBob.status, 200, asBob.text);
    assert.deepEqual(asBob.body.widgets[0].device_ids, ['c-thermo']);
    assert.equal(asBob.body.widgets[0].hidden_devices, 1);
    assert.deepEqual(asBob.body.widgets[0].series, [{ device_id: 'c-thermo', field: 'temperature', label: 'Living room' }]);

    // A deleted chart leaves the widget without series (the page says so), not a broken dashboard.
    assert.equal((await tp.api('DELETE', `/api/v1/charts/${chart.id}`, { token: alice.token })).status, 204);
    const after = await tp.api('GET', `/api/v1/dashboards/${created.body.id}`, { token: alice.token });
    assert.equal(after.status, 200, after.text);
    assert.equal(after.body.widgets[0].series, undefined);
  });

  test('a chart widget needs chart_id, and only the owner\'s own charts', async () => {
    const missing = await tp.api('POST', '/api/v1/dashboards', { token: alice.token, body: { name: 'x', widgets: [{ id: 'c', kind: 'chart' }] } });
    assert.equal(missing.status, 400, missing.text);
    assert.match(missing.text, /widgets\.0\.chart_id.*names the saved chart/);
    const noDevice = await tp.api('POST', '/api/v1/dashboards', { token: alice.token, body: { name: 'x', widgets: [{ id: 'v', kind: 'value' }] } });
    assert.equal(noDevice.status, 400, noDevice.text);
    assert.match(noDevice.text, /widgets\.0\.device_ids.*at least one device/);
    const bobs = await newChart(bob.token, 'Mine', [{ device_id: 'c-thermo', field: 'temperature' }]);
    const foreign = await tp.api('POST', '/api/v1/dashboards', { token: alice.token, body: { name: 'x', widgets: [{ id: 'c', kind: 'chart', chart_id: bobs.id }] } });
    assert.equal(foreign.status, 404, foreign.text);
    assert.equal(foreign.body.error.code, 'CHART_NOT_FOUND');
  });

  test('the migration moves saved charts onto a "Saved charts" dashboard, 24 widgets each', async () => {
    const carol = await tp.newUser('carol');
    await tp.newDevice(carol.token, { id: 'm-plug', name: 'plug' });
    const charts: Json[] = [];
    for (let i = 0; i < 25; i++) charts.push(await newChart(carol.token, `Chart ${String(i).padStart(2, '0')}`, [{ device_id: 'm-plug', field: 'power', label: `p${i}` }]));
    // Rewind: as if these charts had been saved by the version before chart widgets.
    await runSql(tp, "DELETE FROM dashboards WHERE name LIKE 'Saved charts%'; DELETE FROM schema_migrations WHERE version = 12;");
    await tp.platform.stop();
    const keep: Record<string, string> = tp.kind === 'sqlite' ? { DATA_DIR: tp.dataDir! } : { DATABASE_SCHEMA: tp.schema! };
    const restarted = await startPlatform(tp.kind, keep);
    try {
      const carolToken = await restarted.login('carol', 'user-password-1');
      const list = await restarted.api('GET', '/api/v1/dashboards', { token: carolToken });
      assert.equal(list.status, 200, list.text);
      const byName = Object.fromEntries(list.body.dashboards.map((d: Json) => [d.name, d]));
      assert.deepEqual(Object.keys(byName).sort(), ['Saved charts', 'Saved charts 2']);
      const first = byName['Saved charts'];
      assert.equal(first.widgets.length, 24);
      assert.deepEqual(first.widgets[0], {
        id: charts[0].id,
        kind: 'chart',
        title: 'Chart 00',
        device_ids: ['m-plug'],
        fields: [],
        range: '7d',
        w: 12,
        h: 2,
        hidden_devices: 0,
        chart_id: charts[0].id,
        series: [{ device_id: 'm-plug', field: 'power', label: 'p0' }],
      });
      assert.deepEqual(first.widgets.map((w: Json) => w.title), charts.slice(0, 24).map((c) => c.name));
      assert.deepEqual(byName['Saved charts 2'].widgets.map((w: Json) => w.chart_id), [charts[24].id]);
      // Alice's and bob's charts went onto their own dashboards, not carol's.
      const aliceToken = await restarted.login('alice', 'user-password-1');
      const alices = (await restarted.api('GET', '/api/v1/dashboards', { token: aliceToken })).body.dashboards.map((d: Json) => d.name);
      assert.ok(!alices.includes('Saved charts 2'), alices.join());
      // The migrated dashboard saves back as it is (what the editor does on "Save").
      const { id, name, widgets } = first;
      const saved = await restarted.api('PUT', `/api/v1/dashboards/${id}`, { token: carolToken, body: { name, widgets: widgets.map(({ hidden_devices: _h, series: _s, ...w }: Json) => w) } });
      assert.equal(saved.status, 200, saved.text);
    } finally {
      await restarted.platform.stop();
      rmSync(restarted.dataDir!, { recursive: true, force: true });
      if (tp.kind === 'postgres') await dropSchema(tp.schema!);
    }
  });
});
