// CommandResend against a real SQLite database: which commands a run announces, pages that continue
// where the last run stopped (so none waits forever behind others), errors reported.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CommandResend } from '../../src/services/command-resend.ts';
import { EventBus } from '../../src/services/event-bus.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.ts';
import { makeDevice } from '../storage/contract/builders.ts';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const AFTER_MS = 5000;

describe('CommandResend', () => {
  let dir: string;
  let storage: SqliteStorage;
  const bus = new EventBus();
  const announced: string[] = [];
  const stale: string[] = [];
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-resend-'));
    storage = new SqliteStorage(path.join(dir, 'fluxgate.db'));
    await storage.migrate();
    const device = await makeDevice(storage);
    const command = (id: string, createdAt: number, expiresAt: number) =>
      storage.createCommand({ id, deviceId: device.id, command: 'set', parameters: {}, createdBy: null, createdAt, expiresAt });
    // Five stale ones, expiring in the order of their names.
    for (let i = 1; i <= 5; i++) stale.push((await command(`cmd-stale-${i}`, NOW - AFTER_MS - 1000, NOW + i * 1000)).id);
    await command('cmd-young', NOW - AFTER_MS + 1, NOW + 60_000);
    await command('cmd-expired', NOW - 60_000, NOW);
    await command('cmd-delivered', NOW - 60_000, NOW + 60_000);
    await storage.updateCommand(device.id, 'cmd-delivered', ['pending'], { status: 'delivered', deliveredAt: NOW - 59_000 });
    bus.on('command.resend', 'test', ({ command: c }) => announced.push(c.id));
  });
  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const resend = (over: Partial<ConstructorParameters<typeof CommandResend>[2]> = {}) =>
    new CommandResend(storage, bus, { afterMs: AFTER_MS, mayRun: () => true, onError: (err) => assert.fail(String(err)), ...over });

  it('announces the pending commands old enough and not expired, soonest expiry first', async () => {
    announced.length = 0;
    assert.equal(await resend().run(NOW), 5);
    assert.deepEqual(announced, stale);
  });

  it('reads a page per run, each continuing after the last, then starts over', async () => {
    announced.length = 0;
    const paged = resend({ pageSize: 2 });
    const counts = [];
    for (let i = 0; i < 4; i++) counts.push(await paged.run(NOW));
    assert.deepEqual(counts, [2, 2, 1, 2]);
    assert.deepEqual(announced, [...stale, stale[0], stale[1]]);
  });

  it('reports a storage error and announces nothing', async () => {
    const closed = new SqliteStorage(path.join(dir, 'closed.db'));
    await closed.migrate();
    await closed.close();
    const errors: unknown[] = [];
    announced.length = 0;
    const broken = new CommandResend(closed, bus, { afterMs: AFTER_MS, mayRun: () => true, onError: (err) => errors.push(err) });
    assert.equal(await broken.run(NOW), 0);
    assert.deepEqual([errors.length, announced], [1, []]);
  });
});
