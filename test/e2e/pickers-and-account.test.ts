// End to end: device pickers over a fleet of 1,050 devices, the energy chart's axis and tooltip,
// and passwords (a user changes theirs, an admin resets one). The real platform on a random port,
// the built dashboard, headless Debian chromium; screenshots go to test-artifacts/e2e/ (look at them).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumSkipReason } from '../helpers/chromium.ts';
import { ensureDashboardBuilt } from '../helpers/dashboard-build.ts';
import { logIn as logInAs, logOut as logOutOf } from '../helpers/dashboard-session.ts';
import { ADMIN, type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';

const ARTIFACTS = 'test-artifacts/e2e';
const skip = chromiumSkipReason();

const FLEET_SIZE = 1050;
/** Created first, named to sort last: neither the newest nor first by name among 1,050 devices. */
const OLDEST = { id: 'oldest-meter', name: 'Zulu basement meter', device_type: 'smart_meter' };
const CAROL = { username: 'carol', password: 'carol-password-1' };
/** The pages this work touched, checked at phone width. */
const PAGES = ['/energy', '/charts', '/admin', '/account'];

describe('device pickers, energy axes and passwords end to end', { skip: skip ?? false }, () => {
  let p: RunningPlatform;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  /** Every request the browser made, with the dashboard page it was made from. */
  const requested: Array<{ url: string; from: string }> = [];
  /** A refusal the current step expects (the browser logs every 4xx as a console error). */
  let expectedRefusal: { status: number; url: RegExp } | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fluxgate-e2e-pickers-'));
  /** Day label (UTC, the browser's zone here) → kWh the oldest meter used that day. */
  const usedPerDay = new Map<string, number>();

  const shot = async (name: string) => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  };
  const logIn = (user: { username: string; password: string }) => logInAs(page, p.url, user);
  const logOut = () => logOutOf(page);

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureDashboardBuilt();
    // 1,050 device creations in a row: the per-user API rate limit would refuse them.
    p = await startPlatform({ DATA_DIR: dataDir, RATE_LIMIT_API: '0' });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    // UTC in the browser, so the test knows which local day each energy reading falls on.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (r) => requested.push({ url: r.url(), from: new URL(page.url()).pathname }));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const url = msg.location().url ?? '';
      if (expectedRefusal && msg.text().includes(`status of ${expectedRefusal.status}`) && expectedRefusal.url.test(url)) return;
      problems.push(`console error: ${msg.text()} at ${url}`);
    });

    const admin = await p.login(ADMIN.username, ADMIN.password);
    const oldest = await p.api('POST', '/api/v1/devices', { token: admin, body: OLDEST });
    assert.equal(oldest.status, 201);
    for (let start = 1; start < FLEET_SIZE; start += 50) {
      const batch = Array.from({ length: Math.min(50, FLEET_SIZE - start) }, (_, k) => {
        const n = String(start + k).padStart(4, '0');
        return p.api('POST', '/api/v1/devices', { token: admin, body: { id: `fleet-${n}`, name: `Fleet device ${n}`, device_type: 'sensor' } });
      });
      for (const created of await Promise.all(batch)) assert.equal(created.status, 201);
    }
    const now = Date.now();
    const readings = [0.25, 0.5, 0.75].map((kwh, i) => ({ energy_usage: kwh, timestamp: now - (3 - i) * 60_000 }));
    for (const r of readings) {
      const day = new Date(r.timestamp).toISOString().slice(0, 10);
      usedPerDay.set(day, (usedPerDay.get(day) ?? 0) + r.energy_usage);
    }
    assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: oldest.body.api_key, body: readings })).status, 201);
    assert.equal((await p.api('POST', '/api/v1/users', { token: admin, body: { ...CAROL, role: 'user' } })).status, 201);
  });

  after(async () => {
    await browser?.close();
    await p?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the oldest of 1,050 devices is found by search and picked on the Energy page; its chart has a y-axis and a tooltip', async () => {
    const admin = await p.login(ADMIN.username, ADMIN.password);
    assert.equal((await p.api('GET', '/api/v1/devices?limit=1', { token: admin })).body.total, FLEET_SIZE);
    await logIn(ADMIN);
    await page.getByRole('link', { name: 'Energy' }).click();
    const picker = page.getByRole('combobox', { name: 'Device' });
    assert.equal(await picker.inputValue(), 'all my devices');
    await picker.click();
    await page.getByText('20 of 1050 shown: type to narrow').waitFor();
    await picker.fill('zulu');
    const option = page.getByRole('option').filter({ hasText: OLDEST.id });
    await option.waitFor();
    assert.equal(await page.getByRole('option').count(), 1);
    await shot('pickers-01-energy-search');
    const energy = page.waitForRequest((r) => r.url().includes('/api/v1/energy/daily') && r.url().includes(`device_id=${OLDEST.id}`));
    await option.click();
    await energy;
    assert.equal(await picker.inputValue(), OLDEST.name);
    assert.ok(requested.some((r) => r.url.endsWith('/api/v1/devices?q=zulu&sort=name&order=asc&limit=20')), 'the picker asked the server to search');

    const total = [...usedPerDay.values()].reduce((a, b) => a + b, 0);
    await page.getByRole('heading', { name: `Per day ${total.toFixed(2)} kWh` }).waitFor();
    const daily = page.getByRole('figure', { name: 'Energy per day' });
    assert.equal(await daily.locator('.y-unit').textContent(), 'kWh');
    assert.equal(await page.getByRole('figure', { name: 'Energy per hour' }).locator('.y-unit').textContent(), 'kWh');
    const ticks = await daily.locator('.y-tick').allTextContents();
    // All three readings on one day (unless the test runs across midnight): 1.5 kWh, round ticks.
    if (usedPerDay.size === 1) assert.deepEqual(ticks, ['0.0', '0.5', '1.0', '1.5']);
    else assert.equal(ticks[0], '0.0');
    const [day, used] = [...usedPerDay].at(-1)!;
    await daily.locator(`rect.bar[data-label="${day}"]`).hover();
    assert.equal(await daily.getByRole('status').textContent(), `${day} ${Number(used.toFixed(3))} kWh`);
    await shot('pickers-02-energy-tooltip');
    await page.mouse.move(0, 0);
    await daily.getByRole('status').waitFor({ state: 'detached' });
    // The keyboard reads the bars too: focus shows the latest day with a value.
    await daily.getByRole('group').focus();
    assert.equal(await daily.getByRole('status').textContent(), `${day} ${Number(used.toFixed(3))} kWh`);
  });

  test('a new chart takes its device from the picker, by keyboard', async () => {
    await page.goto(`${p.url}/charts`);
    await page.getByRole('button', { name: 'New chart' }).click();
    const form = page.getByRole('dialog', { name: 'New chart' });
    await form.getByLabel('Name').fill('Basement');
    const picker = form.getByRole('combobox', { name: 'Device' });
    await picker.fill('basement');
    await form.getByRole('option').filter({ hasText: OLDEST.id }).waitFor();
    await picker.press('ArrowDown');
    await picker.press('Enter');
    assert.equal(await picker.inputValue(), OLDEST.name);
    await form.getByLabel('Field').selectOption('energy_usage');
    await shot('pickers-03-chart-builder');
    await form.getByRole('button', { name: 'Add series' }).click();
    await form.getByRole('button', { name: 'Save chart' }).click();
    await page.getByRole('heading', { name: 'Basement' }).waitFor();
    const saved = await p.api('GET', '/api/v1/charts', { token: await p.login(ADMIN.username, ADMIN.password) });
    assert.deepEqual(saved.body.charts[0].series, [{ device_id: OLDEST.id, field: 'energy_usage', label: null }]);
  });

  test('an admin assigns the oldest device with the picker and resets a user\'s password', async () => {
    const carolToken = await p.login(CAROL.username, CAROL.password);
    await page.goto(`${p.url}/admin`);
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByRole('combobox', { name: 'Assign device' }).fill('oldest');
    await page.getByRole('option').filter({ hasText: OLDEST.id }).click();
    await page.getByLabel('To user').selectOption({ label: CAROL.username });
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByTestId('mappings').locator('tr', { hasText: OLDEST.name }).waitFor();

    await page.getByRole('button', { name: `Reset password of ${CAROL.username}` }).click();
    const dialog = page.getByRole('dialog', { name: `Reset the password of ${CAROL.username}` });
    await dialog.getByLabel('New password').fill('short');
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    await dialog.getByRole('alert').getByText('The new password is too short: use at least 8 characters.').waitFor();
    await dialog.getByLabel('New password').fill('carol-reset-pass-2');
    await shot('pickers-04-admin-reset-dialog');
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    await page.getByRole('status').getByText(`The password of ${CAROL.username} was reset; their sessions have ended.`).waitFor();
    await dialog.waitFor({ state: 'detached' });
    await shot('pickers-05-admin-after-reset');
    assert.equal((await p.api('GET', '/api/v1/users/me', { token: carolToken })).status, 401);
    assert.equal((await p.api('POST', '/api/v1/auth/login', { body: CAROL })).status, 401);
    CAROL.password = 'carol-reset-pass-2';
    assert.equal((await p.api('POST', '/api/v1/auth/login', { body: CAROL })).status, 200);
    await logOut();
  });

  test('a user changes their password on the Account page and logs in with the new one', async () => {
    await logIn(CAROL);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    assert.deepEqual(await page.getByTestId('account').locator('dd').allTextContents().then((t) => t.slice(0, 3)), [CAROL.username, '—', 'user']);
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill('not-my-password');
    await form.getByLabel('New password', { exact: true }).fill('carol-own-pass-3');
    await form.getByLabel('Repeat new password').fill('carol-own-pass-3');
    expectedRefusal = { status: 403, url: /\/api\/v1\/users\/me\/password$/ };
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('alert').getByText('The current password is wrong (WRONG_PASSWORD)').waitFor();
    expectedRefusal = undefined;
    await form.getByLabel('Current password').fill(CAROL.password);
    await form.getByLabel('New password', { exact: true }).fill('short');
    await form.getByLabel('Repeat new password').fill('short');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('alert').getByText('The new password is too short: use at least 8 characters.').waitFor();
    await shot('pickers-06-account-error');
    await form.getByLabel('New password', { exact: true }).fill('carol-own-pass-3');
    await form.getByLabel('Repeat new password').fill('carol-own-pass-3');
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').getByText('Your password was changed. You are logged in with the new one').waitFor();
    assert.equal(await form.getByLabel('Current password').inputValue(), '');
    await page.locator('.live-dot.live').waitFor();
    await shot('pickers-07-account-changed');
    // Still logged in (with a fresh session) and the pages work.
    await page.getByRole('link', { name: 'Energy' }).click();
    await page.getByRole('heading', { name: 'Energy' }).waitFor();
    assert.equal((await p.api('POST', '/api/v1/auth/login', { body: CAROL })).status, 401);
    await logOut();
    CAROL.password = 'carol-own-pass-3';
    await logIn(CAROL);
  });

  test('the touched pages fit a phone-width screen', async () => {
    await logOut();
    await logIn(ADMIN);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const path of PAGES) {
        await page.goto(p.url + path);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        await shot(`pickers-phone${path.replaceAll('/', '-')}`);
        assert.ok(width <= 390, `${path} is ${width}px wide at a 390px viewport`);
      }
      await page.goto(`${p.url}/energy`);
      const picker = page.getByRole('combobox', { name: 'Device' });
      await picker.fill('zulu');
      await page.getByRole('option').filter({ hasText: OLDEST.id }).click();
      const [day] = [...usedPerDay].at(-1)!;
      const daily = page.getByRole('figure', { name: 'Energy per day' });
      await daily.locator(`rect.bar[data-label="${day}"]`).hover();
      await daily.getByRole('status').waitFor();
      assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= 390);
      await shot('pickers-phone-energy-tooltip');
      await picker.fill('fleet');
      await page.getByRole('option').first().waitFor();
      assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= 390);
      await page.screenshot({ path: `${ARTIFACTS}/pickers-phone-picker-open.png` });
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test('no page loaded a fixed first N devices to pick from; no console errors', () => {
    const fromTouchedPages = requested.filter((r) => PAGES.includes(r.from));
    assert.ok(fromTouchedPages.some((r) => r.url.includes('/api/v1/devices?')), 'the pickers did search');
    assert.deepEqual(
      fromTouchedPages.filter((r) => /\/api\/v1\/devices\?/.test(r.url) && !/limit=20$/.test(r.url)),
      [],
    );
    assert.deepEqual(problems, []);
  });
});
