// Sessions over real HTTP: access JWTs, rotating refresh tokens with reuse detection, logout,
// log out everywhere, admin revoke, and every kind of bad access token refused with its code.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { it } from 'node:test';
import { SignJWT, importPKCS8 } from 'jose';
import { onBothBackends } from './backends.ts';

const SECRET = 'test-secret-of-at-least-thirty-two-characters';
const key = new TextEncoder().encode(SECRET);
const { publicKey: publicPem, privateKey: privatePem } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function forge(claims: Record<string, unknown>, options: { secret?: Uint8Array; aud?: string; iss?: string; exp?: number; nbf?: number } = {}): Promise<string> {
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(options.iss ?? 'fluxgate')
    .setAudience(options.aud ?? 'fluxgate-api')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600);
  if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf);
  return jwt.sign(options.secret ?? key);
}

onBothBackends(
  'sessions',
  (p) => {
    it('login returns an access token and a refresh token; the access token works', async () => {
      const u = await p().user();
      const me = await p().request('GET', '/api/v1/auth/me', { token: u.token });
      assert.strictEqual(me.status, 200);
      assert.strictEqual(me.body.username, u.username);
      assert.match(u.refresh, /^rt_[A-Za-z0-9_-]{43}$/);
    });

    it('stores refresh tokens hashed, never in the clear', async () => {
      const u = await p().user();
      const storage = p().platform.storage;
      assert.strictEqual(await storage.findRefreshToken(u.refresh), undefined);
      const hashed = await storage.findRefreshToken(createHash('sha256').update(u.refresh).digest('base64url'));
      assert.strictEqual(hashed?.userId, u.userId);
    });

    it('refresh rotates; reusing a spent token revokes the whole family', async () => {
      const u = await p().user();
      const first = await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: u.refresh } });
      assert.strictEqual(first.status, 200);
      assert.notStrictEqual(first.body.refresh_token, u.refresh);
      assert.strictEqual(first.body.user.id, u.userId);
      assert.strictEqual((await p().request('GET', '/api/v1/auth/me', { token: first.body.access_token })).status, 200);

      const replay = await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: u.refresh } });
      assert.strictEqual(replay.status, 401);
      assert.strictEqual(replay.body.error.code, 'REFRESH_TOKEN_REUSED');
      // The successor, though never used, died with its family.
      const successor = await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
      assert.strictEqual(successor.status, 401);
      assert.deepStrictEqual(successor.body.error.code, 'INVALID_REFRESH_TOKEN');
      assert.deepStrictEqual(successor.body.error.details, { reason: 'revoked' });
      // Another session of the same user is untouched.
      const other = await p().login(u.username, u.password);
      assert.strictEqual((await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: other.refresh } })).status, 200);
    });

    it('an unknown or expired refresh token is refused', async () => {
      const unknown = await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'rt_nope' } });
      assert.deepStrictEqual([unknown.status, unknown.body.error.code, unknown.body.error.details], [401, 'INVALID_REFRESH_TOKEN', { reason: 'unknown' }]);
      const u = await p().user();
      const token = 'rt_expired-token-for-test-' + u.userId;
      const hash = createHash('sha256').update(token).digest('base64url');
      await p().platform.storage.createRefreshToken({ id: `x-${u.userId}`, familyId: `f-${u.userId}`, userId: u.userId, tokenHash: hash, createdAt: 1, expiresAt: 2 });
      const expired = await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });
      assert.deepStrictEqual([expired.status, expired.body.error.code, expired.body.error.details], [401, 'INVALID_REFRESH_TOKEN', { reason: 'expired' }]);
    });

    it('logout ends the session of its refresh token and is idempotent', async () => {
      const u = await p().user();
      assert.strictEqual((await p().request('POST', '/api/v1/auth/logout', { body: { refresh_token: u.refresh } })).status, 204);
      assert.strictEqual((await p().request('POST', '/api/v1/auth/logout', { body: { refresh_token: u.refresh } })).status, 204);
      const res = await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: u.refresh } });
      assert.deepStrictEqual([res.status, res.body.error.code], [401, 'INVALID_REFRESH_TOKEN']);
    });

    it('log out everywhere revokes every refresh token and the access tokens issued so far', async () => {
      const u = await p().user();
      const second = await p().login(u.username, u.password);
      const res = await p().request('POST', '/api/v1/auth/logout-all', { token: u.token });
      assert.deepStrictEqual([res.status, res.body], [200, { revoked_refresh_tokens: 2 }]);
      for (const token of [u.token, second.token]) {
        const me = await p().request('GET', '/api/v1/auth/me', { token });
        assert.deepStrictEqual([me.status, me.body.error.code], [401, 'TOKEN_REVOKED']);
      }
      for (const refresh of [u.refresh, second.refresh]) {
        const r = await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: refresh } });
        assert.deepStrictEqual([r.status, r.body.error.code], [401, 'INVALID_REFRESH_TOKEN']);
      }
      const again = await p().login(u.username, u.password);
      assert.strictEqual((await p().request('GET', '/api/v1/auth/me', { token: again.token })).status, 200);
    });

    it('an admin revokes a user’s sessions; a user may not', async () => {
      const admin = await p().admin();
      const u = await p().user();
      const v = await p().user();
      const refused = await p().request('POST', `/api/v1/users/${u.userId}/sessions/revoke`, { token: v.token });
      assert.deepStrictEqual([refused.status, refused.body.error.code], [403, 'FORBIDDEN']);
      const res = await p().request('POST', `/api/v1/users/${u.userId}/sessions/revoke`, { token: admin.token });
      assert.deepStrictEqual([res.status, res.body], [200, { revoked_refresh_tokens: 1 }]);
      const me = await p().request('GET', '/api/v1/auth/me', { token: u.token });
      assert.deepStrictEqual([me.status, me.body.error.code], [401, 'TOKEN_REVOKED']);
      assert.strictEqual((await p().request('GET', '/api/v1/auth/me', { token: v.token })).status, 200);
    });

    it('refuses forged, expired, not-yet-valid and foreign tokens with a clear code', async () => {
      const u = await p().user();
      const claims = { sub: u.userId, role: 'admin', name: u.username };
      const now = Math.floor(Date.now() / 1000);
      const cases: Array<[string, string, string, string]> = [
        ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iss: 'fluxgate', aud: 'fluxgate-api', exp: now + 600 })}.`, 'INVALID_TOKEN', 'algorithm'],
        ['wrong signature', await forge(claims, { secret: new TextEncoder().encode('another-secret-another-secret-another') }), 'INVALID_TOKEN', 'signature'],
        ['wrong audience', await forge(claims, { aud: 'someone-else' }), 'INVALID_TOKEN', 'audience'],
        ['wrong issuer', await forge(claims, { iss: 'evil' }), 'INVALID_TOKEN', 'issuer'],
        ['expired', await forge(claims, { exp: now - 60 }), 'TOKEN_EXPIRED', 'expired'],
        ['future nbf', await forge(claims, { nbf: now + 3600 }), 'INVALID_TOKEN', 'not_yet_valid'],
        ['garbage', 'not.a.jwt', 'INVALID_TOKEN', 'malformed'],
        // Algorithm confusion: HS256 keyed with a public key (what a verifier that also took RS256 keys would accept), and RS256 itself.
        ['HS256 signed with a public key', await forge(claims, { secret: new TextEncoder().encode(publicPem) }), 'INVALID_TOKEN', 'signature'],
        ['RS256', await new SignJWT({ ...claims, iss: 'fluxgate', aud: 'fluxgate-api' }).setProtectedHeader({ alg: 'RS256' }).setIssuedAt().setExpirationTime(now + 600).sign(await importPKCS8(privatePem, 'RS256')), 'INVALID_TOKEN', 'algorithm'],
      ];
      for (const [label, token, code, reason] of cases) {
        const res = await p().request('GET', '/api/v1/users', { token });
        assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.details?.reason], [401, code, reason], label);
      }
      // The same claims signed properly are accepted, so the refusals above are about the token.
      const good = await p().request('GET', '/api/v1/auth/me', { token: await forge({ sub: u.userId, role: 'user', name: u.username }) });
      assert.strictEqual(good.status, 200);
    });

    it('refuses the token of a deleted user', async () => {
      const admin = await p().admin();
      const u = await p().user();
      assert.strictEqual((await p().request('DELETE', `/api/v1/users/${u.userId}`, { token: admin.token })).status, 200);
      const res = await p().request('GET', '/api/v1/auth/me', { token: u.token });
      assert.deepStrictEqual([res.status, res.body.error.code, res.body.error.details], [401, 'INVALID_TOKEN', { reason: 'user' }]);
      const r = await p().request('POST', '/api/v1/auth/refresh', { body: { refresh_token: u.refresh } });
      assert.deepStrictEqual([r.status, r.body.error.code], [401, 'INVALID_REFRESH_TOKEN']);
    });
  },
  { JWT_SECRET: SECRET },
);
