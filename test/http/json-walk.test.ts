// Parsed JSON bodies are checked in one walk: nesting deeper than the limit, then non-finite numbers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_DEPTH } from '../../src/transport/http/json-depth.ts';
import { NON_FINITE, TOO_DEEP, walkParsed } from '../../src/transport/http/json-values.ts';

const nested = (levels: number, inner: string, open = '{"a":', close = '}') => JSON.parse(open.repeat(levels) + inner + close.repeat(levels)) as unknown;

test('walkParsed allows MAX_JSON_DEPTH levels of objects and arrays and refuses one more', () => {
  for (const [open, close] of [['{"a":', '}'], ['[', ']'], ['{"a":[', ']}']] as const) {
    const perLevel = open.length > 5 ? 2 : 1;
    const levels = MAX_JSON_DEPTH / perLevel;
    assert.equal(walkParsed(nested(levels, '1', open, close), MAX_JSON_DEPTH), 0, `${open} × ${levels}`);
    assert.equal(walkParsed(nested(levels + 1, '1', open, close), MAX_JSON_DEPTH), TOO_DEEP, `${open} × ${levels + 1}`);
  }
  assert.equal(walkParsed(nested(100_000, '1', '[', ']'), MAX_JSON_DEPTH), TOO_DEEP, 'a very deep body stops the walk early');
  assert.equal(walkParsed(1, MAX_JSON_DEPTH), 0);
  assert.equal(walkParsed('x', MAX_JSON_DEPTH), 0);
  assert.equal(walkParsed(null, MAX_JSON_DEPTH), 0);
});

test('walkParsed finds non-finite numbers anywhere, and depth wins over them', () => {
  assert.equal(walkParsed(JSON.parse('[1, {"x": [2, 1e309]}]'), MAX_JSON_DEPTH), NON_FINITE);
  assert.equal(walkParsed(JSON.parse('{"a": -1e400, "b": "1e309"}'), MAX_JSON_DEPTH), NON_FINITE);
  assert.equal(walkParsed(JSON.parse('{"a": 1e308, "b": [-1.5e-320]}'), MAX_JSON_DEPTH), 0);
  assert.equal(walkParsed(JSON.parse(`[1e309, ${'['.repeat(70)}1${']'.repeat(70)}]`), MAX_JSON_DEPTH), TOO_DEEP);
});
