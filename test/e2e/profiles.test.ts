// End to end: the device page of every built-in profile, as a user sees it. A device of each type
// reports a reading of each of its fields; its overview shows every value with the profile's label,
// unit and decimals, and its control tab shows the profile's commands (none of another type's). At
// desktop and phone width, with no console errors. Screenshots go to test-artifacts/e2e/profiles/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { BUILTIN_PROFILES } from '../../src/contract/profiles/builtin-profiles.ts';
import type { FieldSpec, ProfileDefinition } from '../../src/contract/profiles/profile.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumSkipReason } from '../helpers/chromium.ts';
import { ensureDashboardBuilt } from '../helpers/dashboard-build.ts';
import { logIn } from '../helpers/dashboard-session.ts';
import { ADMIN, type RunningPlatform, startPlatform } from '../helpers/running-platform.ts';

const ARTIFACTS = 'test-artifacts/e2e/profiles';
const skip = chromiumSkipReason();

/** A reading inside the field's range (or a plain value for booleans, enums and text). */
function sample(f: FieldSpec): number | boolean | string {
  if (f.kind === 'boolean') return true;
  if (f.kind === 'enum') return Object.keys(f.labels)[0] ?? 'x';
  if (f.kind === 'text') return 'ok';
  const lo = f.min ?? 0;
  const hi = f.max ?? lo + 100;
  return lo + (hi - lo) * 0.37;
}

/** What the page shows for that reading: the label of a boolean or enum, else the number with the profile's decimals and unit. */
function shown(f: FieldSpec, v: number | boolean | string): string {
  const label = f.labels[String(v)];
  if (label !== undefined) return label;
  if (typeof v !== 'number') return String(v);
  const n = f.decimals === null ? String(Math.round(v * 100) / 100) : v.toFixed(f.decimals);
  return f.unit ? `${n} ${f.unit}` : n;
}

describe('every built-in profile\'s device page', { skip: skip ?? false }, () => {
  let p: RunningPlatform;
  let browser: Browser;
  let page: Page;
  let token: string;
  const problems: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureDashboardBuilt();
    p = await startPlatform();
    token = await p.login(ADMIN.username, ADMIN.password);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console error: ${msg.text()} at ${msg.location().url ?? ''}`));
    await logIn(page, p.url, ADMIN);
  });

  after(async () => {
    await browser?.close();
    await p?.stop();
  });

  const check = (profile: ProfileDefinition) => async () => {
    const id = `e2e-${profile.device_type.replace(/_/g, '-')}`;
    const created = await p.api('POST', '/api/v1/devices', { token, body: { id, name: profile.name, device_type: profile.device_type } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const data = Object.fromEntries(profile.fields.map((f) => [f.key, sample(f)]));
    const sent = await p.api('POST', '/api/v1/telemetry', { apiKey: created.body.api_key, body: { data, timestamp: Date.now() - 60_000 } });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${p.url}/devices/${id}`);
    await page.getByRole('heading', { name: profile.name }).waitFor();
    for (const f of profile.fields) {
      const card = page.getByTestId(`latest-${f.key}`);
      await card.locator('.stat-value').getByText(shown(f, data[f.key]!), { exact: true }).waitFor();
      await card.getByText(f.label, { exact: false }).first().waitFor();
    }
    assert.equal(await page.locator('.badge', { hasText: 'unprofiled' }).count(), 0, 'every field is described by the profile');
    await page.screenshot({ path: `${ARTIFACTS}/${profile.device_type}-overview.png`, fullPage: true });

    await page.getByRole('tab', { name: 'Control' }).click();
    await page.getByRole('heading', { name: 'Control' }).waitFor();
    const control = page.locator('fieldset.controls');
    if (profile.commands.some((c) => c.name === 'turn_on') && profile.commands.some((c) => c.name === 'turn_off')) {
      await control.getByRole('group', { name: 'Power' }).waitFor();
    }
    if (profile.views.control === 'lock') await control.getByRole('group', { name: 'Lock' }).waitFor();
    if (profile.views.control === 'thermostat') await control.getByLabel('Target temperature (°C)').waitFor();
    for (const c of profile.commands.filter((c) => !['turn_on', 'turn_off', 'lock', 'unlock', 'set_target_temperature'].includes(c.name))) {
      await control.getByRole('button', { name: c.label, exact: true }).waitFor();
    }
    // Only profiles that take any command offer the free command form.
    assert.equal(await control.getByLabel('Command', { exact: true }).count(), profile.open_commands ? 1 : 0);
    await page.setViewportSize({ width: 390, height: 844 });
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    assert.ok(width <= 390, `${profile.device_type}: the control tab is ${width}px wide at a 390px viewport`);
    await page.screenshot({ path: `${ARTIFACTS}/${profile.device_type}-control-phone.png`, fullPage: true });
  };

  for (const profile of BUILTIN_PROFILES) test(`${profile.device_type}: values with units, the profile's controls, phone width`, check(profile));

  test('no console errors or page errors on any profile\'s page', () => {
    assert.deepEqual(problems, []);
  });
});
