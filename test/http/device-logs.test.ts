// Device system logs over real HTTP on both databases: devices post lines with their API key,
// users query by time range, level and cursor; retention deletes old lines in a periodic sweep.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresSkipReason } from '../helpers/services.ts';
import { type DbKind, type Harness, startHarness } from './files-helpers.ts';

const postgresSkip = await postgresSkipReason();
const DAY = 86_400_000;

for (const db of ['sqlite', 'postgres'] as const satisfies readonly DbKind[]) {
  const skip = db === 'postgres' ? (postgresSkip ?? false) : false;

  describe(`device logs over HTTP [${db}]`, { skip }, () => {
    let h: Harness;
    let alice: { token: string; id: string };
    let bob: { token: string; id: string };
    let key: string;
    let otherKey: string;
    // An hour ago on a whole second, whatever day the suite runs: inside the -7d read below and far
    // from the 30-day log retention.
    const T = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const range = `start_time=${T - DAY}&end_time=${T + DAY}`;
    before(async () => {
      h = await startHarness(db, 'local');
      alice = await h.newUser('alice');
      bob = await h.newUser('bob');
      key = (await h.newDevice(alice.token, 'gw-1')).api_key;
      otherKey = (await h.newDevice(alice.token, 'gw-2')).api_key;
    });
    after(() => h.stop());

    const messages = async (query: string, token = alice.token) => {
      const res = await h.call('GET', `/api/v1/devices/gw-1/logs?${query}`, { token });
      assert.strictEqual(res.status, 200, res.bytes.toString());
      return res.body.logs.map((l: { message: string }) => l.message);
    };

    it('stores one line, a batch, and a bare string, acknowledging the count', async () => {
      const one = await h.call('POST', '/api/v1/devices/gw-1/logs', {
        apiKey: key,
        json: { level: 'warning', message: 'battery low', timestamp: new Date(T).toISOString(), source: 'power' },
      });
      assert.deepStrictEqual([one.status, one.body], [201, { status: 'stored', count: 1 }]);
      const batch = await h.call('POST', '/api/v1/devices/gw-1/logs', {
        apiKey: key,
        json: [
          { level: 'debug', message: 'tick', timestamp: T + 1000 },
          { level: 'ERROR', message: 'sensor timeout\n  at read()', timestamp: T + 2000, source: 'i2c' },
          { level: 'critical', message: 'overheat', timestamp: T + 3000 },
          { level: 'warn', message: 'retrying', timestamp: T + 4000 },
        ],
      });
      assert.deepStrictEqual([batch.status, batch.body], [201, { status: 'stored', count: 4 }]);
      const bare = await h.call('POST', '/api/v1/devices/gw-2/logs', { apiKey: otherKey, json: 'plain text line' });
      assert.deepStrictEqual([bare.status, bare.body], [201, { status: 'stored', count: 1 }]);

      const res = await h.call('GET', `/api/v1/devices/gw-1/logs?${range}&order=asc`, { token: alice.token });
      assert.strictEqual(res.status, 200);
      const ids: number[] = res.body.logs.map((l: { id: number }) => l.id);
      assert.deepStrictEqual(res.body, {
        device_id: 'gw-1',
        count: 5,
        next_cursor: null,
        logs: [
          { id: ids[0], timestamp: iso(T), ts: T, level: 'warning', message: 'battery low', source: 'power' },
          { id: ids[1], timestamp: iso(T + 1000), ts: T + 1000, level: 'debug', message: 'tick', source: null },
          { id: ids[2], timestamp: iso(T + 2000), ts: T + 2000, level: 'error', message: 'sensor timeout\n  at read()', source: 'i2c' },
          { id: ids[3], timestamp: iso(T + 3000), ts: T + 3000, level: 'critical', message: 'overheat', source: null },
          { id: ids[4], timestamp: iso(T + 4000), ts: T + 4000, level: 'warning', message: 'retrying', source: null },
        ],
      });
      const other = await h.call('GET', '/api/v1/devices/gw-2/logs?start_time=-1h', { token: alice.token });
      assert.deepStrictEqual(other.body.logs.map((l: { level: string; message: string }) => [l.level, l.message]), [['info', 'plain text line']]);
    });

    it('filters by time range and by level, newest first by default', async () => {
      assert.deepStrictEqual(await messages(range), ['retrying', 'overheat', 'sensor timeout\n  at read()', 'tick', 'battery low']);
      assert.deepStrictEqual(await messages(`start_time=${T + 1000}&end_time=${T + 3000}`), ['sensor timeout\n  at read()', 'tick']);
      assert.deepStrictEqual(await messages(`${range}&level=warning`), ['retrying', 'battery low']);
      assert.deepStrictEqual(await messages(`${range}&level=error,critical&order=asc`), ['sensor timeout\n  at read()', 'overheat']);
      assert.deepStrictEqual(await messages(`${range}&min_level=error`), ['overheat', 'sensor timeout\n  at read()']);
    });

    it('pages with limit and cursor until next_cursor is null', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { status: number; body: { logs: Array<{ message: string }>; next_cursor: string | null } } = await h.call(
          'GET',
          `/api/v1/devices/gw-1/logs?${range}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          { token: alice.token },
        );
        assert.strictEqual(res.status, 200);
        seen.push(...res.body.logs.map((l) => l.message));
        cursor = res.body.next_cursor;
        pages += 1;
      } while (cursor && pages < 10);
      assert.strictEqual(pages, 3);
      assert.deepStrictEqual(seen, ['retrying', 'overheat', 'sensor timeout\n  at read()', 'tick', 'battery low']);
    });

    it('refuses bad lines with 400 naming the member, and stores nothing of that batch', async () => {
      const cases: Array<[unknown, string]> = [
        [{ level: 'verbose', message: 'x' }, 'body.level: "verbose" is not one of debug, info, warning, error, critical'],
        [[{ message: 'ok' }, { level: 'info' }], '[1].message: must be a string'],
        [{ message: 'a\u0000b' }, 'body.message: must not contain NUL characters'],
        [{ message: '   ' }, 'body.message: must not be empty'],
        [{ message: 'x', timestamp: 1_700_000_000 }, 'body.timestamp: 1700000000 looks like epoch seconds; send epoch milliseconds or ISO 8601'],
        [{ message: 'x'.repeat(8193) }, 'body.message: must be at most 8192 characters'],
        [{ message: 'x', source: 7 }, 'body.source: must be a string'],
        [[], 'body: send at least one log line'],
        [Array.from({ length: 1001 }, () => ({ message: 'x' })), 'body: at most 1000 log lines per request'],
        [42, 'body: must be an object {level, message, timestamp?, source?}'],
      ];
      for (const [json, message] of cases) {
        const res = await h.call('POST', '/api/v1/devices/gw-1/logs', { apiKey: key, json });
        assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.message], [400, 'VALIDATION_FAILED', message]);
      }
      assert.strictEqual((await messages(`start_time=-7d&end_time=${Date.now() + DAY}`)).length, 5);
    });

    it('needs the device key of that very device to post, and read access to query', async () => {
      const noKey = await h.call('POST', '/api/v1/devices/gw-1/logs', { json: { message: 'x' } });
      assert.deepStrictEqual([noKey.status, noKey.body.error.code], [401, 'INVALID_API_KEY']);
      const wrongKey = await h.call('POST', '/api/v1/devices/gw-1/logs', { apiKey: 'fgk_nope', json: { message: 'x' } });
      assert.deepStrictEqual([wrongKey.status, wrongKey.body.error.code], [401, 'INVALID_API_KEY']);
      const otherDevice = await h.call('POST', '/api/v1/devices/gw-1/logs', { apiKey: otherKey, json: { message: 'x' } });
      assert.deepStrictEqual([otherDevice.status, otherDevice.body.error.code], [404, 'DEVICE_NOT_FOUND']);
      const badId = await h.call('POST', '/api/v1/devices/bad%20id/logs', { apiKey: key, json: { message: 'x' } });
      assert.deepStrictEqual([badId.status, badId.body.error.code], [404, 'DEVICE_NOT_FOUND']);
      const asUser = await h.call('POST', '/api/v1/devices/gw-1/logs', { token: alice.token, json: { message: 'x' } });
      assert.deepStrictEqual([asUser.status, asUser.body.error.code], [401, 'INVALID_API_KEY']);

      const bobRead = await h.call('GET', `/api/v1/devices/gw-1/logs?${range}`, { token: bob.token });
      assert.deepStrictEqual([bobRead.status, bobRead.body.error.code], [404, 'DEVICE_NOT_FOUND']);
      const anon = await h.call('GET', `/api/v1/devices/gw-1/logs?${range}`);
      assert.deepStrictEqual([anon.status, anon.body.error.code], [401, 'UNAUTHENTICATED']);
      const admin = await h.login('admin', 'admin-files-password-1');
      assert.strictEqual((await messages(range, admin)).length, 5);
    });

    it('refuses bad query parameters with 400 naming them', async () => {
      const cases: Array<[string, string, string]> = [
        ['level=loud', 'VALIDATION_FAILED', 'level: "loud" is not one of debug, info, warning, error, critical'],
        ['cursor=bm90LWEtY3Vyc29y', 'INVALID_CURSOR', 'cursor: not a cursor this endpoint returned'],
        ['start_time=yesterday', 'INVALID_TIME', 'start_time: "yesterday" is not now, -<n><s|m|h|d|w>, ISO 8601 or epoch ms'],
        [`start_time=${T}&end_time=${T}`, 'INVALID_TIME', 'start_time must be before end_time'],
      ];
      for (const [query, code, message] of cases) {
        const res = await h.call('GET', `/api/v1/devices/gw-1/logs?${query}`, { token: alice.token });
        assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.message], [400, code, message], query);
      }
      const limit = await h.call('GET', '/api/v1/devices/gw-1/logs?limit=0', { token: alice.token });
      assert.deepStrictEqual([limit.status, limit.body.error.code], [400, 'VALIDATION_FAILED']);
    });
  });

  describe(`device log retention [${db}]`, { skip }, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(db, 'local', { LOG_RETENTION_DAYS: '2', LOG_RETENTION_SWEEP_MS: '50' });
    });
    after(() => h.stop());

    it('a periodic sweep deletes lines older than LOG_RETENTION_DAYS and keeps the rest', async () => {
      const alice = await h.newUser('carol');
      const { api_key } = await h.newDevice(alice.token, 'old-1');
      const now = Date.now();
      const lines = [
        { message: 'three days old', timestamp: now - 3 * DAY },
        { message: 'two days and a minute old', timestamp: now - 2 * DAY - 60_000 },
        { message: 'one day old', timestamp: now - DAY },
        { message: 'fresh', timestamp: now },
      ];
      assert.strictEqual((await h.call('POST', '/api/v1/devices/old-1/logs', { apiKey: api_key, json: lines })).status, 201);
      const read = async () =>
        (await h.call('GET', `/api/v1/devices/old-1/logs?start_time=-5d&end_time=${now + 60_000}&order=asc`, { token: alice.token })).body.logs.map(
          (l: { message: string }) => l.message,
        );
      // The sweep runs on its own every 50 ms: wait for it, bounded, rather than for a fixed time.
      const deadline = Date.now() + 15_000;
      let seen = await read();
      while (seen.length !== 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen = await read();
      }
      assert.deepStrictEqual(seen, ['one day old', 'fresh']);
      // A sweep as of three days later removes the rest; one more finds nothing.
      assert.strictEqual(await h.platform.retention.sweep(now + 3 * DAY + 60_000), 2);
      assert.strictEqual(await h.platform.retention.sweep(now + 3 * DAY + 60_000), 0);
      assert.deepStrictEqual(await read(), []);
    });
  });
}
