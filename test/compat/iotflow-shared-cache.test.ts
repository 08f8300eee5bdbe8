// IoTFlow's device-status cache with REDIS_URL: two nodes read and clear one shared cache.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TEST_REDIS_URL, redisSkipReason } from '../accounts/redis.ts';
import { type TestPlatform, startPlatform } from '../helpers/platform.ts';

const skip = await redisSkipReason();

describe('IoTFlow device-status cache shared through Redis', { skip: skip ?? false }, () => {
  let a: TestPlatform;
  let b: TestPlatform;
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `compat-${randomBytes(6).toString('hex')}` };
  const stats = async (p: TestPlatform) => (await p.api('GET', '/api/v1/admin/cache/device-status', { token: await p.adminToken() })).body.cache_stats;

  before(async () => {
    [a, b] = await Promise.all([startPlatform('sqlite', env), startPlatform('sqlite', env)]);
  });
  after(async () => {
    const token = await a?.adminToken();
    if (token) await a.api('DELETE', '/api/v1/admin/cache/device-status', { token });
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('a status cached on one node is counted and cleared on the other', async () => {
    const device = await a.newDevice(await a.adminToken(), { id: 'sensor-7', name: 'Sensor 7' });
    assert.equal((await a.api('POST', '/api/v1/telemetry', { apiKey: device.api_key, body: { data: { temperature: 21 } } })).status, 201);
    const onA = await stats(a);
    assert.deepStrictEqual([onA.store, onA.cached_devices, onA.online], ['redis', 1, 1]);
    const onB = await stats(b);
    assert.deepStrictEqual([onB.store, onB.cached_devices, onB.online], ['redis', 1, 1]);
    const cleared = await b.api('DELETE', '/api/v1/admin/cache/devices/sensor-7', { token: await b.adminToken() });
    assert.deepStrictEqual([cleared.status, cleared.body.cleared], [200, true]);
    assert.equal((await stats(a)).cached_devices, 0);
  });
});
