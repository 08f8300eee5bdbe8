import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERRORS, FluxgateError } from '../../src/contract/errors.ts';

describe('error catalogue', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  for (const [code, entry] of Object.entries(ERRORS)) {
    it(`documents ${code} with status ${entry.status} in docs/errors.md`, () => {
      assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${entry.status} \\|`));
    });
  }

  it('builds the wire body with code, message and details', () => {
    const err = new FluxgateError('DEVICE_NOT_FOUND', 'Device x not found', { id: 'x' });
    assert.equal(err.status, 404);
    assert.deepEqual(err.toBody(), { error: { code: 'DEVICE_NOT_FOUND', message: 'Device x not found', details: { id: 'x' } } });
    assert.deepEqual(new FluxgateError('RATE_LIMITED').toBody(), { error: { code: 'RATE_LIMITED', message: 'Too many requests' } });
  });
});
