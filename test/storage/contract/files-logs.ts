// Contract: device file metadata and device system logs (time range, levels, cursor, retention),
// and that deleting a device takes both with it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceFile, FileKind } from '../../../src/domain/device-file.ts';
import type { LogEntry, LogLevel, NewLogEntry } from '../../../src/domain/device-log.ts';
import type { LogQuery } from '../../../src/storage/storage.ts';
import { HOUR, MINUTE, T0, type OpenStorage, freshDatabase, makeDevice, uid } from './fixture.ts';

function fileMeta(deviceId: string, over: Partial<DeviceFile> = {}): DeviceFile {
  const id = over.id ?? uid('file');
  return {
    id,
    deviceId,
    kind: 'image',
    originalName: 'Küche Ansicht.png',
    contentType: 'image/png',
    size: 12_345_678_901,
    sha256: 'a'.repeat(64),
    blobKey: `devices/${deviceId}/${id}`,
    uploadedBy: 'usr-1',
    uploadedAt: T0,
    ...over,
  };
}

const line = (deviceId: string, ts: number, level: LogLevel, message: string, source: string | null = null): NewLogEntry => ({
  deviceId,
  ts,
  level,
  message,
  source,
});

/** Drops the generated ids, for comparing with what was appended. */
const withoutIds = (entries: readonly LogEntry[]) => entries.map(({ id: _id, ...rest }) => rest);

export function fileContract(open: OpenStorage): void {
  describe('device files', () => {
    const db = freshDatabase(open);

    it('stores file metadata and reads it back exactly (sizes beyond 32 bits included)', async () => {
      const device = await makeDevice(db.storage);
      const file = fileMeta(device.id);
      await db.storage.insertFile(file);
      assert.deepStrictEqual(await db.storage.getFile(file.id), file);
      assert.strictEqual(await db.storage.getFile('no-such-file'), undefined);
    });

    it('refuses metadata for a device that does not exist, and a duplicate id', async () => {
      await assert.rejects(db.storage.insertFile(fileMeta('no-such-device')));
      const device = await makeDevice(db.storage);
      const file = fileMeta(device.id);
      await db.storage.insertFile(file);
      await assert.rejects(db.storage.insertFile({ ...file, originalName: 'other' }));
      assert.deepStrictEqual(await db.storage.getFile(file.id), file);
    });

    it('lists one kind of one device, newest first, paginated, with the total', async () => {
      const device = await makeDevice(db.storage);
      const other = await makeDevice(db.storage);
      const files: DeviceFile[] = [];
      for (let i = 0; i < 5; i++) {
        const kind: FileKind = i % 2 === 0 ? 'image' : 'log';
        const file = fileMeta(device.id, { kind, uploadedAt: T0 + i * MINUTE, contentType: kind === 'image' ? 'image/png' : 'text/plain' });
        await db.storage.insertFile(file);
        files.push(file);
      }
      await db.storage.insertFile(fileMeta(other.id));
      const images = files.filter((f) => f.kind === 'image').reverse();
      assert.deepStrictEqual(await db.storage.listFiles({ deviceId: device.id, kind: 'image', limit: 10, offset: 0 }), { items: images, total: 3 });
      assert.deepStrictEqual(await db.storage.listFiles({ deviceId: device.id, kind: 'image', limit: 2, offset: 1 }), {
        items: images.slice(1, 3),
        total: 3,
      });
      const logs = files.filter((f) => f.kind === 'log').reverse();
      assert.deepStrictEqual(await db.storage.listFiles({ deviceId: device.id, kind: 'log', limit: 10, offset: 0 }), { items: logs, total: 2 });
      assert.deepStrictEqual(await db.storage.listFiles({ deviceId: 'nobody', kind: 'log', limit: 10, offset: 0 }), { items: [], total: 0 });
    });

    it('deletes one file, and reports whether it existed', async () => {
      const device = await makeDevice(db.storage);
      const [a, b] = [fileMeta(device.id), fileMeta(device.id)];
      await db.storage.insertFile(a);
      await db.storage.insertFile(b);
      assert.strictEqual(await db.storage.deleteFile(a.id), true);
      assert.strictEqual(await db.storage.deleteFile(a.id), false);
      assert.strictEqual(await db.storage.getFile(a.id), undefined);
      assert.deepStrictEqual(await db.storage.getFile(b.id), b);
    });
  });
}

export function logContract(open: OpenStorage): void {
  describe('device logs', () => {
    const db = freshDatabase(open);
    const query = (deviceId: string, over: Partial<LogQuery> = {}): LogQuery => ({
      deviceId,
      start: T0 - HOUR,
      end: T0 + HOUR,
      order: 'asc',
      limit: 100,
      ...over,
    });

    it('stores a batch and reads it back in time order, text kept exactly', async () => {
      const device = await makeDevice(db.storage);
      const batch = [
        line(device.id, T0 + 2000, 'error', 'disk full\nstack: at write()\t(fs.c:12)', 'storage'),
        line(device.id, T0, 'info', 'booted ✓ — Küche', null),
        line(device.id, T0 + 1000, 'debug', '\u001b[32mgreen\u001b[0m ansi colours', 'tty'),
      ];
      assert.strictEqual(await db.storage.appendLogs(batch), 3);
      assert.strictEqual(await db.storage.appendLogs([]), 0);
      const asc = await db.storage.queryLogs(query(device.id));
      assert.deepStrictEqual(withoutIds(asc), [batch[1], batch[2], batch[0]]);
      const desc = await db.storage.queryLogs(query(device.id, { order: 'desc' }));
      assert.deepStrictEqual(withoutIds(desc), [batch[0], batch[2], batch[1]]);
      assert.strictEqual(new Set(asc.map((e) => e.id)).size, 3);
    });

    it('filters by half-open time range, by exact levels and by minimum level, per device', async () => {
      const device = await makeDevice(db.storage);
      const other = await makeDevice(db.storage);
      const levels: LogLevel[] = ['debug', 'info', 'warning', 'error', 'critical'];
      const entries = levels.map((level, i) => line(device.id, T0 + i * MINUTE, level, `m${i}`));
      await db.storage.appendLogs([...entries, line(other.id, T0, 'critical', 'other device')]);
      const messages = async (over: Partial<LogQuery>) => (await db.storage.queryLogs(query(device.id, over))).map((e) => e.message);
      assert.deepStrictEqual(await messages({ start: T0 + MINUTE, end: T0 + 3 * MINUTE }), ['m1', 'm2']);
      assert.deepStrictEqual(await messages({ levels: ['warning', 'critical'] }), ['m2', 'm4']);
      assert.deepStrictEqual(await messages({ minLevel: 'warning' }), ['m2', 'm3', 'm4']);
      assert.deepStrictEqual(await messages({ minLevel: 'error', levels: ['info', 'error'] }), ['m3']);
      assert.deepStrictEqual(await messages({ levels: [] }), ['m0', 'm1', 'm2', 'm3', 'm4']);
    });

    it('pages with a (ts, id) cursor in both orders without losing entries that share a timestamp', async () => {
      const device = await makeDevice(db.storage);
      const batch = Array.from({ length: 7 }, (_, i) => line(device.id, T0 + Math.floor(i / 3) * 1000, 'info', `n${i}`));
      await db.storage.appendLogs(batch);
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let after: LogQuery['after'];
        for (let page = 0; page < 10; page++) {
          const rows = await db.storage.queryLogs(query(device.id, { order, limit: 2, ...(after ? { after } : {}) }));
          seen.push(...rows.map((r) => r.message));
          const last = rows.at(-1);
          if (rows.length < 2 || !last) break;
          after = { ts: last.ts, id: last.id };
        }
        const expected = batch.map((b) => b.message);
        assert.deepStrictEqual(seen, order === 'asc' ? expected : [...expected].reverse());
      }
    });

    it('deletes entries older than a cutoff across devices, keeping the rest (retention)', async () => {
      const a = await makeDevice(db.storage);
      const b = await makeDevice(db.storage);
      await db.storage.appendLogs([
        line(a.id, T0 - 2 * HOUR, 'info', 'old a'),
        line(b.id, T0 - 2 * HOUR + 1, 'info', 'old b'),
        line(a.id, T0, 'info', 'at cutoff'),
        line(b.id, T0 + 1, 'info', 'new b'),
      ]);
      const wide = { start: T0 - 3 * HOUR };
      assert.strictEqual(await db.storage.deleteLogsBefore(T0), 2);
      assert.deepStrictEqual((await db.storage.queryLogs(query(a.id, wide))).map((e) => e.message), ['at cutoff']);
      assert.deepStrictEqual((await db.storage.queryLogs(query(b.id, wide))).map((e) => e.message), ['new b']);
      assert.strictEqual(await db.storage.deleteLogsBefore(T0), 0);
    });

    it('deleting a device deletes its logs and file metadata, not those of another device', async () => {
      const gone = await makeDevice(db.storage);
      const kept = await makeDevice(db.storage);
      const goneFile = fileMeta(gone.id);
      const keptFile = fileMeta(kept.id);
      await db.storage.insertFile(goneFile);
      await db.storage.insertFile(keptFile);
      await db.storage.appendLogs([line(gone.id, T0, 'info', 'bye'), line(kept.id, T0, 'info', 'stay')]);
      assert.strictEqual(await db.storage.deleteDevice(gone.id), true);
      assert.strictEqual(await db.storage.getFile(goneFile.id), undefined);
      assert.deepStrictEqual(await db.storage.queryLogs(query(gone.id)), []);
      assert.deepStrictEqual(await db.storage.getFile(keptFile.id), keptFile);
      assert.deepStrictEqual((await db.storage.queryLogs(query(kept.id))).map((e) => e.message), ['stay']);
    });
  });
}
