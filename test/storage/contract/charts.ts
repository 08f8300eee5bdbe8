// Contract: saved charts (seed 003).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OpenStorage, freshDatabase, makeUser, uid } from './fixture.ts';

export function chartContract(open: OpenStorage): void {
  describe('charts', () => {
    const db = freshDatabase(open);
    const series = [
      { deviceId: 'dev-a', field: 'temperature', label: 'Living room' },
      { deviceId: 'dev-b', field: 'power', label: null },
    ];

    it('creates a chart and reads it back exactly', async () => {
      const owner = await makeUser(db.storage);
      const id = uid('chart');
      const chart = await db.storage.createChart({ id, ownerId: owner.id, name: 'Heating', series, timeRange: '24h' });
      assert.deepStrictEqual(chart, { id, ownerId: owner.id, name: 'Heating', series, timeRange: '24h', createdAt: chart.createdAt, updatedAt: chart.createdAt });
      assert.strictEqual(Number.isSafeInteger(chart.createdAt), true);
      assert.deepStrictEqual(await db.storage.getChart(id), chart);
      assert.strictEqual(await db.storage.getChart('missing'), undefined);
    });

    it('lists only the owner\'s charts, newest first', async () => {
      const alice = await makeUser(db.storage);
      const bob = await makeUser(db.storage);
      const first = await db.storage.createChart({ id: uid('chart'), ownerId: alice.id, name: 'first', series, timeRange: '1h' });
      await new Promise((r) => setTimeout(r, 2));
      const second = await db.storage.createChart({ id: uid('chart'), ownerId: alice.id, name: 'second', series, timeRange: '7d' });
      await db.storage.createChart({ id: uid('chart'), ownerId: bob.id, name: 'bob', series, timeRange: '1h' });
      assert.deepStrictEqual((await db.storage.listCharts(alice.id)).map((c) => c.id), [second.id, first.id]);
      assert.deepStrictEqual(await db.storage.listCharts('nobody'), []);
    });

    it('updates only the given fields and deletes', async () => {
      const owner = await makeUser(db.storage);
      const chart = await db.storage.createChart({ id: uid('chart'), ownerId: owner.id, name: 'old', series, timeRange: '1h' });
      const renamed = await db.storage.updateChart(chart.id, { name: 'new' });
      assert.deepStrictEqual({ ...renamed, updatedAt: 0 }, { ...chart, name: 'new', updatedAt: 0 });
      const reseries = await db.storage.updateChart(chart.id, { series: [series[1]!], timeRange: '30d' });
      assert.deepStrictEqual(reseries?.series, [series[1]]);
      assert.strictEqual(reseries?.timeRange, '30d');
      assert.strictEqual(reseries?.name, 'new');
      assert.strictEqual(await db.storage.updateChart('missing', { name: 'x' }), undefined);
      assert.strictEqual(await db.storage.deleteChart(chart.id), true);
      assert.strictEqual(await db.storage.deleteChart(chart.id), false);
      assert.strictEqual(await db.storage.getChart(chart.id), undefined);
    });
  });
}
