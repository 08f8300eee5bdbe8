// aedes emits `sessionExpired` while the session's subscriptions are still being removed; a CONNECT
// in between must not find them (it would resume a half-ended session). Reads wait for the wipe.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openMqttPersistence } from '../../src/transport/mqtt/mqtt-persistence.ts';

test('a read of a client\'s subscriptions started while they are wiped finds none', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-mqtt-wipe-'));
  const persistence = await openMqttPersistence(dir);
  try {
    await persistence.setup({ id: 'broker' });
    const client = { id: 'expiring' };
    const add = persistence as unknown as { addSubscriptions(c: { id: string }, subs: Array<{ topic: string; qos: number }>): Promise<void> };
    for (let round = 0; round < 20; round++) {
      await add.addSubscriptions(client, [{ topic: 'a/b', qos: 1 }, { topic: 'c/#', qos: 0 }]);
      assert.equal((await persistence.subscriptionsByClient(client)).length, 2);
      const wiped = persistence.cleanSubscriptions(client);
      assert.deepEqual(await persistence.subscriptionsByClient(client), [], `round ${round}`);
      await wiped;
    }
    assert.deepEqual(await persistence.subscriptionsByClient({ id: 'another' }), []);
  } finally {
    await persistence.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
