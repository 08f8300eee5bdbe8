// COMPAT_APIS: all (default), none, or a comma list of the systems' ids; a bad name stops start-up.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMPAT_SYSTEM_IDS, parseCompatSystems } from '../../src/contract/compat-systems.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { type TestPlatform, startPlatform } from '../helpers/platform.ts';

describe('COMPAT_APIS setting', () => {
  it('reads all, none and comma lists; refuses unknown names naming the setting', () => {
    assert.equal(loadConfig({}).COMPAT_APIS, 'all');
    assert.deepStrictEqual([...parseCompatSystems('all')!], COMPAT_SYSTEM_IDS);
    assert.deepStrictEqual([...parseCompatSystems('none')!], []);
    assert.deepStrictEqual([...parseCompatSystems(' IoTFlow , energy-management-system ')!], ['iotflow', 'energy-management-system']);
    assert.equal(parseCompatSystems('iotflow,influx'), undefined);
    assert.equal(parseCompatSystems('all,iotflow'), undefined);
    assert.throws(() => loadConfig({ COMPAT_APIS: 'iotflow,seed-003' }), (err: unknown) => err instanceof ConfigError && /COMPAT_APIS: must be all, none or a comma list of/.test(err.message));
  });
});

describe('COMPAT_APIS=iotflow', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startPlatform('sqlite', { COMPAT_APIS: 'iotflow' });
  });
  after(async () => p.stop());

  it('serves IoTFlow only; the OpenAPI document tags only its routes', async () => {
    const token = await p.adminToken();
    assert.equal((await p.api('GET', '/api/v1/admin/cache/device-status', { token })).status, 200);
    for (const url of ['/devices', '/api/monitoring/devices', '/api/v1/devices/x/readings']) {
      assert.deepStrictEqual([url, (await p.api('GET', url, { token })).status], [url, 404]);
    }
    const doc = (await p.api('GET', '/openapi.json')).body;
    const tags = new Set(Object.values(doc.paths as Record<string, Record<string, { tags?: string[] }>>).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags ?? [])));
    assert.ok(tags.has('IoTFlow'));
    for (const other of ['Smart Home IoT Data Service', 'IoT Mock Service', 'Energy Management System']) assert.ok(!tags.has(other), other);
  });
});
