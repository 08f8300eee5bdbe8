import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/domain/errors.ts';
import { DAY, HOUR, MINUTE, bucketEdges, checkTimeZone, localDayRange, parseQueryTime, parseWindow } from '../../src/domain/time.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const utc = (iso: string) => Date.parse(iso);

function refused(fn: () => unknown, kind: string, field: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidInputError, `expected InvalidInputError, got ${String(err)}`);
    assert.strictEqual(err.kind, kind);
    assert.strictEqual(err.field, field);
    assert.match(err.message, message);
    return true;
  });
}

describe('parseQueryTime', () => {
  it('takes now and relative offsets', () => {
    assert.strictEqual(parseQueryTime('now', NOW, 'start_time'), NOW);
    assert.strictEqual(parseQueryTime(' now ', NOW, 'start_time'), NOW);
    assert.strictEqual(parseQueryTime('-24h', NOW, 'start_time'), NOW - 24 * HOUR);
    assert.strictEqual(parseQueryTime('-30m', NOW, 'start_time'), NOW - 30 * MINUTE);
    assert.strictEqual(parseQueryTime('-45s', NOW, 'start_time'), NOW - 45_000);
    assert.strictEqual(parseQueryTime('-7d', NOW, 'start_time'), NOW - 7 * DAY);
    assert.strictEqual(parseQueryTime('-2w', NOW, 'start_time'), NOW - 14 * DAY);
    assert.strictEqual(parseQueryTime('-0h', NOW, 'start_time'), NOW);
  });

  it('takes ISO 8601, a time without offset as UTC', () => {
    assert.strictEqual(parseQueryTime('2026-01-15T10:00:00Z', NOW, 'start_time'), utc('2026-01-15T10:00:00Z'));
    assert.strictEqual(parseQueryTime('2026-01-15T10:00:00.5+02:00', NOW, 'start_time'), utc('2026-01-15T08:00:00.500Z'));
    assert.strictEqual(parseQueryTime('2026-01-15', NOW, 'start_time'), utc('2026-01-15T00:00:00Z'));
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'Europe/Berlin';
      assert.strictEqual(parseQueryTime('2026-07-01T10:00', NOW, 'start_time'), utc('2026-07-01T10:00:00Z'));
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('takes epoch milliseconds', () => {
    assert.strictEqual(parseQueryTime('1768471200000', NOW, 'end_time'), 1_768_471_200_000);
    assert.strictEqual(parseQueryTime('0', NOW, 'end_time'), 0);
  });

  it('refuses anything else, naming the parameter', () => {
    for (const bad of ['', 'yesterday', '24h', '-24y', '+1h', '-h', '1.5', '2026-02-30', '2026-01-15T24:00:00Z', '2026-13-01', 'nowish']) {
      refused(() => parseQueryTime(bad, NOW, 'start_time'), 'time', 'start_time', /^start_time: ".*" is not now, -<n><s\|m\|h\|d\|w>, ISO 8601 or epoch ms$/);
    }
  });
});

describe('parseWindow', () => {
  it('parses fixed windows up to 12h', () => {
    assert.deepStrictEqual(parseWindow('1m'), { kind: 'fixed', ms: MINUTE, label: '1m' });
    assert.deepStrictEqual(parseWindow('15m'), { kind: 'fixed', ms: 15 * MINUTE, label: '15m' });
    assert.deepStrictEqual(parseWindow('90m'), { kind: 'fixed', ms: 90 * MINUTE, label: '90m' });
    assert.deepStrictEqual(parseWindow('1h'), { kind: 'fixed', ms: HOUR, label: '1h' });
    assert.deepStrictEqual(parseWindow('12h'), { kind: 'fixed', ms: 12 * HOUR, label: '12h' });
    assert.deepStrictEqual(parseWindow('720m'), { kind: 'fixed', ms: 12 * HOUR, label: '720m' });
  });

  it('parses calendar days, a week and a month', () => {
    assert.deepStrictEqual(parseWindow('1d'), { kind: 'calendar', unit: 'day', count: 1, label: '1d' });
    assert.deepStrictEqual(parseWindow('7d'), { kind: 'calendar', unit: 'day', count: 7, label: '7d' });
    assert.deepStrictEqual(parseWindow('31d'), { kind: 'calendar', unit: 'day', count: 31, label: '31d' });
    assert.deepStrictEqual(parseWindow('1w'), { kind: 'calendar', unit: 'week', count: 1, label: '1w' });
    assert.deepStrictEqual(parseWindow('1mo'), { kind: 'calendar', unit: 'month', count: 1, label: '1mo' });
  });

  it('refuses what it cannot do', () => {
    refused(() => parseWindow('13h'), 'validation', 'window', /fixed windows go up to 12h/);
    refused(() => parseWindow('721m'), 'validation', 'window', /fixed windows go up to 12h/);
    refused(() => parseWindow('32d'), 'validation', 'window', /at most 31d/);
    refused(() => parseWindow('2w'), 'validation', 'window', /only 1w is supported/);
    refused(() => parseWindow('3mo'), 'validation', 'window', /only 1mo is supported/);
    for (const bad of ['0m', '0d', '1y', '1s', 'h', '', '1.5h', '-1h', '1000m']) {
      refused(() => parseWindow(bad), 'validation', 'window', /is not like 1m, 15m, 1h, 1d, 1w or 1mo/);
    }
  });
});

describe('checkTimeZone', () => {
  it('accepts IANA zones and refuses others', () => {
    assert.strictEqual(checkTimeZone('Europe/Berlin'), 'Europe/Berlin');
    assert.strictEqual(checkTimeZone('UTC'), 'UTC');
    refused(() => checkTimeZone('Mars/Olympus'), 'time', 'tz', /"Mars\/Olympus" is not an IANA time zone/);
  });
});

describe('bucketEdges: fixed windows', () => {
  it('aligns to the UTC epoch and ends with the end of the last bucket', () => {
    const t0 = utc('2026-01-15T10:00:00Z');
    assert.deepStrictEqual(bucketEdges(t0 + 90_000, t0 + 5 * MINUTE, parseWindow('1m'), 'UTC'), [
      t0 + MINUTE,
      t0 + 2 * MINUTE,
      t0 + 3 * MINUTE,
      t0 + 4 * MINUTE,
      t0 + 5 * MINUTE,
    ]);
    assert.deepStrictEqual(bucketEdges(t0 + 1, t0 + 5 * MINUTE + 1, parseWindow('5m'), 'UTC'), [t0, t0 + 5 * MINUTE, t0 + 10 * MINUTE]);
    assert.deepStrictEqual(bucketEdges(t0, t0 + 2 * HOUR, parseWindow('1h'), 'Europe/Berlin'), [t0, t0 + HOUR, t0 + 2 * HOUR]);
  });

  it('ignores the time zone: fixed buckets stay on UTC boundaries, half-hour zones included', () => {
    const t0 = utc('2026-01-15T10:00:00Z');
    const w = parseWindow('1h');
    assert.deepStrictEqual(bucketEdges(t0, t0 + 2 * HOUR, w, 'Asia/Kolkata'), bucketEdges(t0, t0 + 2 * HOUR, w, 'UTC'));
  });

  it('keeps 15-minute buckets 15 minutes long across a DST change', () => {
    const start = utc('2026-03-29T00:30:00Z');
    const edges = bucketEdges(start, utc('2026-03-29T01:30:00Z'), parseWindow('15m'), 'Europe/Berlin');
    assert.deepStrictEqual(
      edges,
      Array.from({ length: 5 }, (_, i) => start + i * 15 * MINUTE),
    );
  });

  it('gives one bucket for an empty range and refuses too many buckets', () => {
    const t0 = utc('2026-01-15T10:00:00Z');
    assert.deepStrictEqual(bucketEdges(t0 + 5, t0 + 5, parseWindow('1m'), 'UTC'), [t0, t0 + MINUTE]);
    assert.strictEqual(bucketEdges(t0, t0 + 100 * MINUTE, parseWindow('1m'), 'UTC', 100).length, 101);
    refused(() => bucketEdges(t0, t0 + 100 * MINUTE + 1, parseWindow('1m'), 'UTC', 100), 'validation', 'window', /more than 100 buckets/);
  });
});

describe('bucketEdges: calendar windows', () => {
  const day = parseWindow('1d');

  it('starts days at local midnight in Europe/Berlin, winter and summer', () => {
    assert.deepStrictEqual(bucketEdges(utc('2026-01-15T12:00:00Z'), utc('2026-01-17T12:00:00Z'), day, 'Europe/Berlin'), [
      utc('2026-01-14T23:00:00Z'),
      utc('2026-01-15T23:00:00Z'),
      utc('2026-01-16T23:00:00Z'),
      utc('2026-01-17T23:00:00Z'),
    ]);
    assert.deepStrictEqual(bucketEdges(utc('2026-07-01T00:00:00Z'), utc('2026-07-01T22:00:00Z'), day, 'Europe/Berlin'), [
      utc('2026-06-30T22:00:00Z'),
      utc('2026-07-01T22:00:00Z'),
    ]);
  });

  it('makes 2026-03-29 a 23-hour day in Europe/Berlin', () => {
    const edges = bucketEdges(utc('2026-03-28T23:00:00Z'), utc('2026-03-30T22:00:00Z'), day, 'Europe/Berlin');
    assert.deepStrictEqual(edges, [utc('2026-03-28T23:00:00Z'), utc('2026-03-29T22:00:00Z'), utc('2026-03-30T22:00:00Z')]);
    assert.strictEqual(edges[1]! - edges[0]!, 23 * HOUR);
    assert.strictEqual(edges[2]! - edges[1]!, 24 * HOUR);
  });

  it('makes 2026-10-25 a 25-hour day in Europe/Berlin', () => {
    const edges = bucketEdges(utc('2026-10-24T22:00:00Z'), utc('2026-10-26T00:00:00Z'), day, 'Europe/Berlin');
    assert.deepStrictEqual(edges, [utc('2026-10-24T22:00:00Z'), utc('2026-10-25T23:00:00Z'), utc('2026-10-26T23:00:00Z')]);
    assert.strictEqual(edges[1]! - edges[0]!, 25 * HOUR);
  });

  it('includes the whole local day a range ends in', () => {
    // 2026-03-31T00:00Z is already 02:00 on the 31st in Berlin, so that day is a bucket too.
    assert.deepStrictEqual(bucketEdges(utc('2026-03-29T10:00:00Z'), utc('2026-03-31T00:00:00Z'), day, 'Europe/Berlin'), [
      utc('2026-03-28T23:00:00Z'),
      utc('2026-03-29T22:00:00Z'),
      utc('2026-03-30T22:00:00Z'),
      utc('2026-03-31T22:00:00Z'),
    ]);
  });

  it('steps several days at a time from the local midnight of the start', () => {
    assert.deepStrictEqual(bucketEdges(utc('2026-03-27T10:00:00Z'), utc('2026-03-30T22:00:00Z'), parseWindow('2d'), 'Europe/Berlin'), [
      utc('2026-03-26T23:00:00Z'),
      utc('2026-03-28T23:00:00Z'),
      utc('2026-03-30T22:00:00Z'),
    ]);
  });

  it('starts weeks on Monday, local midnight, a DST week one hour short', () => {
    const edges = bucketEdges(utc('2026-03-29T10:00:00Z'), utc('2026-04-01T00:00:00Z'), parseWindow('1w'), 'Europe/Berlin');
    assert.deepStrictEqual(edges, [utc('2026-03-22T23:00:00Z'), utc('2026-03-29T22:00:00Z'), utc('2026-04-05T22:00:00Z')]);
    assert.strictEqual(edges[1]! - edges[0]!, 7 * DAY - HOUR);
  });

  it('starts months on the first, local midnight', () => {
    assert.deepStrictEqual(bucketEdges(utc('2026-10-15T00:00:00Z'), utc('2026-11-30T23:00:00Z'), parseWindow('1mo'), 'Europe/Berlin'), [
      utc('2026-09-30T22:00:00Z'),
      utc('2026-10-31T23:00:00Z'),
      utc('2026-11-30T23:00:00Z'),
    ]);
    assert.deepStrictEqual(bucketEdges(utc('2026-02-10T00:00:00Z'), utc('2026-03-01T00:00:00Z'), parseWindow('1mo'), 'UTC'), [
      utc('2026-02-01T00:00:00Z'),
      utc('2026-03-01T00:00:00Z'),
    ]);
  });

  it('follows America/New_York across 2026-03-08 and 2026-11-01', () => {
    assert.deepStrictEqual(bucketEdges(utc('2026-03-07T12:00:00Z'), utc('2026-03-09T12:00:00Z'), day, 'America/New_York'), [
      utc('2026-03-07T05:00:00Z'),
      utc('2026-03-08T05:00:00Z'),
      utc('2026-03-09T04:00:00Z'),
      utc('2026-03-10T04:00:00Z'),
    ]);
    const fall = bucketEdges(utc('2026-11-01T12:00:00Z'), utc('2026-11-01T13:00:00Z'), day, 'America/New_York');
    assert.deepStrictEqual(fall, [utc('2026-11-01T04:00:00Z'), utc('2026-11-02T05:00:00Z')]);
    assert.strictEqual(fall[1]! - fall[0]!, 25 * HOUR);
  });

  it('starts days at 18:30 UTC in Asia/Kolkata', () => {
    assert.deepStrictEqual(bucketEdges(utc('2026-01-15T10:00:00Z'), utc('2026-01-16T18:00:00Z'), day, 'Asia/Kolkata'), [
      utc('2026-01-14T18:30:00Z'),
      utc('2026-01-15T18:30:00Z'),
      utc('2026-01-16T18:30:00Z'),
    ]);
  });

  it('refuses ranges that need too many buckets', () => {
    refused(
      () => bucketEdges(utc('2026-01-01T00:00:00Z'), utc('2026-01-11T00:00:00Z'), day, 'UTC', 5),
      'validation',
      'window',
      /window 1d over this range gives more than 5 buckets/,
    );
    assert.strictEqual(bucketEdges(utc('2026-01-01T00:00:00Z'), utc('2026-01-06T00:00:00Z'), day, 'UTC', 5).length, 6);
  });
});

describe('localDayRange', () => {
  it('gives local midnight to midnight, 23 and 25 hours on DST days', () => {
    assert.deepStrictEqual(localDayRange('2026-01-15', 'Europe/Berlin'), { start: utc('2026-01-14T23:00:00Z'), end: utc('2026-01-15T23:00:00Z') });
    assert.deepStrictEqual(localDayRange('2026-03-29', 'Europe/Berlin'), { start: utc('2026-03-28T23:00:00Z'), end: utc('2026-03-29T22:00:00Z') });
    assert.deepStrictEqual(localDayRange('2026-10-25', 'Europe/Berlin'), { start: utc('2026-10-24T22:00:00Z'), end: utc('2026-10-25T23:00:00Z') });
    assert.deepStrictEqual(localDayRange('2026-01-15', 'Asia/Kolkata'), { start: utc('2026-01-14T18:30:00Z'), end: utc('2026-01-15T18:30:00Z') });
    assert.deepStrictEqual(localDayRange('2026-03-08', 'America/New_York'), { start: utc('2026-03-08T05:00:00Z'), end: utc('2026-03-09T04:00:00Z') });
    assert.deepStrictEqual(localDayRange('2024-02-29', 'UTC'), { start: utc('2024-02-29T00:00:00Z'), end: utc('2024-03-01T00:00:00Z') });
  });

  it('refuses what is not a YYYY-MM-DD date, naming the parameter', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-1-5', '15.01.2026', '2026-01-15T00:00', '']) {
      refused(() => localDayRange(bad, 'Europe/Berlin', 'day'), 'time', 'day', /^day: ".*" is not a YYYY-MM-DD date$/);
    }
  });
});
