// Restart recovery on both storages: stop the platform with an alarm open and start it again on the
// same data. The alarm is still there, the engine adopts it (no duplicate raise), and it clears
// when the condition clears.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { ADMIN_PASSWORD, STORAGES, startPlatform } from '../helpers/platform.ts';
import { dropSchema, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';
import { alarmsOf, eventually, hotRule, send } from './helpers.ts';

const pgSkip = await postgresSkipReason();

for (const kind of STORAGES) {
  it(`an open alarm survives a restart, is not raised twice, and clears [${kind}]`, { skip: kind === 'postgres' ? (pgSkip ?? false) : false }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-rules-restart-'));
    const schema = uniqueSchema('rules_restart');
    const place: Record<string, string> = { RULES_TICK_MS: '100', ...(kind === 'sqlite' ? { DATA_DIR: dataDir } : { DATABASE_SCHEMA: schema }) };
    try {
      const first = await startPlatform(kind, place);
      let token: string;
      let key: string;
      let alarmId: string;
      try {
        token = await first.adminToken();
        key = (await first.newDevice(token, { id: 'furnace', name: 'Furnace' })).api_key;
        assert.equal((await first.api('POST', '/api/v1/rules', { token, body: hotRule('furnace') })).status, 201);
        await send(first, key, { temperature: 45 });
        alarmId = (await eventually('raised before the restart', async () => (await alarmsOf(first, token, 'furnace', '&state=open'))[0])).id;
      } finally {
        await first.stop();
      }

      const second = await startPlatform(kind, place);
      try {
        const fresh = await second.login('admin', ADMIN_PASSWORD);
        // Still hot after the restart: the restored state is "raised", so nothing new is raised.
        await send(second, key, { temperature: 46 });
        await second.platform.ruleEngine.settled();
        second.platform.ruleEngine.tick();
        await second.platform.ruleEngine.settled();
        const all = await alarmsOf(second, fresh, 'furnace');
        assert.deepEqual(all.map((a) => [a.id, a.state]), [[alarmId, 'active']]);
        assert.deepEqual((await second.api('GET', `/api/v1/alarms/${alarmId}`, { token: fresh })).body.events.map((e: { kind: string }) => e.kind), ['raised']);

        await send(second, key, { temperature: 20 });
        await eventually('cleared after the restart', async () => (await second.api('GET', `/api/v1/alarms/${alarmId}`, { token: fresh })).body.state === 'cleared');
        assert.equal((await alarmsOf(second, fresh, 'furnace')).length, 1);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      if (kind === 'postgres') await dropSchema(schema);
    }
  });
}
