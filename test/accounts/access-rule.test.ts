// The one access rule (canAccess) as a table: role or grant × level.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShareLevel } from '../../src/domain/accounts.ts';
import type { Device } from '../../src/domain/device.ts';
import { type AccessLevel, canAccess } from '../../src/services/access.ts';

const device = { id: 'd', ownerId: 'owner' } as Device;
const levels: AccessLevel[] = ['read', 'control', 'owner'];

describe('canAccess', () => {
  const cases: Array<[string, { userId: string; role: 'admin' | 'user' }, ShareLevel | undefined, boolean[]]> = [
    ['owner', { userId: 'owner', role: 'user' }, undefined, [true, true, true]],
    ['admin', { userId: 'someone', role: 'admin' }, undefined, [true, true, true]],
    ['control grant', { userId: 'u', role: 'user' }, 'control', [true, true, false]],
    ['read grant', { userId: 'u', role: 'user' }, 'read', [true, false, false]],
    ['stranger', { userId: 'u', role: 'user' }, undefined, [false, false, false]],
  ];
  for (const [who, principal, grant, expected] of cases) {
    it(`${who}: read/control/owner = ${expected.join('/')}`, () => {
      assert.deepStrictEqual(
        levels.map((level) => canAccess({ ...principal, username: 'x' }, device, level, grant)),
        expected,
      );
    });
  }
});
