// How `fluxgate import` types a CSV cell and reads a timestamp (pure functions).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseTime, typeCell } from '../../src/cli/import-values.ts';

describe('import cells and times', () => {
  test('cells: numbers, booleans, text; empty means no value', () => {
    assert.equal(typeCell('21.5'), 21.5);
    assert.equal(typeCell('-3e2'), -300);
    assert.equal(typeCell(' 7 '), 7);
    assert.equal(typeCell('TRUE'), true);
    assert.equal(typeCell('false'), false);
    assert.equal(typeCell('on'), 'on');
    assert.equal(typeCell('0x10'), '0x10');
    assert.equal(typeCell('  '), undefined);
  });

  test('times: ISO, psql, naive in a zone, epoch in a unit', () => {
    const at = Date.UTC(2024, 4, 1, 12, 0, 0);
    assert.equal(parseTime('2024-05-01T12:00:00Z', 'ms', 'UTC'), at);
    assert.equal(parseTime('2024-05-01 12:00:00+00', 'ms', 'UTC'), at);
    assert.equal(parseTime('2024-05-01 14:00:00', 'ms', 'Europe/Berlin'), at);
    assert.equal(parseTime('2024-05-01T12:00:00.123456', 'ms', 'UTC'), at + 123);
    assert.equal(parseTime(String(at / 1000), 's', 'UTC'), at);
    assert.equal(parseTime(at, 'ms', 'UTC'), at);
    assert.equal(parseTime(`${at}000000`, 'ns', 'UTC'), at);
  });

  test('bad times say why', () => {
    assert.match(String(parseTime(String(Date.UTC(2024, 4, 1) / 1000), 'ms', 'UTC')), /looks like epoch seconds; add --time-unit s/);
    assert.match(String(parseTime('', 'ms', 'UTC')), /timestamp is missing/);
    assert.match(String(parseTime('soon', 'ms', 'UTC')), /"soon" is not ISO 8601, SQL or epoch time/);
  });
});
