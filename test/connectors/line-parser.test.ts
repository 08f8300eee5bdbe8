// The line protocol parser alone: every value type, escapes, comments, blank lines, CRLF, strings
// over several lines, and the 1-based line number of the first bad line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSyntaxError, parseLineProtocol } from '../../src/connectors/line-protocol/line-parser.ts';
import { timestampToMs } from '../../src/connectors/line-protocol/precision.ts';

function syntaxError(text: string): { line: number; reason: string } {
  try {
    parseLineProtocol(text);
  } catch (err) {
    assert.ok(err instanceof LineSyntaxError, String(err));
    return { line: err.line, reason: err.reason };
  }
  assert.fail(`parsed: ${JSON.stringify(text)}`);
}

describe('line protocol parser', () => {
  it('reads measurement, tags, every field type and the timestamp', () => {
    const [p] = parseLineProtocol('meter,device=m-1,site=north power=12.5,count=3i,big=18u,on=t,off=FALSE,neg=-1.5e3,mode="eco" 1700000000000000000');
    assert.deepEqual(p, {
      line: 1,
      measurement: 'meter',
      tags: [['device', 'm-1'], ['site', 'north']],
      fields: [['power', 12.5], ['count', 3], ['big', 18], ['on', true], ['off', false], ['neg', -1500], ['mode', 'eco']],
      timestamp: '1700000000000000000',
    });
  });

  it('unescapes names, tags, field keys and strings; a string may hold newlines and commas', () => {
    const [p] = parseLineProtocol('my\\ meter,ro\\,om=a\\ b\\=c fi\\=eld="say \\"hi\\", a\\\\b\nnext line",x=1');
    assert.equal(p!.measurement, 'my meter');
    assert.deepEqual(p!.tags, [['ro,om', 'a b=c']]);
    assert.deepEqual(p!.fields, [['fi=eld', 'say "hi", a\\b\nnext line'], ['x', 1]]);
    assert.equal(p!.timestamp, undefined);
  });

  it('skips comments and blank lines, takes CRLF, and numbers lines as written', () => {
    const lines = parseLineProtocol('# header\r\n\r\n  a v=1 1\r\n\n# note\nb v=2 2\n   \n');
    assert.deepEqual(lines.map((l) => [l.line, l.measurement, l.timestamp]), [[3, 'a', '1'], [6, 'b', '2']]);
  });

  it('counts the lines of a string that spans lines', () => {
    assert.deepEqual(parseLineProtocol('a s="x\ny\nz"\nb v=1').map((l) => l.line), [1, 4]);
    assert.deepEqual(syntaxError('a s="x\ny\nz"\nb v=1\nc'), { line: 5, reason: 'missing fields' });
  });

  it('names the first bad line and why', () => {
    assert.deepEqual(syntaxError('a v=1\nb v=2\nbad'), { line: 3, reason: 'missing fields' });
    assert.deepEqual(syntaxError('a v=1\na s="x\ny"\nc v=abc'), { line: 4, reason: 'field v: invalid value "abc" (strings must be in double quotes)' });
    assert.equal(syntaxError('a v=1 12x').reason, 'bad timestamp "12x" (an integer in the request\'s precision)');
    assert.equal(syntaxError('a v=1 1 2').reason, 'unexpected text after the timestamp');
    assert.equal(syntaxError('a,t v=1').reason, 'tag t has no value (tag=value)');
    assert.equal(syntaxError('a v').reason, 'field v has no value (field=value)');
    assert.equal(syntaxError('a v=').reason, 'field v has no value');
    assert.equal(syntaxError('a s="open').reason, 'field s: unterminated string');
    assert.equal(syntaxError('a s="x"y').reason, 'field s: unexpected text after the closing quote');
    assert.equal(syntaxError('a v=1.5i').reason, 'field v: "1.5i" is not a valid integer');
    assert.equal(syntaxError('a v=-1u').reason, 'field v: "-1u" is not a valid unsigned integer');
    assert.equal(syntaxError('a v=9007199254740992i').reason, 'field v: 9007199254740992 is beyond ±2^53-1, the integers Fluxgate stores exactly');
    assert.equal(syntaxError(',t=1 v=1').reason, 'missing measurement');
    assert.equal(syntaxError('a =1').reason, 'missing field key');
  });

  it('converts every precision to milliseconds, truncating finer ones', () => {
    const cases: Array<[string, Parameters<typeof timestampToMs>[1], number]> = [
      ['1700000000123456789', 'ns', 1700000000123],
      ['1700000000123456789', 'n', 1700000000123],
      ['1700000000123456', 'us', 1700000000123],
      ['1700000000123456', 'u', 1700000000123],
      ['1700000000123', 'ms', 1700000000123],
      ['1700000000', 's', 1700000000000],
      ['28333333', 'm', 1699999980000],
      ['472222', 'h', 1699999200000],
      ['999', 'ns', 0],
    ];
    for (const [digits, precision, ms] of cases) assert.equal(timestampToMs(digits, precision), ms, `${digits} ${precision}`);
    assert.equal(timestampToMs('-1', 'ms'), undefined);
  });
});
