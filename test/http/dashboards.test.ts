// User-built dashboards over real HTTP on both databases: CRUD, validation, devices checked against
// the owner on save, read-only sharing, each viewer seeing only devices they may read, cascades.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { type Json, type TestPlatform, forEachStorage } from '../helpers/platform.ts';

const widget = (id: string, deviceIds: string[], extra: Record<string, unknown> = {}) => ({ id, kind: 'line', title: id, device_ids: deviceIds, ...extra });

forEachStorage('user-built dashboards', (get) => {
  let tp: TestPlatform;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  let admin: string;

  before(async () => {
    tp = get();
    admin = await tp.adminToken();
    alice = await tp.newUser('alice');
    bob = await tp.newUser('bob');
    for (const id of ['a-thermo', 'a-meter', 'a-private']) await tp.newDevice(alice.token, { id, name: id });
    await tp.newDevice(bob.token, { id: 'b-thermo', name: 'b' });
    // bob may read a-thermo and a-meter, not a-private.
    for (const id of ['a-thermo', 'a-meter']) {
      const res = await tp.api('POST', `/api/v1/devices/${id}/access`, { token: alice.token, body: { user_id: bob.id, level: 'read' } });
      assert.equal(res.status, 201, res.text);
    }
  });

  const create = (token: string, body: unknown) => tp.api('POST', '/api/v1/dashboards', { token, body });

  test('create, list newest first, get, replace, delete', async () => {
    const created = await create(alice.token, {
      name: 'Home',
      widgets: [widget('temp', ['a-thermo'], { kind: 'gauge', fields: ['temperature'], range: '7d', w: 6, h: 2 }), { id: 'power', kind: 'bar', device_ids: ['a-meter'] }],
    });
    assert.equal(created.status, 201, created.text);
    const home = created.body;
    assert.deepEqual({ ...home, id: 'x', created_at: 'x', updated_at: 'x' }, {
      id: 'x',
      name: 'Home',
      owner_id: alice.id,
      widgets: [
        { id: 'temp', kind: 'gauge', title: 'temp', device_ids: ['a-thermo'], fields: ['temperature'], range: '7d', w: 6, h: 2, hidden_devices: 0 },
        { id: 'power', kind: 'bar', title: '', device_ids: ['a-meter'], fields: [], range: '24h', w: 4, h: 1, hidden_devices: 0 },
      ],
      shared_with: [],
      can_edit: true,
      created_at: 'x',
      updated_at: 'x',
    });
    // Created in a later millisecond, so "newest first" has one right answer.
    while (Date.now() <= Date.parse(home.created_at)) await new Promise((resolve) => setTimeout(resolve, 1));
    const second = (await create(alice.token, { name: 'Empty' })).body;
    assert.deepEqual(second.widgets, []);
    assert.deepEqual((await tp.api('GET', '/api/v1/dashboards', { token: alice.token })).body, { dashboards: [second, home] });
    assert.deepEqual((await tp.api('GET', `/api/v1/dashboards/${home.id}`, { token: alice.token })).body, home);

    const replaced = await tp.api('PUT', `/api/v1/dashboards/${home.id}`, { token: alice.token, body: { name: 'Renamed', widgets: [widget('only', ['a-meter'])] } });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.name, 'Renamed');
    assert.deepEqual(replaced.body.widgets.map((w: Json) => [w.id, w.device_ids]), [['only', ['a-meter']]]);
    assert.equal(replaced.body.created_at, home.created_at);
    assert.deepEqual((await tp.api('GET', `/api/v1/dashboards/${home.id}`, { token: alice.token })).body, replaced.body);

    for (const d of [home, second]) assert.equal((await tp.api('DELETE', `/api/v1/dashboards/${d.id}`, { token: alice.token })).status, 204);
    const gone = await tp.api('GET', `/api/v1/dashboards/${home.id}`, { token: alice.token });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'DASHBOARD_NOT_FOUND');
    assert.deepEqual((await tp.api('GET', '/api/v1/dashboards', { token: alice.token })).body, { dashboards: [] });
    assert.equal((await tp.api('GET', '/api/v1/dashboards')).status, 401);
  });

  test('bad widgets are 400 VALIDATION_FAILED naming the problem', async () => {
    const many = Array.from({ length: 25 }, (_, i) => widget(`w${i}`, ['a-thermo']));
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'x', widgets: [widget('a', ['a-thermo'], { kind: 'pie' })] }, /kind/],
      [{ name: 'x', widgets: [widget('a', ['a-thermo'], { w: 13 })] }, /\bw\b/],
      [{ name: 'x', widgets: [widget('a', ['a-thermo']), widget('a', ['a-meter'])] }, /widget ids must be unique/],
      [{ name: 'x', widgets: many }, /at most 24 widgets/],
      [{ name: '', widgets: [] }, /name/],
      [{ name: 'x', widgets: [widget('a', [])] }, /at least one device/],
    ];
    for (const [body, expected] of cases) {
      const res = await create(alice.token, body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 200));
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.match(JSON.stringify(res.body.error), expected);
    }
    assert.deepEqual((await tp.api('GET', '/api/v1/dashboards', { token: alice.token })).body, { dashboards: [] });
  });

  test('a device the owner cannot read is 404 DEVICE_NOT_FOUND; shares must name other, existing users', async () => {
    for (const deviceId of ['b-thermo', 'no-such-device']) {
      const res = await create(alice.token, { name: 'Spy', widgets: [widget('a', ['a-thermo', deviceId])] });
      assert.equal(res.status, 404, deviceId);
      assert.equal(res.body.error.code, 'DEVICE_NOT_FOUND');
      assert.match(res.body.error.message, new RegExp(deviceId));
    }
    const unknownUser = await create(alice.token, { name: 'x', shared_with: ['no-such-user'] });
    assert.equal(unknownUser.status, 404);
    assert.equal(unknownUser.body.error.code, 'USER_NOT_FOUND');
    assert.match(unknownUser.body.error.message, /no-such-user/);
    const self = await create(alice.token, { name: 'x', shared_with: [alice.id] });
    assert.equal(self.status, 400);
    assert.equal(self.body.error.code, 'VALIDATION_FAILED');
    const selfByName = await create(alice.token, { name: 'x', shared_with: ['alice'] });
    assert.deepEqual([selfByName.status, selfByName.body.error.code], [400, 'VALIDATION_FAILED']);
    assert.deepEqual((await tp.api('GET', '/api/v1/dashboards', { token: alice.token })).body, { dashboards: [] });
    // A username is taken for its user and stored as the id, once however often it is named.
    const byName = await create(alice.token, { name: 'by name', shared_with: ['bob', bob.id, 'BOB'] });
    assert.equal(byName.status, 201, byName.text);
    assert.deepEqual(byName.body.shared_with, [bob.id]);
    assert.equal((await tp.api('DELETE', `/api/v1/dashboards/${byName.body.id}`, { token: alice.token })).status, 204);
  });

  test('shared read-only: bob views it with only the devices he may read; alice unshares', async () => {
    const body = { name: 'Shared', widgets: [widget('mixed', ['a-thermo', 'a-private']), widget('meter', ['a-meter'])], shared_with: [bob.id] };
    const mine = (await create(alice.token, body)).body;
    assert.deepEqual(mine.shared_with, [bob.id]);
    assert.deepEqual(mine.widgets.map((w: Json) => [w.device_ids, w.hidden_devices]), [[['a-thermo', 'a-private'], 0], [['a-meter'], 0]]);

    const expectedForBob = {
      ...mine,
      widgets: [{ ...mine.widgets[0], device_ids: ['a-thermo'], hidden_devices: 1 }, mine.widgets[1]],
      shared_with: [],
      can_edit: false,
    };
    assert.deepEqual((await tp.api('GET', `/api/v1/dashboards/${mine.id}`, { token: bob.token })).body, expectedForBob);
    assert.deepEqual((await tp.api('GET', '/api/v1/dashboards', { token: bob.token })).body, { dashboards: [expectedForBob] });
    assert.deepEqual((await tp.api('GET', `/api/v1/dashboards/${mine.id}`, { token: alice.token })).body, mine);

    for (const [method, reqBody] of [['PUT', { ...body, name: 'Taken over' }], ['DELETE', undefined]] as const) {
      const res = await tp.api(method, `/api/v1/dashboards/${mine.id}`, { token: bob.token, body: reqBody });
      assert.equal(res.status, 403, method);
      assert.equal(res.body.error.code, 'FORBIDDEN');
      assert.match(res.body.error.message, /read-only/);
    }

    // An admin sees and edits it as the owner does (shares included).
    const asAdmin = await tp.api('GET', `/api/v1/dashboards/${mine.id}`, { token: admin });
    assert.deepEqual([asAdmin.body.can_edit, asAdmin.body.shared_with, asAdmin.body.widgets[0].hidden_devices], [true, [bob.id], 0]);

    const unshared = await tp.api('PUT', `/api/v1/dashboards/${mine.id}`, { token: alice.token, body: { ...body, shared_with: [] } });
    assert.equal(unshared.status, 200, unshared.text);
    const res = await tp.api('GET', `/api/v1/dashboards/${mine.id}`, { token: bob.token });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'DASHBOARD_NOT_FOUND');
    assert.deepEqual((await tp.api('GET', '/api/v1/dashboards', { token: bob.token })).body, { dashboards: [] });
    assert.equal((await tp.api('DELETE', `/api/v1/dashboards/${mine.id}`, { token: bob.token })).status, 404);
    assert.equal((await tp.api('DELETE', `/api/v1/dashboards/${mine.id}`, { token: alice.token })).status, 204);
  });

  test('an admin edits anyone\'s dashboard, but its devices must still be ones the owner may read', async () => {
    const board = (await create(alice.token, { name: 'Alice\'s', widgets: [widget('t', ['a-thermo'])] })).body;
    const spy = await tp.api('PUT', `/api/v1/dashboards/${board.id}`, { token: admin, body: { name: 'x', widgets: [widget('t', ['b-thermo'])] } });
    assert.equal(spy.status, 404);
    assert.equal(spy.body.error.code, 'DEVICE_NOT_FOUND');
    const toOwner = await tp.api('PUT', `/api/v1/dashboards/${board.id}`, { token: admin, body: { name: 'x', shared_with: [alice.id] } });
    assert.equal(toOwner.status, 400);
    assert.equal(toOwner.body.error.code, 'VALIDATION_FAILED');
    const renamed = await tp.api('PUT', `/api/v1/dashboards/${board.id}`, { token: admin, body: { name: 'Tidied', widgets: [widget('t', ['a-meter'])], shared_with: [bob.id] } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual([renamed.body.owner_id, renamed.body.name, renamed.body.can_edit], [alice.id, 'Tidied', true]);
    assert.equal((await tp.api('GET', `/api/v1/dashboards/${board.id}`, { token: bob.token })).body.name, 'Tidied');
    assert.equal((await tp.api('DELETE', `/api/v1/dashboards/${board.id}`, { token: admin })).status, 204);
    assert.equal((await tp.api('GET', `/api/v1/dashboards/${board.id}`, { token: alice.token })).status, 404);
  });

  test('the API documents every dashboard route under the dashboards tag', async () => {
    const { paths } = (await tp.api('GET', '/openapi.json')).body;
    const operations = (path: string) => Object.entries(paths[path] ?? {}).map(([method, op]) => [method, (op as Json).tags]);
    assert.deepEqual(operations('/api/v1/dashboards'), [['get', ['dashboards']], ['post', ['dashboards']]]);
    assert.deepEqual(operations('/api/v1/dashboards/{id}'), [['get', ['dashboards']], ['put', ['dashboards']], ['delete', ['dashboards']]]);
  });

  test('deleting the owner deletes their dashboards', async () => {
    const carol = await tp.newUser('carol');
    const board = (await create(carol.token, { name: 'Carol\'s', shared_with: [bob.id] })).body;
    assert.equal((await tp.api('GET', `/api/v1/dashboards/${board.id}`, { token: bob.token })).status, 200);
    assert.equal((await tp.api('DELETE', `/api/v1/users/${carol.id}`, { token: admin })).status, 200);
    const res = await tp.api('GET', `/api/v1/dashboards/${board.id}`, { token: admin });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'DASHBOARD_NOT_FOUND');
    assert.deepEqual((await tp.api('GET', '/api/v1/dashboards', { token: bob.token })).body, { dashboards: [] });
  });

  test('deleting a user it is shared with removes them from shared_with, so the owner can save it as shown', async () => {
    const dave = await tp.newUser('dave');
    const board = (await create(alice.token, { name: 'For dave and bob', shared_with: [dave.id, bob.id] })).body;
    assert.equal((await tp.api('DELETE', `/api/v1/users/${dave.id}`, { token: admin })).status, 200);
    const shown = (await tp.api('GET', `/api/v1/dashboards/${board.id}`, { token: alice.token })).body;
    assert.deepEqual(shown.shared_with, [bob.id]);
    const saved = await tp.api('PUT', `/api/v1/dashboards/${board.id}`, { token: alice.token, body: { name: shown.name, widgets: shown.widgets, shared_with: shown.shared_with } });
    assert.equal(saved.status, 200, saved.text);
    assert.equal((await tp.api('GET', `/api/v1/dashboards/${board.id}`, { token: bob.token })).status, 200);
    assert.equal((await tp.api('DELETE', `/api/v1/dashboards/${board.id}`, { token: alice.token })).status, 204);
  });
});
