// The official InfluxDB 2 client library (@influxdata/influxdb-client) writing to Fluxgate, on both
// storages: points of every type, a batch large enough that the client gzips it, a device key and a
// user token as the client's token; the points read back through Fluxgate's query API. A refused
// write reaches the client as its HttpError with InfluxDB's status and message.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { HttpError, InfluxDB, Point } from '@influxdata/influxdb-client';
import { type Json, forEachStorage } from '../helpers/platform.ts';

const T0 = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;
/** No retries and no timer: each test flushes itself and sees the first answer. */
const WRITE_OPTIONS = { maxRetries: 0, flushInterval: 0, batchSize: 5000 };

forEachStorage(
  'InfluxDB client library',
  (tp) => {
    let owner: string;
    let key: string;
    const history = async (device: string, extra = '') =>
      (await tp().api('GET', `/api/v1/telemetry/${device}?start_time=${T0 - 1}&end_time=${T0 + 3_600_000}&order=asc&limit=5000${extra}`, { token: owner })).body.points as Json[];

    before(async () => {
      owner = (await tp().newUser('influx-client')).token;
      key = (await tp().newDevice(owner, { id: 'client-1', name: 'Client 1' })).api_key;
      await tp().newDevice(owner, { id: 'client-2', name: 'Client 2' });
    });

    it('writes points of every type with a device key; Fluxgate returns them', async () => {
      const writeApi = new InfluxDB({ url: tp().baseUrl, token: key }).getWriteApi('my-org', 'my-bucket', 'ms', WRITE_OPTIONS);
      writeApi.writePoint(
        new Point('meter')
          .tag('site', 'north wing')
          .floatField('power', 1234.5)
          .intField('count', 42)
          .uintField('total', 7)
          .booleanField('on', true)
          .stringField('mode', 'say "eco", then\\stop')
          .timestamp(new Date(T0)),
      );
      await writeApi.close();
      const points = (await history('client-1')).map((p) => [p.ts, p.field, p.value, p.metadata]);
      const meta = { site: 'north wing' };
      assert.deepEqual(points, [
        [T0, 'count', 42, meta],
        [T0, 'mode', 'say "eco", then\\stop', meta],
        [T0, 'on', true, meta],
        [T0, 'power', 1234.5, meta],
        [T0, 'total', 7, meta],
      ]);
    });

    it('writes a gzipped batch of 3,000 points with a user token (measurement = device), in ns precision', async () => {
      const writeApi = new InfluxDB({ url: tp().baseUrl, token: owner }).getWriteApi('o', 'b', 'ns', WRITE_OPTIONS);
      for (let i = 0; i < 1000; i++) {
        writeApi.writePoint(new Point('client-2').floatField('power', i + 0.5).floatField('voltage', 230).floatField('current', i / 100).timestamp(`${T0 + i * 1000}000123`));
      }
      await writeApi.close();
      const power = await history('client-2', '&fields=power');
      assert.equal(power.length, 1000);
      assert.deepEqual([power[0].ts, power[0].value, power[999].ts, power[999].value], [T0, 0.5, T0 + 999_000, 999.5]);
      assert.equal((await history('client-2')).length, 3000);
    });

    it('gets HttpError 400 with the line number for a bad line, 401 for a wrong token, 403 for another device', async () => {
      const bad = new InfluxDB({ url: tp().baseUrl, token: key }).getWriteApi('o', 'b', 'ms', WRITE_OPTIONS);
      bad.writeRecords([`meter ok=1 ${T0 + 60_000}`, `meter ok=2 ${T0 + 61_000}`, 'meter broken']);
      await assert.rejects(bad.close(), (err: unknown) => {
        assert.ok(err instanceof HttpError);
        assert.equal(err.statusCode, 400);
        assert.equal(err.code, 'invalid');
        assert.match(err.body ?? '', /line 3: field broken has no value/);
        return true;
      });
      assert.equal((await history('client-1', `&fields=ok`)).length, 0);

      const wrong = new InfluxDB({ url: tp().baseUrl, token: 'fgk_wrong' }).getWriteApi('o', 'b', 'ms', WRITE_OPTIONS);
      wrong.writeRecord(`meter v=1 ${T0}`);
      await assert.rejects(wrong.close(), (err: unknown) => err instanceof HttpError && err.statusCode === 401 && err.code === 'unauthorized');

      const foreign = new InfluxDB({ url: tp().baseUrl, token: key }).getWriteApi('o', 'b', 'ms', WRITE_OPTIONS);
      foreign.writePoint(new Point('meter').tag('device', 'client-2').floatField('v', 1).timestamp(new Date(T0)));
      await assert.rejects(foreign.close(), (err: unknown) => err instanceof HttpError && err.statusCode === 403 && err.code === 'forbidden');
    });
  },
  { LINE_PROTOCOL_ENABLED: 'true' },
);
