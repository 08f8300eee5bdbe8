// Saved charts over real HTTP: CRUD, owner-only access, validation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';

describe('/api/v1/charts', () => {
  let p: RunningPlatform;
  let alice: string;
  let bob: string;
  let admin: string;

  before(async () => {
    p = await startPlatform();
    admin = await p.login(ADMIN.username, ADMIN.password);
    for (const name of ['alice', 'bob']) {
      assert.equal((await p.api('POST', '/api/v1/auth/register', { body: { username: name, password: `${name}-password` } })).status, 201);
    }
    alice = await p.login('alice', 'alice-password');
    bob = await p.login('bob', 'bob-password');
    for (const id of ['a-thermo', 'a-meter']) {
      assert.equal((await p.api('POST', '/api/v1/devices', { token: alice, body: { id, name: id } })).status, 201);
    }
    assert.equal((await p.api('POST', '/api/v1/devices', { token: bob, body: { id: 'b-thermo', name: 'b' } })).status, 201);
  });
  after(async () => p.stop());

  test('create from several devices and fields, list, get, update, delete', async () => {
    const series = [
      { device_id: 'a-thermo', field: 'temperature', label: 'Living room' },
      { device_id: 'a-meter', field: 'power', label: null },
    ];
    const created = await p.api('POST', '/api/v1/charts', { token: alice, body: { name: 'Heating vs power', series, time_range: '7d' } });
    assert.equal(created.status, 201);
    const chart = created.body;
    assert.deepEqual({ ...chart, id: 'x', owner_id: 'x', created_at: 'x', updated_at: 'x' }, {
      id: 'x',
      name: 'Heating vs power',
      owner_id: 'x',
      series,
      time_range: '7d',
      created_at: 'x',
      updated_at: 'x',
    });
    assert.deepEqual((await p.api('GET', '/api/v1/charts', { token: alice })).body, { charts: [chart] });
    assert.deepEqual((await p.api('GET', `/api/v1/charts/${chart.id}`, { token: alice })).body, chart);

    const updated = await p.api('PUT', `/api/v1/charts/${chart.id}`, { token: alice, body: { name: 'Renamed', time_range: '30d' } });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.name, 'Renamed');
    assert.equal(updated.body.time_range, '30d');
    assert.deepEqual(updated.body.series, series);

    assert.equal((await p.api('DELETE', `/api/v1/charts/${chart.id}`, { token: alice })).status, 204);
    assert.equal((await p.api('GET', `/api/v1/charts/${chart.id}`, { token: alice })).body.error.code, 'CHART_NOT_FOUND');
    assert.deepEqual((await p.api('GET', '/api/v1/charts', { token: alice })).body, { charts: [] });
  });

  test('only the owner sees or changes a chart; others (admins too) get 404', async () => {
    const { body: chart } = await p.api('POST', '/api/v1/charts', {
      token: alice,
      body: { name: 'Mine', series: [{ device_id: 'a-thermo', field: 'temperature' }] },
    });
    assert.equal(chart.time_range, '24h');
    for (const token of [bob, admin]) {
      assert.deepEqual((await p.api('GET', '/api/v1/charts', { token })).body, { charts: [] });
      for (const [method, body] of [['GET'], ['PUT', { name: 'stolen' }], ['DELETE']] as const) {
        const res = await p.api(method, `/api/v1/charts/${chart.id}`, { token, body });
        assert.equal(res.status, 404, `${method} by another user`);
        assert.equal(res.body.error.code, 'CHART_NOT_FOUND');
      }
    }
    assert.equal((await p.api('GET', `/api/v1/charts/${chart.id}`, { token: alice })).body.name, 'Mine');
    assert.equal((await p.api('GET', '/api/v1/charts')).status, 401);
  });

  test('a chart may only show devices its owner can read', async () => {
    const res = await p.api('POST', '/api/v1/charts', { token: alice, body: { name: 'Spy', series: [{ device_id: 'b-thermo', field: 'temperature' }] } });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'DEVICE_NOT_FOUND');
  });

  test('bad input names the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: '', series: [{ device_id: 'a-thermo', field: 't' }] }, 'name'],
      [{ name: 'x', series: [] }, 'series'],
      [{ name: 'x', series: [{ device_id: 'a thermo!', field: 't' }] }, 'series'],
      [{ name: 'x', series: [{ device_id: 'a-thermo', field: 't' }], time_range: '2y' }, 'time_range'],
    ];
    for (const [body, field] of cases) {
      const res = await p.api('POST', '/api/v1/charts', { token: alice, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.match(JSON.stringify(res.body.error), new RegExp(field));
    }
  });
});
