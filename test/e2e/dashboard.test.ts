// End to end: the real platform on a random port, the built dashboard, headless Debian chromium.
// Screenshots of each page go to test-artifacts/e2e/ (look at them).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { Fleet } from '../../src/simulator/fleet.ts';
import { MqttTransport } from '../../src/simulator/links/mqtt-link.ts';
import { knobsFor } from '../../src/simulator/profiles.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumSkipReason } from '../helpers/chromium.ts';
import { ensureDashboardBuilt } from '../helpers/dashboard-build.ts';
import { logIn as logInAs, logOut as logOutOf } from '../helpers/dashboard-session.ts';
import { ADMIN, type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';

const ARTIFACTS = 'test-artifacts/e2e';
const skip = chromiumSkipReason();
/** mtime of the newest file under dir: the built dashboard is rebuilt when a source is newer. */

const BOB = { username: 'bob', password: 'bob-password' };
/** The main pages, checked at phone width for horizontal overflow. */
const PAGES = ['/', '/devices', '/devices/thermo-sim', '/energy', '/charts', '/admin'];

describe('dashboard end to end', { skip: skip ?? false }, () => {
  let p: RunningPlatform;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  /** A 404 the current step expects (another user's device), not a problem. */
  /** A refusal the page is expected to meet (the browser logs every 4xx as a console error). */
  let expectedRefusal: { status: number; url: RegExp } | undefined;
  /** While the server is down on purpose, the browser's failed connection attempts are expected. */
  let serverDown = false;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-e2e-'));
  let thermoKey = '';
  // Access tokens live 90 s, and the dashboard refreshes them in the last 60 s: over this run it
  // refreshes many times, and must do so without a 401, a lost page or a logout.
  const env = { DATA_DIR: dataDir, JWT_TTL_SECONDS: '90' };
  const session = async () => JSON.parse(String(await page.evaluate("localStorage.getItem('fluxgate.session')"))) as { accessToken: string; refreshToken: string };

  const shot = async (name: string) => {
    // The sticky top bar would be drawn where the page happens to be scrolled.
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureDashboardBuilt();
    p = await startPlatform(env);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Generous: the machine running the tests may be busy (these are waits, not timing assertions).
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const url = msg.location().url ?? '';
      if (expectedRefusal && msg.text().includes(`status of ${expectedRefusal.status}`) && expectedRefusal.url.test(url)) return;
      if (serverDown && /WebSocket connection|ERR_CONNECTION_REFUSED/.test(msg.text())) return;
      problems.push(`console error: ${msg.text()} at ${url}`);
    });
  });

  let fleet: Fleet | undefined;
  let simKey = '';
  after(async () => {
    await fleet?.stop();
    await browser?.close();
    await p?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const logIn = (user: { username: string; password: string }) => logInAs(page, p.url, user);
  const logOut = () => logOutOf(page);
  /** Tabs from the top of the page until the element named `name` has focus; fails after `max` presses. */
  const tabTo = async (name: string, max = 80) => {
    await page.evaluate('document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)');
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const focused = String(
        await page.evaluate(
          "(() => { const e = document.activeElement; if (!e) return ''; const id = e.id && document.querySelector('label[for=\"' + e.id + '\"]'); return (e.getAttribute('aria-label') || (e.closest('label') || id || e).textContent || '').trim(); })()",
        ),
      );
      if (focused.startsWith(name)) return;
    }
    assert.fail(`${name} is not reachable with the Tab key`);
  };

  test('log in, create a device, see telemetry arrive live on its chart', async () => {
    await page.goto(p.url);
    await page.getByLabel('Username or email').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await shot('01-login');
    await page.getByRole('button', { name: 'Log in', exact: true }).last().click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('.live-dot.live').waitFor();
    await shot('02-overview-empty');

    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'New device' }).click();
    const form = page.getByRole('dialog', { name: 'New device' });
    await form.getByLabel('Id (optional)').fill('thermo-e2e');
    await form.getByLabel('Name').fill('Living room <b>thermostat</b>');
    await form.getByLabel('Type').fill('thermostat');
    await form.getByLabel('Location').fill('Living room');
    await form.getByRole('button', { name: 'Create device' }).click();
    const key = (await page.getByTestId('api-key').textContent())?.trim() ?? '';
    assert.match(key, /^[A-Za-z0-9_-]{40,}$/);
    thermoKey = key;
    await shot('03-api-key-once');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('heading', { name: 'Living room <b>thermostat</b>' }).waitFor();
    await page.getByText('No telemetry yet.').waitFor();

    // Telemetry through the API appears on the open page without a reload.
    const t0 = Date.now() - 5000;
    const send = async (body: unknown) => assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: key, body })).status, 201);
    await send({ data: { temperature: 20.5, heating: true, mode: 'eco' }, timestamp: t0 });
    await page.getByTestId('latest-temperature').getByText('20.5 °C').waitFor();
    await page.getByRole('tab', { name: 'Charts' }).click();
    await page.getByTestId('count-temperature').getByText('1 point', { exact: true }).waitFor();
    await send([
      { temperature: 21, heating: false, timestamp: t0 + 2000 },
      { temperature: 21.5, heating: true, timestamp: t0 + 4000 },
    ]);
    await page.getByTestId('count-temperature').getByText('3 points').waitFor();
    assert.equal(await page.locator('.field-chart[data-field="temperature"] canvas').count(), 1);
    assert.equal(await page.locator('.field-chart[data-field="heating"] .timeline-run').count(), 3);
    await shot('04-device-live');

    // A longer range switches to server-side aggregation.
    await page.getByRole('button', { name: '30 days' }).click();
    await page.getByTestId('chart-mode').getByText('1h averages (min/max shaded)').waitFor();
    await page.getByRole('button', { name: '15 min' }).click();
    await page.getByTestId('chart-mode').getByText('raw points · live').waitFor();
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.getByTestId('latest-temperature').getByText('21.5 °C').waitFor();
  });

  test('the device list searches and filters; the page works at phone width', async () => {
    await page.goto(`${p.url}/devices`);
    await page.getByRole('link', { name: 'Living room <b>thermostat</b>' }).waitFor();
    await page.getByLabel('Search').fill('no-such-device');
    await page.getByText('No devices match.').waitFor();
    await page.getByLabel('Search').fill('thermo');
    await page.getByRole('link', { name: 'Living room <b>thermostat</b>' }).waitFor();
    await shot('05-devices');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${p.url}/devices/thermo-e2e?tab=charts`);
    await page.getByTestId('count-temperature').getByText('3 points').waitFor();
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    assert.ok(width <= 390, `page is ${width}px wide at a 390px viewport`);
    await shot('06-device-phone');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Energy' }).click();
    await page.getByRole('heading', { name: 'Energy' }).waitFor();
    await shot('07-energy-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('save a chart of several fields, reopen it, delete it', async () => {
    await page.goto(`${p.url}/charts`);
    await page.getByRole('button', { name: 'New chart' }).click();
    const form = page.getByRole('dialog', { name: 'New chart' });
    await form.getByLabel('Name').fill('Heating check');
    await form.getByRole('combobox', { name: 'Device' }).fill('thermo-e2e');
    await form.getByRole('option').filter({ hasText: 'thermo-e2e' }).click();
    await form.getByLabel('Field').selectOption('temperature');
    await form.getByRole('button', { name: 'Add series' }).click();
    await form.getByLabel('Field').selectOption('heating');
    await form.getByRole('button', { name: 'Add series' }).click();
    await form.getByRole('button', { name: 'Save chart' }).click();
    await page.getByRole('heading', { name: 'Heating check' }).waitFor();
    await page.locator('.chart canvas').waitFor();
    await shot('08-saved-chart');
    const saved = await p.api('GET', '/api/v1/charts', { token: await p.login(ADMIN.username, ADMIN.password) });
    assert.deepEqual(saved.body.charts[0].series, [
      { device_id: 'thermo-e2e', field: 'temperature', label: null },
      { device_id: 'thermo-e2e', field: 'heating', label: null },
    ]);
    await page.reload();
    await page.getByRole('heading', { name: 'Heating check' }).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete chart Heating check' }).click();
    await page.getByText('No saved charts yet.').waitFor();
  });

  test('the keyboard reaches the skip link and the navigation first', async () => {
    await page.goto(p.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByTestId('device-count').getByText('1', { exact: true }).waitFor();
    await shot('09-overview');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Fluxgate');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Overview');
  });

  test('admin and energy pages render; register a new user, who sees no devices', async () => {
    await page.goto(`${p.url}/admin`);
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    // The admin stats endpoint (issue 4) answers, so its figures show, not the basic status.
    await page.getByText('points stored', { exact: true }).waitFor();
    // The node card: one SQLite node always runs the scheduled jobs.
    await page.getByTestId('node-health').getByText('leader · single node (SQLite)').waitFor();
    // Telemetry storage: usage per profile with its retention, and the largest devices.
    await page.getByTestId('storage-profiles').getByText('raw forever · minute forever · hour forever').first().waitFor();
    await page.getByTestId('storage-devices').waitFor();
    await shot('10-admin');
    const now = Date.now();
    const admin = await p.login(ADMIN.username, ADMIN.password);
    const meter = await p.api('POST', '/api/v1/devices', { token: admin, body: { id: 'meter-e2e', name: 'Meter', device_type: 'meter' } });
    const readings = [0, 1, 2, 3].map((i) => ({ energy: 100 + i * 0.5, timestamp: now - (3 - i) * 1_200_000 }));
    assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: meter.body.api_key, body: readings })).status, 201);
    await page.goto(`${p.url}/energy`);
    await page.getByRole('heading', { name: 'Per day 1.50 kWh' }).waitFor();
    await shot('11-energy');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Username').fill('bob');
    await page.getByLabel('Password').fill('bob-password');
    await page.getByRole('button', { name: 'Create account and log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor().catch(async (err: unknown) => {
      await shot('failed-register');
      throw err;
    });
    await page.getByTestId('device-count').getByText('0').waitFor();
    expectedRefusal = { status: 404, url: /\/api\/v1\/devices\/thermo-e2e(\/profile)?$/ };
    await page.goto(`${p.url}/devices/thermo-e2e`);
    await page.getByText('Device thermo-e2e not found').waitFor();
    expectedRefusal = undefined;
    await shot('12-other-user');
    await logOut();
  });

  test('set a target temperature: a simulated thermostat over MQTT acks the command', async () => {
    await logIn(ADMIN);
    const admin = await p.login(ADMIN.username, ADMIN.password);
    const created = await p.api('POST', '/api/v1/devices', { token: admin, body: { id: 'thermo-sim', name: 'Hall thermostat', device_type: 'thermostat', location: 'Hall' } });
    assert.equal(created.status, 201);
    simKey = created.body.api_key;
    const mqttPort = p.platform.mqtt?.port;
    assert.ok(mqttPort, 'the platform runs its MQTT broker');
    // A real simulated thermostat: its own mqtt.js client, logged in with the device id and API key.
    fleet = new Fleet({
      devices: [{ credentials: { id: 'thermo-sim', apiKey: created.body.api_key, type: 'thermostat' } }],
      knobs: knobsFor('default', { intervalMs: 1000, jitterMs: 0 }),
      transport: new MqttTransport({ url: `mqtt://127.0.0.1:${mqttPort}` }),
      seed: 7,
    });
    assert.deepEqual(await fleet.start(), { connected: 1, failed: [] });

    await page.goto(`${p.url}/devices/thermo-sim`);
    await page.getByRole('heading', { name: 'Hall thermostat' }).waitFor();
    await page.getByTestId('latest-target_temperature').waitFor();
    await page.getByRole('tab', { name: 'Charts' }).click();
    // The thermostat profile's chart: temperature and target on one chart, one axis in °C.
    await page.locator('.field-chart[data-fields="temperature target_temperature"] canvas').waitFor();
    await page.getByRole('img', { name: 'Temperature and target (°C) over time' }).waitFor();
    await shot('12b-thermostat-overview');
    await page.getByRole('tab', { name: 'Control' }).click();
    await page.getByLabel('Target temperature (°C)').fill('23.5');
    await page.getByRole('button', { name: 'Set target' }).click();
    const sent = page.locator('[data-testid="commands"] li[data-command="set_target_temperature"]');
    await sent.first().waitFor();
    await page.locator('[data-testid="commands"] li[data-command="set_target_temperature"][data-status="acked"]').waitFor();
    // The thermostat reports the new target in its telemetry: desired and reported agree.
    await page.locator('[data-testid="device-state"] tr:not(.pending)', { hasText: 'Target (°C)' }).getByText('23.5 °C').nth(1).waitFor();
    const history = await p.api('GET', '/api/v1/devices/thermo-sim/commands', { token: admin });
    assert.equal(history.body[0].command, 'set_target_temperature');
    assert.equal(history.body[0].status, 'acked');
    assert.deepEqual(history.body[0].result, { target_temperature: 23.5 });

    // The thermostat's controls come from its profile: its target range, on/off; no power level, no free command.
    await page.getByText('between 5 and 35 °C').waitFor();
    assert.equal(await page.getByLabel(/Power level/).count(), 0);
    assert.equal(await page.getByLabel('Command', { exact: true }).count(), 0);
    await shot('13-device-control');
  });

  test('device logs are shown on the device page, filtered by level and time range', async () => {
    const key = simKey;
    const now = Date.now();
    const lines = [
      { level: 'info', message: 'boot complete', source: 'fw', timestamp: now - 120_000 },
      { level: 'warning', message: 'wifi signal weak <b>-82 dBm</b>', source: 'wifi', timestamp: now - 60_000 },
      { level: 'error', message: 'sensor read failed', source: 'i2c', timestamp: now - 30_000 },
      { level: 'error', message: 'an error from two days ago', timestamp: now - 2 * 86_400_000 },
    ];
    assert.equal((await p.api('POST', '/api/v1/devices/thermo-sim/logs', { apiKey: key, body: lines })).status, 201);
    await page.goto(`${p.url}/devices/thermo-sim?tab=logs`);
    const logs = page.getByTestId('logs');
    await logs.getByText('wifi signal weak <b>-82 dBm</b>').waitFor();
    const levels = async () => logs.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level')));
    assert.deepEqual(await levels(), ['error', 'warning', 'info']);
    await logs.getByRole('checkbox', { name: 'error', exact: true }).scrollIntoViewIfNeeded();
    await shot('14-device-logs');
    for (const l of ['debug', 'info', 'warning', 'critical']) await logs.getByRole('checkbox', { name: l, exact: true }).uncheck();
    await logs.getByText('boot complete').waitFor({ state: 'detached' });
    assert.deepEqual(await levels(), ['error']);
    await logs.getByLabel('Time range').selectOption('7d');
    await logs.getByText('an error from two days ago').waitFor();
    assert.deepEqual(await levels(), ['error', 'error']);
  });

  test('share a device with another user, who then sees it after logging in', async () => {
    await page.goto(`${p.url}/devices/thermo-sim`);
    await page.getByRole('tab', { name: 'Sharing' }).click();
    await page.getByLabel('User', { exact: true }).fill(BOB.username);
    await page.locator('select[name="share_level"]').selectOption('control');
    await page.getByRole('button', { name: 'Share' }).click();
    await page.getByTestId('grants').getByText(BOB.username).waitFor();
    assert.equal(await page.getByLabel(`Access of ${BOB.username}`).inputValue(), 'control');
    await shot('15-sharing');

    await logOut();
    await logIn(BOB);
    await page.getByTestId('device-count').getByText('1', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: 'Hall thermostat' }).click();
    await page.getByRole('heading', { name: 'Hall thermostat' }).waitFor();
    await page.getByTestId('latest-target_temperature').getByText('23.5 °C').waitFor();
    await page.getByRole('tab', { name: 'Sharing' }).click();
    await page.getByText('This device is shared with you by its owner.').waitFor();
    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByTestId('logs').getByText('sensor read failed').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Rotate API key' }).count(), 0);
    // Control level: bob may command it too.
    await page.getByRole('tab', { name: 'Control' }).click();
    await page.getByRole('button', { name: 'On', exact: true }).click();
    await page.locator('[data-testid="commands"] li[data-command="turn_on"][data-status="acked"]').waitFor();
    await shot('16-shared-device-other-user');
    // The owner takes the share back: the open page says so at once (the stream drops the device).
    const admin = await p.login(ADMIN.username, ADMIN.password);
    const bob = (await p.api('GET', '/api/v1/users?q=bob', { token: admin })).body.users[0];
    assert.equal((await p.api('DELETE', `/api/v1/devices/thermo-sim/access/${bob.id}`, { token: admin })).status, 204);
    await page.getByRole('alert').getByText('You no longer receive updates for device thermo-sim').waitFor();
    await shot('16b-share-revoked-other-user');
    await logOut();
  });

  test('admin: assign a device to a user and take it back; deactivate and reactivate the user', async () => {
    await logIn(ADMIN);
    // The overview lists recent commands and error logs, loaded when it opens.
    const recent = page.getByTestId('recent-events');
    await recent.getByText('command set_target_temperature: acked').waitFor();
    await recent.getByText('sensor read failed').waitFor();
    await shot('17-overview-recent');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByTestId('admin-stats').getByText('thermostat 2').waitFor();
    await page.getByRole('combobox', { name: 'Assign device' }).fill('thermo-e2e');
    await page.getByRole('option').filter({ hasText: 'thermo-e2e' }).click();
    await page.getByLabel('To user').selectOption({ label: BOB.username });
    await page.getByLabel('Assignment level').selectOption('read');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    const row = page.getByTestId('mappings').locator('tr', { hasText: 'Living room <b>thermostat</b>' });
    await row.getByText('read', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Devices of ${BOB.username}` }).click();
    await page.getByRole('heading', { name: `Devices ${BOB.username} can see` }).waitFor();
    await page.locator('.events').getByRole('link', { name: 'Living room <b>thermostat</b>' }).waitFor();
    await shot('18-admin-assignments');
    const bob = (await p.api('GET', '/api/v1/users?q=bob', { token: await p.login(ADMIN.username, ADMIN.password) })).body.users[0];
    const granted = await p.api('GET', '/api/v1/devices/thermo-e2e/access', { token: await p.login(ADMIN.username, ADMIN.password) });
    assert.deepEqual(granted.body.map((g: { user_id: string; level: string }) => [g.user_id, g.level]), [[bob.id, 'read']]);

    await row.getByRole('button', { name: /^Unassign/ }).click();
    await row.waitFor({ state: 'detached' });
    const users = page.getByTestId('users');
    await users.locator('tr', { hasText: BOB.username }).getByRole('button', { name: 'Deactivate' }).click();
    await users.locator('tr', { hasText: BOB.username }).getByText('inactive').waitFor();
    assert.equal((await p.api('POST', '/api/v1/auth/login', { body: BOB })).status >= 400, true);
    await users.locator('tr', { hasText: BOB.username }).getByRole('button', { name: 'Activate' }).click();
    await users.locator('tr', { hasText: BOB.username }).getByText('inactive').waitFor({ state: 'detached' });
    assert.equal((await p.api('POST', '/api/v1/auth/login', { body: BOB })).status, 200);
  });

  test('every main page fits a phone-width screen, and its main controls are keyboard reachable', async () => {
    await fleet?.stop();
    fleet = undefined;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const path of PAGES) {
        await page.goto(p.url + path);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        await shot(`phone${path.replaceAll('/', '-') || '-'}`.replace(/-$/, '-overview'));
        assert.ok(width <= 390, `${path} is ${width}px wide at a 390px viewport`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await page.goto(`${p.url}/devices/thermo-sim`);
    await page.getByRole('heading', { name: 'Hall thermostat' }).waitFor();
    await tabTo('Control');
    await page.goto(`${p.url}/devices/thermo-sim?tab=charts`);
    await tabTo('30 days');
    await page.goto(`${p.url}/devices/thermo-sim?tab=control`);
    for (const name of ['Target temperature', 'Set target']) await tabTo(name);
    await page.goto(`${p.url}/devices/thermo-sim?tab=sharing`);
    await tabTo('Share');
    await page.goto(`${p.url}/devices/thermo-sim?tab=logs`);
    await tabTo('Time range');
    await page.goto(`${p.url}/devices`);
    await page.getByRole('link', { name: 'Hall thermostat' }).waitFor();
    for (const name of ['New device', 'Search']) await tabTo(name);
  });

  test('a chart over 100,000 points gets them downsampled by the server to its pixel width', async () => {
    const admin = await p.login(ADMIN.username, ADMIN.password);
    const created = await p.api('POST', '/api/v1/devices', { token: admin, body: { id: 'meter-100k', name: 'Busy meter', device_type: 'meter' } });
    const N = 100_000;
    const t0 = Date.now() - 14 * 60_000;
    for (let i = 0; i < N; i += 5000) {
      const batch = Array.from({ length: 5000 }, (_, k) => ({ timestamp: t0 + (i + k) * 8, power: 100 + ((i + k) % 50) + ((i + k) === 54_321 ? 900 : 0) }));
      assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: created.body.api_key, body: batch })).status, 201);
    }
    const series = page.waitForRequest((r) => r.url().includes('/api/v1/telemetry/meter-100k/series') && r.url().includes('start_time'));
    await page.goto(`${p.url}/devices/meter-100k?tab=charts`);
    const maxPoints = Number(new URL((await series).url()).searchParams.get('max_points'));
    await page.getByRole('button', { name: '15 min' }).click();
    await page.getByTestId('chart-mode').getByText('downsampled to screen width · live').waitFor();
    const shown = Number((await page.getByTestId('count-power').textContent())?.replace(/\D/g, ''));
    const width = Number(await page.locator('.field-chart[data-field="power"] .chart').evaluate((e) => e.closest('.card')!.clientWidth));
    assert.equal(maxPoints, width, 'the chart asks for as many points as its card is wide');
    assert.ok(shown > 0 && shown <= maxPoints, `${shown} points drawn for a ${maxPoints}px chart`);
    await page.locator('.field-chart[data-field="power"] canvas').waitFor();
    await shot('19-100k-points-downsampled');

    // Edit it from the list, then delete it with everything it stored.
    await page.goto(`${p.url}/devices`);
    await page.getByRole('button', { name: 'Edit Busy meter' }).click();
    const form = page.getByRole('dialog', { name: 'Edit Busy meter' });
    await form.getByLabel('Name').fill('Busy meter (old)');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Busy meter (old)' }).waitFor();
    await page.getByRole('button', { name: 'Delete Busy meter (old)' }).click();
    await page.getByRole('dialog', { name: 'Delete Busy meter (old)?' }).getByRole('button', { name: 'Delete device' }).click();
    await page.getByRole('link', { name: 'Busy meter (old)' }).waitFor({ state: 'detached' });
    assert.equal((await p.api('GET', '/api/v1/devices/meter-100k', { token: admin })).status, 404);
  });

  test('after a server restart the open page reconnects by itself and live points flow again', async () => {
    const before = await session();
    await page.goto(`${p.url}/devices/thermo-e2e?tab=charts`);
    await page.getByTestId('count-temperature').getByText('3 points').waitFor();
    await page.locator('.live-dot.live').waitFor();
    const port = p.port;
    serverDown = true;
    await p.stop();
    await page.locator('.live-dot:not(.live)').waitFor();
    p = await startPlatform({ ...env, PORT: String(port) });
    await page.locator('.live-dot.live').waitFor({ timeout: 30_000 });
    serverDown = false;
    const send = await p.api('POST', '/api/v1/telemetry', { apiKey: thermoKey, body: { temperature: 24.25, timestamp: Date.now() } });
    assert.equal(send.status, 201);
    await page.getByTestId('count-temperature').getByText('4 points').waitFor();
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.getByTestId('latest-temperature').getByText('24.3 °C').waitFor();
    await shot('20-after-restart');
    // Still the same login, with its tokens refreshed along the way (none of this showed on the page).
    await page.waitForTimeout(31_000);
    await page.reload();
    await page.getByTestId('latest-temperature').getByText('24.3 °C').waitFor();
    const after = await session();
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken);
  });

  test('device files and images: upload, view, delete from the page; a read-only user sees controls disabled', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${p.url}/devices/thermo-e2e?tab=files`);
    const images = page.getByTestId('device-images');
    await images.getByText('None yet.').waitFor();
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    await images.getByLabel('Upload to Images').setInputFiles({ name: 'hall.png', mimeType: 'image/png', buffer: png });
    await images.locator('li[data-file="hall.png"]').getByText(`image/png · ${png.length} B`).waitFor();
    const logFiles = page.getByTestId('device-files');
    await logFiles.getByLabel('Upload to Log files').setInputFiles({ name: 'boot.log', mimeType: 'text/plain', buffer: Buffer.from('boot ok\nsensor ready\n') });
    await logFiles.getByRole('button', { name: 'boot.log', exact: true }).click();
    await page.getByRole('dialog', { name: 'boot.log' }).getByText('sensor ready').waitFor();
    await page.getByRole('dialog', { name: 'boot.log' }).getByRole('button', { name: 'Close' }).click();
    await images.getByRole('button', { name: 'hall.png', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'hall.png' }).getByRole('img', { name: 'hall.png' });
    await shown.waitFor();
    await page.waitForFunction("(() => { const i = document.querySelector('img.file-preview'); return !!i && i.complete && i.naturalWidth === 1; })()");
    await shot('21-device-files');
    await page.getByRole('dialog', { name: 'hall.png' }).getByRole('button', { name: 'Close' }).click();
    page.once('dialog', (d) => void d.accept());
    await images.getByRole('button', { name: 'Delete hall.png' }).click();
    await images.getByText('None yet.').waitFor();
    assert.equal((await p.api('GET', '/api/v1/devices/thermo-e2e/images', { token: await p.login(ADMIN.username, ADMIN.password) })).body.total, 0);

    // Read access: the control tab says why its controls are disabled; nothing can be uploaded.
    const admin = await p.login(ADMIN.username, ADMIN.password);
    const bob = (await p.api('GET', '/api/v1/users?q=bob', { token: admin })).body.users[0];
    assert.equal((await p.api('POST', '/api/v1/devices/thermo-e2e/access', { token: admin, body: { user_id: bob.id, level: 'read' } })).status, 201);
    await logOut();
    await logIn(BOB);
    await page.goto(`${p.url}/devices/thermo-e2e?tab=control`);
    await page.getByText(/You have read access to this device/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Set target' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'On', exact: true }).isDisabled(), true);
    await shot('22-read-only-controls');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('22b-read-only-controls-phone');
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    assert.ok(width <= 390, `page is ${width}px wide at a 390px viewport`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${p.url}/devices/thermo-e2e?tab=files`);
    await page.getByTestId('device-files').getByText('boot.log').waitFor();
    assert.equal(await page.getByLabel('Upload to Images').count(), 0);
    assert.equal((await p.api('DELETE', `/api/v1/devices/thermo-e2e/access/${bob.id}`, { token: admin })).status, 204);
    await logOut();
    await logIn(ADMIN);
  });

  test('no console errors or page errors on any page', () => {
    assert.deepEqual(problems, []);
  });
});
