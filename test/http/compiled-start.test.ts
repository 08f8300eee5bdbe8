// The production build as a user runs it: `npm run build`, then `fluxgate start` runs dist/ with no
// TypeScript compiler installed (tsx and typescript are removed from the copy's node_modules), and a
// source edited after the build makes it fall back to the sources with a notice instead of running
// stale code. Works on a copy of the checkout in a temporary folder, so the build under test is this
// test's own and never the dist/ another test or a developer is using.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliRun, listening, runningCli, startCli, stopCli } from '../helpers/cli-process.ts';
import { request } from '../helpers/platform.ts';

const ROOT = path.resolve('.');
function start(copy: string, dataDir: string): CliRun {
  const env = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: dataDir, ADMIN_PASSWORD: 'admin-password-1', LOG_LEVEL: 'info' };
  return startCli(path.join(copy, 'bin/fluxgate.js'), ['start'], env, copy);
}
const stop = stopCli;

describe('compiled platform (npm run build)', () => {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-build-'));
  const modules = path.join(copy, 'node_modules');

  before(() => {
    for (const entry of ['bin', 'scripts', 'src', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
      cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
    }
    symlinkSync(path.join(ROOT, 'web'), path.join(copy, 'web'));
    mkdirSync(modules);
    for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
      symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name));
    }
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: copy, encoding: 'utf8' });
    assert.equal(build.status, 0, `${build.stdout}${build.stderr}`);
    // No TypeScript at run time: what starts now must be the compiled code.
    unlinkSync(path.join(modules, 'tsx'));
    unlinkSync(path.join(modules, 'typescript'));
  });
  after(() => {
    for (const child of runningCli) child.kill('SIGKILL');
    rmSync(copy, { recursive: true, force: true });
  });

  it('starts from dist/ without tsx or typescript, is healthy and stores telemetry', async () => {
    const run = start(copy, path.join(copy, 'data-compiled'));
    const base = `http://127.0.0.1:${await listening(run)}`;
    const health = await request(base, 'GET', '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'healthy');
    // A telemetry write goes through the SQLite writer thread, which dist/ loads as a .js file.
    const token = (await request(base, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'admin-password-1' } })).body.access_token;
    const device = await request(base, 'POST', '/api/v1/devices', { token, body: { id: 'built', name: 'Built' } });
    assert.equal(device.status, 201);
    const at = Date.now() - 60_000;
    assert.equal((await request(base, 'POST', '/api/v1/telemetry', { apiKey: device.body.api_key, body: { t: 21.5, timestamp: at } })).status, 201);
    const history = await request(base, 'GET', `/api/v1/telemetry/built?start_time=${new Date(at - 1000).toISOString()}`, { token });
    assert.deepEqual(history.body.points.map((p: { value: number }) => p.value), [21.5]);
    assert.equal(await stop(run), 0);
    assert.doesNotMatch(run.stderr(), /older than src/);
  });

  it('runs the sources through tsx, with a notice, once a source changed after the build', async () => {
    symlinkSync(path.join(ROOT, 'node_modules', 'tsx'), path.join(modules, 'tsx'));
    appendFileSync(path.join(copy, 'src/config.ts'), '\n// edited after the build\n');
    const run = start(copy, path.join(copy, 'data-stale'));
    const base = `http://127.0.0.1:${await listening(run)}`;
    assert.equal((await request(base, 'GET', '/health')).status, 200);
    assert.equal(await stop(run), 0);
    assert.match(run.stderr(), /^fluxgate: dist\/ is older than src\/ \(run `npm run build`\); running the sources through tsx$/m);
  });
});
