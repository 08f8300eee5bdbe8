// Contract: writing points, first-write-wins duplicates, rollups maintained on write, latest values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point } from '../../../src/domain/telemetry.ts';
import type { Storage } from '../../../src/storage/storage.ts';
import { HOUR, MINUTE, T0, type OpenStorage, allPoints, expectedRollups, freshDatabase, makeDevice, pt, sorted } from './fixture.ts';

const WIDE = { start: T0 - 24 * HOUR, end: T0 + 24 * HOUR };

async function rollups(storage: Storage, deviceId: string, field: string, granularity: 'minute' | 'hour') {
  return storage.readRollups({ deviceId, field, granularity, ...WIDE });
}

async function assertRollupsMatch(storage: Storage, stored: readonly Point[], deviceId: string, field: string): Promise<void> {
  for (const g of ['minute', 'hour'] as const) {
    assert.deepStrictEqual(await rollups(storage, deviceId, field, g), expectedRollups(stored, deviceId, field, g), `${field} ${g} rollups`);
  }
}

export function pointContract(open: OpenStorage): void {
  describe('writePoints', () => {
    const db = freshDatabase(open);

    it('round-trips numbers, booleans, strings and metadata exactly', async () => {
      const d = await makeDevice(db.storage);
      const meta = JSON.stringify({ unit: '°C', source: 'probe "A"', n: 1 });
      const points = [
        pt(d.id, 'temperature', T0, 21.5, meta),
        pt(d.id, 'temperature', T0 + 1, -3.25),
        pt(d.id, 'temperature', T0 + 2, 0),
        pt(d.id, 'temperature', T0 + 3, 1234567.891),
        pt(d.id, 'temperature', T0 + 4, 0.1 + 0.2),
        pt(d.id, 'temperature', T0 + 5, 9007199254740991),
        pt(d.id, 'temperature', T0 + 6, -1e-9),
        pt(d.id, 'on', T0, true, meta),
        pt(d.id, 'on', T0 + 1, false),
        pt(d.id, 'mode', T0, 'eco', meta),
        pt(d.id, 'mode', T0 + 1, ''),
        pt(d.id, 'mode', T0 + 2, 'ünïcødé ✓ \'quoted\' "double" \\ back'),
        pt(d.id, 'mode', T0 + 3, '42'),
        pt(d.id, 'mode', T0 + 4, 'true'),
      ];
      assert.deepStrictEqual(await db.storage.writePoints(points), { inserted: points.length, duplicates: 0 });
      assert.deepStrictEqual(await allPoints(db.storage, d.id, T0, T0 + 1000), sorted(points));
    });

    it('drops points of devices that do not exist (deleted meanwhile), storing the others', async () => {
      const d = await makeDevice(db.storage);
      const kept = pt(d.id, 'power', T0, 7);
      assert.deepStrictEqual(await db.storage.writePoints([pt('deleted-meanwhile', 'power', T0, 1), kept]), { inserted: 1, duplicates: 1 });
      assert.deepStrictEqual(await allPoints(db.storage, 'deleted-meanwhile', 0, T0 + 1000), []);
      assert.deepStrictEqual(await db.storage.fieldsOf('deleted-meanwhile'), []);
      assert.deepStrictEqual(await db.storage.readRollups({ deviceId: 'deleted-meanwhile', field: 'power', granularity: 'minute', start: 0, end: T0 + 1000 }), []);
      assert.deepStrictEqual(await allPoints(db.storage, d.id, 0, T0 + 1000), [kept]);
    });

    it('writes nothing for an empty batch', async () => {
      assert.deepStrictEqual(await db.storage.writePoints([]), { inserted: 0, duplicates: 0 });
    });

    it('ignores and counts duplicates in one batch and across batches; the first write wins, rollups included', async () => {
      const d = await makeDevice(db.storage);
      const first = [pt(d.id, 'power', T0, 1, '{"first":true}'), pt(d.id, 'power', T0 + 1000, 5)];
      assert.deepStrictEqual(
        await db.storage.writePoints([first[0]!, pt(d.id, 'power', T0, 2, '{"first":false}'), first[1]!, pt(d.id, 'power', T0 + 1000, 50)]),
        { inserted: 2, duplicates: 2 },
      );
      await assertRollupsMatch(db.storage, first, d.id, 'power');

      const later = pt(d.id, 'power', T0 + 2000, 3);
      assert.deepStrictEqual(
        await db.storage.writePoints([pt(d.id, 'power', T0, 100), later, pt(d.id, 'power', T0 + 1000, 'text now'), pt(d.id, 'power', T0, false)]),
        { inserted: 1, duplicates: 3 },
      );
      const stored = [...first, later];
      assert.deepStrictEqual(await allPoints(db.storage, d.id, WIDE.start, WIDE.end), stored);
      await assertRollupsMatch(db.storage, stored, d.id, 'power');
      assert.deepStrictEqual(await rollups(db.storage, d.id, 'power', 'minute'), [
        { bucket: T0, count: 3, sum: 9, min: 1, max: 5, firstTs: T0, first: 1, lastTs: T0 + 2000, last: 3 },
      ]);

      // The same (field, ts) on another device or another field is not a duplicate.
      const other = await makeDevice(db.storage);
      assert.deepStrictEqual(await db.storage.writePoints([pt(other.id, 'power', T0, 7), pt(d.id, 'energy', T0, 7)]), {
        inserted: 2,
        duplicates: 0,
      });
    });

    it('keeps exact minute and hour rollups when batches arrive out of order', async () => {
      const d = await makeDevice(db.storage);
      const at = (h: number, m: number, s: number) => T0 + h * HOUR + m * MINUTE + s * 1000;
      const batches = [
        [pt(d.id, 'power', at(2, 0, 0), 7), pt(d.id, 'power', at(2, 59, 59), -2.5), pt(d.id, 'power', at(1, 30, 0), 4)],
        [pt(d.id, 'power', at(0, 0, 0), 10), pt(d.id, 'power', at(0, 0, 59), 12.25), pt(d.id, 'power', at(0, 1, 0), 11)],
        [pt(d.id, 'power', at(0, 0, 30), 8), pt(d.id, 'power', T0 - 1, 100), pt(d.id, 'power', at(1, 30, 30), 4)],
        [pt(d.id, 'power', at(2, 0, 1), 7.5), pt(d.id, 'power', at(0, 59, 59), -1), pt(d.id, 'power', at(1, 29, 59), 0)],
        [pt(d.id, 'power', at(0, 0, 15), 9)],
      ];
      for (const batch of batches) {
        assert.deepStrictEqual(await db.storage.writePoints(batch), { inserted: batch.length, duplicates: 0 });
      }
      const all = batches.flat();
      await assertRollupsMatch(db.storage, all, d.id, 'power');
      const hours = await rollups(db.storage, d.id, 'power', 'hour');
      assert.deepStrictEqual(hours, [
        { bucket: T0 - HOUR, count: 1, sum: 100, min: 100, max: 100, firstTs: T0 - 1, first: 100, lastTs: T0 - 1, last: 100 },
        { bucket: T0, count: 6, sum: 49.25, min: -1, max: 12.25, firstTs: T0, first: 10, lastTs: at(0, 59, 59), last: -1 },
        { bucket: T0 + HOUR, count: 3, sum: 8, min: 0, max: 4, firstTs: at(1, 29, 59), first: 0, lastTs: at(1, 30, 30), last: 4 },
        { bucket: T0 + 2 * HOUR, count: 3, sum: 12, min: -2.5, max: 7.5, firstTs: at(2, 0, 0), first: 7, lastTs: at(2, 59, 59), last: -2.5 },
      ]);
      const minute0 = (await rollups(db.storage, d.id, 'power', 'minute')).find((r) => r.bucket === T0);
      assert.deepStrictEqual(minute0, { bucket: T0, count: 4, sum: 39.25, min: 8, max: 12.25, firstTs: T0, first: 10, lastTs: at(0, 0, 59), last: 12.25 });
    });

    it('rolls booleans up as 0/1 and keeps no rollups for strings', async () => {
      const d = await makeDevice(db.storage);
      await db.storage.writePoints([pt(d.id, 'door', T0 + 2000, true), pt(d.id, 'door', T0, true), pt(d.id, 'door', T0 + 1000, false)]);
      await db.storage.writePoints([pt(d.id, 'mode', T0, 'eco'), pt(d.id, 'mode', T0 + 1000, 'boost')]);
      const row = { bucket: T0, count: 3, sum: 2, min: 0, max: 1, firstTs: T0, first: 1, lastTs: T0 + 2000, last: 1 };
      assert.deepStrictEqual(await rollups(db.storage, d.id, 'door', 'minute'), [row]);
      assert.deepStrictEqual(await rollups(db.storage, d.id, 'door', 'hour'), [row]);
      assert.deepStrictEqual(await rollups(db.storage, d.id, 'mode', 'minute'), []);
      assert.deepStrictEqual(await rollups(db.storage, d.id, 'mode', 'hour'), []);
      assert.strictEqual(await db.storage.rollupBefore(d.id, 'mode', 'hour', T0 + HOUR), undefined);
    });

    it('latestPoints gives the newest point of every field, fieldsOf lists the fields', async () => {
      const d = await makeDevice(db.storage);
      assert.deepStrictEqual(await db.storage.latestPoints(d.id), []);
      assert.deepStrictEqual(await db.storage.fieldsOf(d.id), []);
      await db.storage.writePoints([pt(d.id, 'temperature', T0 + 5000, 22), pt(d.id, 'mode', T0, 'eco'), pt(d.id, 'on', T0 + 1, true)]);
      await db.storage.writePoints([
        pt(d.id, 'temperature', T0 + 1000, 20),
        pt(d.id, 'temperature', T0 + 9000, 23.5, '{"q":1}'),
        pt(d.id, 'mode', T0 + HOUR, 'boost'),
        pt(d.id, 'on', T0, false),
      ]);
      assert.deepStrictEqual(await db.storage.latestPoints(d.id), [
        pt(d.id, 'mode', T0 + HOUR, 'boost'),
        pt(d.id, 'on', T0 + 1, true),
        pt(d.id, 'temperature', T0 + 9000, 23.5, '{"q":1}'),
      ]);
      assert.deepStrictEqual(await db.storage.fieldsOf(d.id), ['mode', 'on', 'temperature']);
      assert.deepStrictEqual(await db.storage.fieldsOf('no-such-device'), []);
    });

    it('a device deleted and re-created through another handle gets its fields listed again', async () => {
      const d = await makeDevice(db.storage);
      await db.storage.writePoints([pt(d.id, 'temperature', T0, 20)]);
      const other = await db.another();
      assert.strictEqual(await other.deleteDevice(d.id), true);
      const { createdAt: _c, updatedAt: _u, lastSeen: _l, ...input } = d;
      await other.createDevice({ ...input, apiKeyHash: `new-${d.id}` });
      const point = pt(d.id, 'temperature', T0 + 1000, 21);
      await db.storage.writePoints([point]);
      for (const s of [db.storage, other]) {
        assert.deepStrictEqual(await s.fieldsOf(d.id), ['temperature']);
        assert.deepStrictEqual(await s.latestPoints(d.id), [point]);
        assert.deepStrictEqual(await allPoints(s, d.id, WIDE.start, WIDE.end), [point]);
      }
    });
  });
}
