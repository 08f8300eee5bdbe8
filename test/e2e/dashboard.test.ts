// End to end: the real platform on a random port, the built dashboard, headless Debian chromium.
// Screenshots of each page go to test-artifacts/e2e/ (look at them).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumSkipReason } from '../helpers/chromium.ts';
import { ADMIN, type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';

const ARTIFACTS = 'test-artifacts/e2e';
const skip = chromiumSkipReason();
// Endpoints of features built on other branches (issues 3 and 4): their 404s are expected here.
const PENDING = /\/api\/v1\/(devices\/[^/]+\/(state|commands|access)|admin\/stats|users|auth\/logout)(\?|$)/;

describe('dashboard end to end', { skip: skip ?? false }, () => {
  let p: RunningPlatform;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  /** A 404 the current step expects (another user's device), not a problem. */
  let expected404: RegExp | undefined;

  const shot = async (name: string) => {
    await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    if (!existsSync('web/dist/index.html')) {
      const built = spawnSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'inherit' });
      assert.equal(built.status, 0, 'building the dashboard failed');
    }
    p = await startPlatform();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const url = msg.location().url ?? '';
      if (msg.text().includes('status of 404') && (PENDING.test(url) || expected404?.test(url))) return;
      problems.push(`console error: ${msg.text()} at ${url}`);
    });
  });

  after(async () => {
    await browser?.close();
    await p?.stop();
  });

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
    await shot('03-api-key-once');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('heading', { name: 'Living room <b>thermostat</b>' }).waitFor();
    await page.getByText('No telemetry yet.').waitFor();

    // Telemetry through the API appears on the open page without a reload.
    const t0 = Date.now() - 5000;
    const send = async (body: unknown) => assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: key, body })).status, 201);
    await send({ data: { temperature: 20.5, heating: true, mode: 'eco' }, timestamp: t0 });
    await page.getByTestId('latest-temperature').getByText('20.50').waitFor();
    await page.getByTestId('count-temperature').getByText('1 point', { exact: true }).waitFor();
    await send([
      { temperature: 21, heating: false, timestamp: t0 + 2000 },
      { temperature: 21.5, heating: true, timestamp: t0 + 4000 },
    ]);
    await page.getByTestId('count-temperature').getByText('3 points').waitFor();
    await page.getByTestId('latest-temperature').getByText('21.50').waitFor();
    assert.equal(await page.locator('.field-chart[data-field="temperature"] canvas').count(), 1);
    assert.equal(await page.locator('.field-chart[data-field="heating"] .timeline-run').count(), 3);
    await shot('04-device-live');

    // A longer range switches to server-side aggregation.
    await page.getByRole('button', { name: '30 days' }).click();
    await page.getByTestId('chart-mode').getByText('1h averages (min/max shaded)').waitFor();
    await page.getByRole('button', { name: '15 min' }).click();
    await page.getByTestId('chart-mode').getByText('raw points · live').waitFor();
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
    await page.goto(`${p.url}/devices/thermo-e2e`);
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
    await form.getByLabel('Device').selectOption('thermo-e2e');
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
    expected404 = /\/api\/v1\/devices\/thermo-e2e$/;
    await page.goto(`${p.url}/devices/thermo-e2e`);
    await page.getByText('Device thermo-e2e not found').waitFor();
    expected404 = undefined;
    await shot('12-other-user');
  });

  test('no console errors or page errors on any page', () => {
    assert.deepEqual(problems, []);
  });
});
