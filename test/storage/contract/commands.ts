// Contract: commands (create, list, conditional status moves, expiry) and desired state (compare-and-set).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewCommand } from '../../../src/domain/command.ts';
import { T0, type OpenStorage, freshDatabase, makeDevice, uid } from './fixture.ts';

function commandInput(deviceId: string, over: Partial<NewCommand> = {}): NewCommand {
  return { id: uid('cmd'), deviceId, command: 'set_power', parameters: { on: true, level: 3 }, createdBy: null, createdAt: T0, expiresAt: T0 + 60_000, ...over };
}

export function commandContract(open: OpenStorage): void {
  describe('commands and desired state', () => {
    const db = freshDatabase(open);

    it('stores a command as pending and reads it back exactly', async () => {
      const device = await makeDevice(db.storage);
      const input = commandInput(device.id);
      const created = await db.storage.createCommand(input);
      const expected = { ...input, status: 'pending', deliveredAt: null, completedAt: null, result: null, error: null };
      assert.deepEqual(created, expected);
      assert.deepEqual(await db.storage.getCommand(device.id, input.id), expected);
      assert.equal(await db.storage.getCommand('other-device', input.id), undefined);
    });

    it('lists newest first, filtered by status', async () => {
      const device = await makeDevice(db.storage);
      const a = await db.storage.createCommand(commandInput(device.id, { createdAt: T0 }));
      const b = await db.storage.createCommand(commandInput(device.id, { createdAt: T0 + 1 }));
      await db.storage.updateCommand(device.id, a.id, ['pending'], { status: 'delivered', deliveredAt: T0 + 5 });
      assert.deepEqual((await db.storage.listCommands(device.id, { limit: 10 })).map((c) => c.id), [b.id, a.id]);
      assert.deepEqual((await db.storage.listCommands(device.id, { statuses: ['pending'], limit: 10, order: 'asc' })).map((c) => c.id), [b.id]);
    });

    it('moves a status only from the allowed ones, with result and error', async () => {
      const device = await makeDevice(db.storage);
      const c = await db.storage.createCommand(commandInput(device.id));
      const acked = await db.storage.updateCommand(device.id, c.id, ['pending', 'delivered'], { status: 'acked', completedAt: T0 + 9, result: { applied: 21.5 } });
      assert.deepEqual([acked?.status, acked?.completedAt, acked?.result], ['acked', T0 + 9, { applied: 21.5 }]);
      assert.equal(await db.storage.updateCommand(device.id, c.id, ['pending', 'delivered'], { status: 'failed', error: 'late' }), undefined);
      assert.equal((await db.storage.getCommand(device.id, c.id))?.status, 'acked');
    });

    it('expires open commands whose time passed, and only those', async () => {
      const device = await makeDevice(db.storage);
      const due = await db.storage.createCommand(commandInput(device.id, { expiresAt: T0 + 10 }));
      const later = await db.storage.createCommand(commandInput(device.id, { expiresAt: T0 + 1_000 }));
      const done = await db.storage.createCommand(commandInput(device.id, { expiresAt: T0 + 10 }));
      await db.storage.updateCommand(device.id, done.id, ['pending'], { status: 'acked', completedAt: T0 + 1 });
      const expired = await db.storage.expireCommands(T0 + 10);
      assert.deepEqual(expired.filter((c) => c.deviceId === device.id).map((c) => [c.id, c.status, c.completedAt]), [[due.id, 'expired', T0 + 10]]);
      assert.equal((await db.storage.getCommand(device.id, later.id))?.status, 'pending');
    });

    it('lists stale pending commands by expiry, page after page, and no others', async () => {
      const device = await makeDevice(db.storage);
      const mine = (list: { id: string; deviceId: string }[]) => list.filter((c) => c.deviceId === device.id).map((c) => c.id);
      const stale1 = await db.storage.createCommand(commandInput(device.id, { createdAt: T0, expiresAt: T0 + 3_000 }));
      const stale2 = await db.storage.createCommand(commandInput(device.id, { createdAt: T0 + 1, expiresAt: T0 + 2_000 }));
      const stale3 = await db.storage.createCommand(commandInput(device.id, { createdAt: T0 + 2, expiresAt: T0 + 2_000 }));
      await db.storage.createCommand(commandInput(device.id, { createdAt: T0 + 500 })); // too young
      await db.storage.createCommand(commandInput(device.id, { createdAt: T0, expiresAt: T0 + 1_000 })); // expired at `now`
      const delivered = await db.storage.createCommand(commandInput(device.id, { createdAt: T0 }));
      await db.storage.updateCommand(device.id, delivered.id, ['pending'], { status: 'delivered', deliveredAt: T0 + 1 });
      const acked = await db.storage.createCommand(commandInput(device.id, { createdAt: T0 }));
      await db.storage.updateCommand(device.id, acked.id, ['pending'], { status: 'acked', completedAt: T0 + 1 });

      const query = { createdBefore: T0 + 100, now: T0 + 1_000, limit: 1000 };
      const byExpiry = [stale2.id, stale3.id].sort();
      assert.deepEqual(mine(await db.storage.listStalePendingCommands(query)), [...byExpiry, stale1.id]);
      // Keyset pages: after (expires_at, id) of the last one seen.
      assert.deepEqual(mine(await db.storage.listStalePendingCommands({ ...query, after: { expiresAt: T0 + 2_000, id: byExpiry[0]! } })), [byExpiry[1], stale1.id]);
      assert.deepEqual(mine(await db.storage.listStalePendingCommands({ ...query, after: { expiresAt: T0 + 2_000, id: byExpiry[1]! } })), [stale1.id]);
    });

    it('keeps desired state with a compare-and-set version', async () => {
      const device = await makeDevice(db.storage);
      assert.equal(await db.storage.getDesiredState(device.id), undefined);
      const v1 = await db.storage.putDesiredState(device.id, { target_temperature: 21.5 }, 0, T0);
      assert.deepEqual(v1, { deviceId: device.id, desired: { target_temperature: 21.5 }, version: 1, updatedAt: T0 });
      assert.equal(await db.storage.putDesiredState(device.id, { target_temperature: 19 }, 0, T0 + 1), undefined);
      const v2 = await db.storage.putDesiredState(device.id, { target_temperature: 19, mode: 'eco' }, 1, T0 + 2);
      assert.equal(v2?.version, 2);
      assert.deepEqual(await db.storage.getDesiredState(device.id), { deviceId: device.id, desired: { target_temperature: 19, mode: 'eco' }, version: 2, updatedAt: T0 + 2 });
    });

    it('deleting a device deletes its commands and desired state', async () => {
      const device = await makeDevice(db.storage);
      const c = await db.storage.createCommand(commandInput(device.id));
      await db.storage.putDesiredState(device.id, { on: true }, 0, T0);
      await db.storage.deleteDevice(device.id);
      assert.equal(await db.storage.getCommand(device.id, c.id), undefined);
      assert.equal(await db.storage.getDesiredState(device.id), undefined);
    });
  });
}
