// `fluxgate start` as a user runs it: a taken port or a bad setting stops start-up with a message
// naming the setting; the generated admin password is printed on the first start only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SQLITE_MIGRATIONS } from '../../src/storage/sqlite/sqlite-migrations.ts';
import { type CliRun, listening, runningCli, startCli, stopCli } from '../helpers/cli-process.ts';
import { request } from '../helpers/platform.ts';

const BIN = path.resolve('bin/fluxgate.js');
function start(env: Record<string, string>, args = ['start']): CliRun {
  return startCli(BIN, args, { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), HOST: '127.0.0.1', MQTT_PORT: '0', LOG_LEVEL: 'info', ...env });
}
const stop = stopCli;

describe('fluxgate start (CLI)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-cli-'));
  after(() => {
    for (const child of runningCli) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops with a message naming PORT when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = start({ PORT: String(port), DATA_DIR: path.join(dataDir, 'taken'), ADMIN_PASSWORD: 'admin-password-1' });
      assert.equal(await run.exited, 1);
      assert.match(run.stderr(), new RegExp(`^fluxgate: PORT=${port} is already in use on 127\\.0\\.0\\.1: set PORT to a free port$`, 'm'));
    } finally {
      blocker.close();
    }
  });

  it('stops with a message naming PORT when PORT is not a number', async () => {
    const run = start({ PORT: 'abc', DATA_DIR: path.join(dataDir, 'bad') });
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /^fluxgate: Invalid configuration:\n {2}PORT: /m);
    assert.doesNotMatch(run.stderr(), /at .*\.ts:\d+/, 'no stack trace');
  });

  it('migrates, creates users from the command line, and prints the config table', async () => {
    const env = { DATA_DIR: path.join(dataDir, 'admin-cli'), ADMIN_PASSWORD: 'admin-password-1' };
    const migrate = start(env, ['migrate']);
    assert.equal(await migrate.exited, 0, migrate.stderr());
    assert.equal(migrate.stdout(), `storage schema at version ${Math.max(...SQLITE_MIGRATIONS.map((m) => m.version))}\n`);
    const create = start(env, ['admin', 'create-user', '--username', 'ops', '--password', 'ops-password-1', '--role', 'admin']);
    assert.equal(await create.exited, 0, create.stderr());
    assert.match(create.stdout(), /^created admin ops \([0-9a-f-]{36}\)\n$/);
    const again = start(env, ['admin', 'create-user', '--username', 'OPS', '--password', 'ops-password-1']);
    assert.equal(await again.exited, 1);
    assert.match(again.stderr(), /^fluxgate: A user with this username or email already exists$/m);
    const badRole = start(env, ['admin', 'create-user', '--username', 'x-user', '--password', 'ops-password-1', '--role', 'root']);
    assert.equal(await badRole.exited, 1);
    assert.match(badRole.stderr(), /--role must be user or admin/);

    const server = start({ ...env, PORT: '0' });
    const port = await listening(server);
    // The admin made on the command line logs in; as the database was not empty, this start made none.
    const ops = await request(`http://127.0.0.1:${port}`, 'POST', '/api/v1/auth/login', { body: { username: 'ops', password: 'ops-password-1' } });
    assert.equal(ops.status, 200);
    assert.equal(ops.body.user.role, 'admin');
    const admin = await request(`http://127.0.0.1:${port}`, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'admin-password-1' } });
    assert.equal(admin.status, 401);
    assert.doesNotMatch(server.stdout(), /First start/);
    assert.equal(await stop(server), 0);

    // An operator locked out resets a password from the command line: the old one and its sessions stop working.
    const reset = start(env, ['admin', 'reset-password', '--username', 'ops', '--password', 'new-ops-password-2']);
    assert.equal(await reset.exited, 0, reset.stderr());
    assert.equal(reset.stdout(), 'password of ops reset; their sessions were ended\n');
    const unknown = start(env, ['admin', 'reset-password', '--username', 'nobody', '--password', 'new-ops-password-2']);
    assert.equal(await unknown.exited, 1);
    assert.match(unknown.stderr(), /^fluxgate: No user named nobody$/m);
    const short = start(env, ['admin', 'reset-password', '--username', 'ops', '--password', 'short']);
    assert.equal(await short.exited, 1);
    const again2 = start({ ...env, PORT: '0' });
    const port2 = await listening(again2);
    const base2 = `http://127.0.0.1:${port2}`;
    assert.equal((await request(base2, 'POST', '/api/v1/auth/login', { body: { username: 'ops', password: 'ops-password-1' } })).status, 401);
    assert.equal((await request(base2, 'POST', '/api/v1/auth/login', { body: { username: 'ops', password: 'new-ops-password-2' } })).status, 200);
    const refreshed = await request(base2, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: ops.body.refresh_token } });
    assert.equal(refreshed.status, 401, 'the session from before the reset was ended');
    assert.equal(await stop(again2), 0);

    const config = start({}, ['config']);
    assert.equal(await config.exited, 0);
    for (const key of ['HOST', 'PORT', 'DATA_DIR', 'DATABASE_URL', 'ADMIN_USERNAME', 'ADMIN_PASSWORD', 'JWT_SECRET', 'LOG_LEVEL', 'CORS_ORIGINS']) {
      assert.match(config.stdout(), new RegExp(`^\\| \`${key}\` \\|`, 'm'), key);
    }
  });

  it('prints a generated admin password on the first start only', async () => {
    const env = { PORT: '0', DATA_DIR: path.join(dataDir, 'first') };
    const first = start(env);
    const port = await listening(first);
    const printed = /First start: created admin user "admin" with password\n\n {6}(\S+)\n/.exec(first.stdout());
    assert.ok(printed, `no password in: ${first.stdout()}`);
    const password = printed[1]!;
    const base = `http://127.0.0.1:${port}`;
    const login = await request(base, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password } });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.role, 'admin');
    assert.equal(await stop(first), 0);
    assert.equal(first.stdout().split(password).length - 1, 1, 'the password appears exactly once');

    const second = start(env);
    const port2 = await listening(second);
    assert.doesNotMatch(second.stdout(), /First start|password/i);
    assert.equal(second.stdout().includes(password), false);
    const again = await request(`http://127.0.0.1:${port2}`, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password } });
    assert.equal(again.status, 200);
    assert.equal(await stop(second), 0);
  });
});
