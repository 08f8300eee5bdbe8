import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOG_LIMITS, levelOfSeverity, LOG_LEVELS, LOG_SEVERITY, normalizeLogLines, parseLevel } from '../../src/domain/device-log.ts';
import { InvalidInputError } from '../../src/domain/errors.ts';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('normalizeLogLines', () => {
  it('turns one line, an array, and a bare string into entries', () => {
    assert.deepStrictEqual(normalizeLogLines({ level: 'error', message: 'm', timestamp: '2026-11-20T11:00:00Z', source: 's' }, 'd', NOW), [
      { deviceId: 'd', ts: NOW - 3_600_000, level: 'error', message: 'm', source: 's' },
    ]);
    assert.deepStrictEqual(normalizeLogLines([{ message: 'a' }, { message: 'b', level: 'fatal', ts: NOW - 1 }], 'd', NOW), [
      { deviceId: 'd', ts: NOW, level: 'info', message: 'a', source: null },
      { deviceId: 'd', ts: NOW - 1, level: 'critical', message: 'b', source: null },
    ]);
    assert.deepStrictEqual(normalizeLogLines('just text', 'd', NOW), [{ deviceId: 'd', ts: NOW, level: 'info', message: 'just text', source: null }]);
  });

  it('throws InvalidInputError naming the member', () => {
    const fails = (raw: unknown, field: string) =>
      assert.throws(() => normalizeLogLines(raw, 'd', NOW), (err: unknown) => err instanceof InvalidInputError && err.field === field);
    fails({ message: 'x', level: 3 }, 'body.level');
    fails([{ message: 'x' }, { message: 'y', timestamp: 'soon' }], '[1].timestamp');
    fails({ message: 'x', timestamp: NOW + 2 * DEFAULT_LOG_LIMITS.maxFutureMs }, 'body.timestamp');
    fails(null, 'body');
    fails('', 'body');
  });
});

describe('log levels', () => {
  it('maps names and aliases, and severities both ways', () => {
    assert.deepStrictEqual(LOG_LEVELS.map((l) => LOG_SEVERITY[l]), [10, 20, 30, 40, 50]);
    assert.deepStrictEqual(LOG_LEVELS.map((l) => levelOfSeverity(LOG_SEVERITY[l])), [...LOG_LEVELS]);
    assert.deepStrictEqual(['WARN', 'err', 'crit', 'Debug', undefined].map((l) => parseLevel(l, 'level')), ['warning', 'error', 'critical', 'debug', 'info']);
  });
});
