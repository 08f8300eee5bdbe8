// What survives a restart on the same storage: users and the admin password (ADMIN_PASSWORD only
// counts on first start), the generated JWT secret (tokens stay valid), last_seen, telemetry.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { ADMIN_PASSWORD, STORAGES, startPlatform } from '../helpers/platform.ts';
import { dropSchema, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';

const pgSkip = await postgresSkipReason();

for (const kind of STORAGES) {
  it(`keeps accounts, secret, last_seen and telemetry across a restart [${kind}]`, { skip: kind === 'postgres' ? (pgSkip ?? false) : false }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-restart-'));
    const schema = uniqueSchema('restart');
    const place: Record<string, string> = kind === 'sqlite' ? { DATA_DIR: dataDir } : { DATABASE_SCHEMA: schema };
    try {
      const first = await startPlatform(kind, place);
      let token: string;
      let beat: { last_seen: string };
      try {
        token = await first.adminToken();
        const key = (await first.newDevice(token, { id: 'keeper', name: 'Keeper' })).api_key;
        assert.equal((await first.api('POST', '/api/v1/telemetry', { apiKey: key, body: { t: 1, timestamp: Date.parse('2026-01-01T00:00:00Z') } })).status, 201);
        beat = (await first.api('POST', '/api/v1/devices/heartbeat', { apiKey: key })).body;
      } finally {
        await first.stop();
      }

      const second = await startPlatform(kind, { ...place, ADMIN_PASSWORD: 'a-different-password' });
      try {
        assert.equal(second.platform.generatedAdminPassword, undefined);
        const me = await second.api('GET', '/api/v1/auth/me', { token });
        assert.equal(me.status, 200, 'a token issued before the restart is still valid');
        assert.equal(me.body.username, 'admin');
        assert.equal((await second.api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'a-different-password' } })).status, 401);
        const fresh = await second.login('admin', ADMIN_PASSWORD);
        const device = await second.api('GET', '/api/v1/devices/keeper', { token: fresh });
        assert.equal(device.body.last_seen, beat.last_seen);
        const history = await second.api('GET', '/api/v1/telemetry/keeper?start_time=2025-12-31T00:00:00Z&end_time=2026-01-02T00:00:00Z', { token: fresh });
        assert.deepEqual(history.body.points.map((p: { value: number }) => p.value), [1]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      if (kind === 'postgres') await dropSchema(schema);
    }
  });
}
