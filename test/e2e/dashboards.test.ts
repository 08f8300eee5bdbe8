// End to end: a user-built dashboard with a widget of every kind, live; edited on its grid (add,
// resize, reorder, delete, save; a saved chart made and placed as a widget); shared read-only with another user, who sees only the devices they
// may read. Real platform, built dashboard, headless chromium; screenshots in test-artifacts/e2e/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumSkipReason } from '../helpers/chromium.ts';
import { ensureDashboardBuilt } from '../helpers/dashboard-build.ts';
import { logIn, logOut } from '../helpers/dashboard-session.ts';
import { type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';

const ARTIFACTS = 'test-artifacts/e2e';
const skip = chromiumSkipReason();
const ALICE = { username: 'alice', password: 'alice-password-1' };
const BOB = { username: 'bob', password: 'bob-password-1' };
const HOUR = 3_600_000;

describe('user-built dashboards end to end', { skip: skip ?? false }, () => {
  let p: RunningPlatform;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let alice: string;
  let dashboardId: string;
  const keys: Record<string, string> = {};

  const shot = async (name: string) => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureDashboardBuilt();
    p = await startPlatform();
    for (const u of [ALICE, BOB]) assert.equal((await p.api('POST', '/api/v1/auth/register', { body: u })).status, 201);
    alice = await p.login(ALICE.username, ALICE.password);
    const now = Date.now();
    for (const [id, type] of [['dash-thermo', 'thermostat'], ['dash-plug', 'smart_plug'], ['dash-meter', 'smart_meter'], ['dash-lock', 'door_lock']] as const) {
      const d = await p.api('POST', '/api/v1/devices', { token: alice, body: { id, name: id, device_type: type } });
      assert.equal(d.status, 201);
      keys[id] = d.body.api_key as string;
    }
    const post = async (id: string, body: unknown) => assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: keys[id], body })).status, 201);
    await post('dash-thermo', [0, 1, 2].map((i) => ({ data: { temperature: 19 + i, target_temperature: 21, heating: i % 2 === 0 }, timestamp: now - (3 - i) * HOUR })));
    await post('dash-plug', { data: { power_on: true, power: 143.9, energy_usage: 0.02 }, timestamp: now - HOUR });
    await post('dash-meter', [0, 1, 2, 3].map((i) => ({ data: { energy_usage: 0.5 + i }, timestamp: now - (i + 1) * 20 * HOUR })));
    await post('dash-lock', { data: { locked: true, battery_level: 81 }, timestamp: now - HOUR });
    // bob may read the thermostat only.
    const bob = (await p.api('POST', '/api/v1/auth/login', { body: BOB })).body.user.id as string;
    assert.equal((await p.api('POST', '/api/v1/devices/dash-thermo/access', { token: alice, body: { user_id: bob, level: 'read' } })).status, 201);

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console error: ${msg.text()} at ${msg.location().url ?? ''}`));
  });

  after(async () => {
    await browser?.close();
    await p?.stop();
  });

  test('a dashboard with a widget of every kind shows values with units, live', async () => {
    const widgets = [
      { id: 'v1', kind: 'value', device_ids: ['dash-thermo'], fields: ['temperature'], w: 3 },
      { id: 'g1', kind: 'gauge', device_ids: ['dash-lock'], fields: ['battery_level'], w: 3 },
      { id: 't1', kind: 'thermostat', device_ids: ['dash-thermo'], w: 6 },
      { id: 'l1', kind: 'line', title: 'Temperatures', device_ids: ['dash-thermo'], fields: ['temperature', 'target_temperature'], w: 6, h: 2 },
      { id: 'b1', kind: 'bar', title: 'Meter', device_ids: ['dash-meter'], range: '7d', w: 6, h: 2 },
      { id: 'tb', kind: 'table', title: 'Latest', device_ids: ['dash-plug', 'dash-lock', 'dash-thermo'], w: 8 },
      { id: 'tl', kind: 'timeline', title: 'Heating', device_ids: ['dash-thermo'], fields: ['heating'], w: 4 },
    ];
    const created = await p.api('POST', '/api/v1/dashboards', { token: alice, body: { name: 'Home', widgets } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    dashboardId = created.body.id as string;

    await logIn(page, p.url, ALICE);
    await page.getByRole('link', { name: 'Dashboards' }).click();
    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    await page.getByTestId('widget-value-dash-thermo-temperature').getByText('21.0 °C').waitFor();
    await page.getByTestId('widget-gauge-dash-lock').getByText('81 %').waitFor();
    await page.getByTestId('widget-thermostat-dash-thermo-temperature').getByText('21.0 °C').waitFor();
    await page.getByRole('img', { name: 'Temperatures (°C)' }).waitFor();
    await page.getByRole('figure', { name: 'Meter per day' }).getByText('kWh').first().waitFor();
    const table = page.locator('article[data-widget="table"]');
    await table.getByText('143.9 W').waitFor();
    await table.getByText('locked').waitFor();
    await page.locator('article[data-widget="timeline"] .timeline-run').first().waitFor();
    await shot('30-dashboard');

    // Live: a new reading shows without a reload.
    assert.equal((await p.api('POST', '/api/v1/telemetry', { apiKey: keys['dash-thermo'], body: { temperature: 22.5 } })).status, 201);
    await page.getByTestId('widget-value-dash-thermo-temperature').getByText('22.5 °C').waitFor();
  });

  test('the owner edits the grid: resize, reorder, delete, add a widget; saved on the server', async () => {
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Width of Value').selectOption('6');
    await page.getByRole('button', { name: 'Move Gauge earlier' }).click();
    await page.getByRole('button', { name: 'Delete Heating' }).click();
    const add = page.getByRole('form', { name: 'Add a widget' });
    await add.getByLabel('Kind').selectOption('value');
    const picker = add.getByRole('combobox', { name: 'Widget device' });
    await picker.fill('dash-plug');
    await page.getByRole('option').filter({ hasText: 'dash-plug' }).click();
    await add.getByLabel('Fields').fill('power');
    await add.getByLabel('Title').fill('Kettle');
    await add.getByRole('button', { name: 'Add widget' }).click();
    // A saved chart is one kind of widget: made here with the chart builder, then placed.
    await add.getByLabel('Kind').selectOption('chart');
    await add.getByRole('button', { name: 'New chart…' }).click();
    const builder = page.getByRole('dialog', { name: 'New chart' });
    await builder.getByLabel('Name').fill('Heating history');
    await builder.getByRole('combobox', { name: 'Device' }).fill('dash-thermo');
    await page.getByRole('option').filter({ hasText: 'dash-thermo' }).click();
    await builder.getByLabel('Field').selectOption('temperature');
    await builder.getByRole('button', { name: 'Add series' }).click();
    await builder.getByLabel('Field').selectOption('heating');
    await builder.getByRole('button', { name: 'Add series' }).click();
    await builder.getByRole('button', { name: 'Save chart' }).click();
    await add.locator('select[name="widget_chart"]').selectOption({ label: 'Heating history (2 series)' });
    await add.getByRole('button', { name: 'Add widget' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    await shot('31-dashboard-edit');
    const saved = (await p.api('GET', `/api/v1/dashboards/${dashboardId}`, { token: alice })).body;
    assert.deepEqual(
      saved.widgets.map((w: { id: string; kind: string; w: number; title: string }) => [w.kind, w.w, w.title]),
      [['gauge', 3, ''], ['value', 6, ''], ['thermostat', 6, ''], ['line', 6, 'Temperatures'], ['bar', 6, 'Meter'], ['table', 8, 'Latest'], ['value', 4, 'Kettle'], ['chart', 6, 'Heating history']],
    );
    const chartId = (await p.api('GET', '/api/v1/charts', { token: alice })).body.charts[0].id as string;
    assert.equal(saved.widgets.at(-1).chart_id, chartId);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.locator('article[aria-label="Kettle"]').getByText('143.9 W').waitFor();
    // The chart widget: temperature on an axis in °C, heating as a timeline of its labels.
    const chart = page.locator('article[data-widget="chart"]');
    await chart.getByRole('img', { name: 'Heating history (°C)' }).waitFor();
    await chart.locator('.timeline-run').first().waitFor();
  });

  test('shared read-only: the viewer sees the devices they may read, no edit controls, and fits a phone', async () => {
    // The owner shares it by username from the page.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Share read-only with (usernames, comma-separated)').fill(BOB.username);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    const bobId = (await p.api('POST', '/api/v1/auth/login', { body: BOB })).body.user.id as string;
    assert.deepEqual((await p.api('GET', `/api/v1/dashboards/${dashboardId}`, { token: alice })).body.shared_with, [bobId]);
    await logOut(page);
    await logIn(page, p.url, BOB);
    await page.goto(`${p.url}/dashboards`);
    await page.getByText('shared with you, read-only').first().waitFor();
    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByTestId('widget-value-dash-thermo-temperature').getByText('22.5 °C').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit', exact: true }).count(), 0);
    // The gauge's lock and the plug are not bob's to read: left out, and said so.
    await page.locator('article[data-widget="gauge"]').getByText("You may not read this widget's devices.").waitFor();
    await page.locator('article[data-widget="table"]').getByText('2 device(s) not shown: you may not read them.').waitFor();
    assert.equal(await page.locator('article[data-widget="table"]').getByText('143.9 W').count(), 0);
    // A thermostat bob only reads: its target cannot be set.
    assert.equal(await page.locator('article[data-widget="thermostat"]').getByRole('button', { name: 'Set' }).isDisabled(), true);
    await shot('32-dashboard-shared-read-only');
    await page.setViewportSize({ width: 390, height: 844 });
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    assert.ok(width <= 390, `the dashboard is ${width}px wide at a 390px viewport`);
    await shot('33-dashboard-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('no console errors or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
