// Access tokens: verified ones are remembered, but never past their expiry, and a token that fails
// verification is never remembered as good.
import assert from 'node:assert/strict';
import { afterEach, it, mock } from 'node:test';
import { FluxgateError } from '../../src/contract/errors.ts';
import { TokenService } from '../../src/services/tokens.ts';

const claims = { userId: 'u1', role: 'user' as const, username: 'ada' };
const code = async (p: Promise<unknown>) => p.then(() => 'ok', (err: unknown) => (err instanceof FluxgateError ? err.code : String(err)));

afterEach(() => mock.timers.reset());

it('a remembered token is refused once it expires', async () => {
  mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) });
  const tokens = new TokenService('a-secret-of-enough-length-for-hs256-0123456789', 60);
  const token = await tokens.issue(claims);
  assert.equal((await tokens.verify(token)).userId, 'u1');
  mock.timers.tick(59_000);
  assert.equal((await tokens.verify(token)).username, 'ada', 'still valid, from memory');
  mock.timers.tick(1_000);
  assert.equal(await code(tokens.verify(token)), 'TOKEN_EXPIRED');
  assert.equal(await code(tokens.verify(token)), 'TOKEN_EXPIRED', 'and stays refused');
});

it('a token signed with another secret, or altered, is refused every time', async () => {
  const ours = new TokenService('a-secret-of-enough-length-for-hs256-0123456789', 60);
  const theirs = new TokenService('another-secret-of-enough-length-for-hs256-987', 60);
  const forged = await theirs.issue({ ...claims, role: 'user' });
  for (let i = 0; i < 2; i++) assert.equal(await code(ours.verify(forged)), 'INVALID_TOKEN');
  const good = await ours.issue(claims);
  await ours.verify(good);
  const [head, body, sig] = good.split('.');
  const altered = `${head}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), role: 'admin' })).toString('base64url')}.${sig}`;
  for (let i = 0; i < 2; i++) assert.equal(await code(ours.verify(altered)), 'INVALID_TOKEN');
  const copy = await ours.verify(good);
  copy.role = 'admin';
  assert.equal((await ours.verify(good)).role, 'user', 'a caller changing its claims changes nothing remembered');
});
