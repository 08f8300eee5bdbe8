// Accounts over real HTTP: register, login, /auth/me with every kind of bad token, first admin.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SignJWT } from 'jose';
import { ADMIN_PASSWORD, STORAGES, forEachStorage, startPlatform } from '../helpers/platform.ts';
import { postgresSkipReason } from '../helpers/services.ts';

const JWT_SECRET = 'http-test-secret-0123456789abcdefghijklmnop';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

forEachStorage(
  'auth',
  (tp) => {
    it('registers a user and answers with its public view (no password hash)', async () => {
      const res = await tp().api('POST', '/api/v1/auth/register', { body: { username: 'alice', email: 'alice@example.org', password: 'alice-password' } });
      assert.equal(res.status, 201);
      const u = res.body;
      const view = ['created_at', 'email', 'id', 'is_active', 'is_admin', 'last_login', 'role', 'updated_at', 'user_id', 'username'];
      // IoTFlow's {status, message, user} wrapper sits beside the view; the nested user is the same view.
      assert.deepEqual(Object.keys(u).sort(), [...view, 'message', 'status', 'user'].sort());
      assert.deepEqual(Object.keys(u.user).sort(), view);
      assert.equal(u.username, 'alice');
      assert.equal(u.email, 'alice@example.org');
      assert.equal(u.role, 'user');
      assert.equal(u.is_admin, false);
      assert.equal(u.is_active, true);
      assert.equal(u.user_id, u.id);
      assert.equal(u.last_login, null);
      assert.doesNotMatch(res.text, /argon2|password/i);
    });

    it('names the bad field when registration input is invalid', async () => {
      const cases: Array<[unknown, string]> = [
        [{ username: 'ab', password: 'long-enough-1' }, 'body.username'],
        [{ username: 'bad name!', password: 'long-enough-1' }, 'body.username'],
        [{ username: 'bob', password: 'short' }, 'body.password'],
        [{ username: 'bob' }, 'body.password'],
        [{ username: 'bob', password: 'long-enough-1', email: 'not-an-email' }, 'body.email'],
      ];
      for (const [body, field] of cases) {
        const res = await tp().api('POST', '/api/v1/auth/register', { body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        assert.ok(res.body.error.message.startsWith(`${field}: `), `${JSON.stringify(body)} → ${res.body.error.message}`);
      }
    });

    it('refuses a taken username or email with 409 USER_EXISTS', async () => {
      for (const body of [
        { username: 'alice', password: 'another-password' },
        { username: 'ALICE', password: 'another-password' },
        { username: 'alice2', email: 'alice@example.org', password: 'another-password' },
        { username: 'admin', password: 'another-password' },
      ]) {
        const res = await tp().api('POST', '/api/v1/auth/register', { body });
        assert.equal(res.status, 409, JSON.stringify(body));
        assert.equal(res.body.error.code, 'USER_EXISTS');
      }
    });

    it('logs in by username or email and returns a bearer token for /auth/me', async () => {
      const res = await tp().api('POST', '/api/v1/auth/login', { body: { username: 'alice', password: 'alice-password' } });
      assert.equal(res.status, 200);
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(res.body.expires_in, 900);
      assert.equal(res.body.user.username, 'alice');
      assert.equal(typeof res.body.user.last_login, 'string');
      const me = await tp().api('GET', '/api/v1/auth/me', { token: res.body.access_token });
      assert.equal(me.status, 200);
      assert.equal(me.body.username, 'alice');
      assert.equal(me.body.last_login, res.body.user.last_login);
      const byEmail = await tp().api('POST', '/api/v1/auth/login', { body: { username: 'alice@example.org', password: 'alice-password' } });
      assert.equal(byEmail.status, 200);
      assert.equal(byEmail.body.user.id, me.body.id);
    });

    it('answers 401 INVALID_CREDENTIALS alike for a wrong password and an unknown user', async () => {
      const wrong = await tp().api('POST', '/api/v1/auth/login', { body: { username: 'alice', password: 'not-her-password' } });
      const unknown = await tp().api('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'not-her-password' } });
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.deepEqual(wrong.body, { error: { code: 'INVALID_CREDENTIALS', message: 'Username or password is wrong' } });
      assert.deepEqual(unknown.body, wrong.body);
      const nul = await tp().api('POST', '/api/v1/auth/login', { body: { username: 'ali\u0000ce', password: 'alice-password' } });
      assert.equal(nul.status, 400);
      assert.match(nul.body.error.message, /^body\.username: must not contain NUL/);
    });

    it('refuses /auth/me without a token (UNAUTHENTICATED) and with a bad one (INVALID_TOKEN)', async () => {
      const none = await tp().api('GET', '/api/v1/auth/me');
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'UNAUTHENTICATED');
      const me = (await tp().api('POST', '/api/v1/auth/login', { body: { username: 'alice', password: 'alice-password' } })).body.user;
      const claims = { role: 'admin', name: 'alice' };
      const expired = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(me.id)
        .setIssuer('fluxgate')
        .setAudience('fluxgate-api')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(new TextEncoder().encode(JWT_SECRET));
      const otherKey = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(me.id)
        .setIssuer('fluxgate')
        .setAudience('fluxgate-api')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('some-other-secret-0123456789abcdefghijkl'));
      const algNone = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: me.id, role: 'admin', iss: 'fluxgate', aud: 'fluxgate-api', exp: 9999999999 })}.`;
      for (const [name, token] of [
        ['garbage', 'not-a-jwt'],
        ['expired', expired],
        ['wrong key', otherKey],
        ['alg none', algNone],
      ] as const) {
        const res = await tp().api('GET', '/api/v1/auth/me', { token });
        assert.equal(res.status, 401, name);
        // An expired token has its own code so clients know to refresh (issue 4).
        assert.equal(res.body.error.code, name === 'expired' ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN', name);
      }
      const basic = await tp().api('GET', '/api/v1/auth/me', { headers: { authorization: 'Basic YWxpY2U6eA==' } });
      assert.equal(basic.status, 401);
      assert.equal(basic.body.error.code, 'UNAUTHENTICATED');
    });

    it('created the admin from ADMIN_PASSWORD on first start, with no generated password', async () => {
      assert.equal(tp().platform.generatedAdminPassword, undefined);
      const token = await tp().login('admin', ADMIN_PASSWORD);
      const me = await tp().api('GET', '/api/v1/auth/me', { token });
      assert.equal(me.body.role, 'admin');
      assert.equal(me.body.is_admin, true);
      for (const guess of ['admin', 'password', 'admin123', 'changeme']) {
        const res = await tp().api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: guess } });
        assert.equal(res.status, 401, guess);
      }
    });
  },
  { JWT_SECRET },
);

forEachStorage(
  'registration disabled',
  (tp) => {
    it('answers 403 REGISTRATION_DISABLED and creates nobody', async () => {
      const res = await tp().api('POST', '/api/v1/auth/register', { body: { username: 'mallory', password: 'mallory-password' } });
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'REGISTRATION_DISABLED');
      const login = await tp().api('POST', '/api/v1/auth/login', { body: { username: 'mallory', password: 'mallory-password' } });
      assert.equal(login.status, 401);
    });
  },
  { ALLOW_REGISTRATION: 'false' },
);

const pgSkip = await postgresSkipReason();
for (const kind of STORAGES) {
  it(`generates an admin password when ADMIN_PASSWORD is absent, usable once printed [${kind}]`, { skip: kind === 'postgres' ? (pgSkip ?? false) : false }, async () => {
    const tp = await startPlatform(kind, { ADMIN_PASSWORD: '' });
    try {
      const generated = tp.platform.generatedAdminPassword;
      assert.equal(typeof generated, 'string');
      assert.ok(generated!.length >= 16, 'a generated password is long');
      const token = await tp.login('admin', generated!);
      assert.equal((await tp.api('GET', '/api/v1/auth/me', { token })).body.role, 'admin');
      const def = await tp.api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
      assert.equal(def.status, 401);
    } finally {
      await tp.stop();
    }
  });
}
