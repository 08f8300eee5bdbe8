// The dashboard as a user waits for it, in headless Debian chromium: the time from asking for a page
// (or typing a search) until the first rows are on screen, and a dashboard of 12 widgets until each
// has drawn its data. Used by `npm run bench:dashboard`.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/helpers/chromium.ts';
import { logIn } from '../../test/helpers/dashboard-session.ts';

export interface BrowserTimings {
  overview: number[];
  devicesPage: number[];
  search: number[];
  /** Opening a dashboard until every widget has drawn its data. */
  dashboard: number[];
}

/**
 * Logs in as `username`, then `runs` times each: the overview until its device count reads
 * `expectTotal`, the devices page until its first row, and a search for `searchText` (debounce
 * included) until the row named `expectRow` shows.
 */
export async function browserTimings(
  url: string,
  login: { username: string; password: string },
  expect: { total: number; searchText: string; row: string; dashboardId: string; valueWidgets: number },
  runs: number,
): Promise<BrowserTimings> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A refused or failed request shows as an empty widget: say which, or the timing hides why.
    page.on('response', (r) => r.status() >= 400 && console.log(`browser: ${r.status()} ${r.request().method()} ${r.url()}`));
    page.on('requestfailed', (r) => console.log(`browser: failed ${r.method()} ${r.url()}: ${r.failure()?.errorText ?? ''}`));
    page.setDefaultTimeout(60_000);
    await logIn(page, url, login);
    const timed = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const out: BrowserTimings = { overview: [], devicesPage: [], search: [], dashboard: [] };
    for (let i = 0; i < runs + 1; i++) {
      const first = i === 0; // a warm-up round: the bundle and the server's caches
      const overview = await timed(async () => {
        await page.goto(`${url}/`);
        await page.getByTestId('device-count').getByText(String(expect.total), { exact: true }).waitFor();
      });
      const devices = await timed(async () => {
        await page.goto(`${url}/devices`);
        await page.locator('tbody tr a').first().waitFor();
      });
      const search = await timed(async () => {
        await page.getByLabel('Search').fill(expect.searchText);
        await page.getByRole('link', { name: expect.row, exact: true }).waitFor();
      });
      const dashboard = await timed(async () => {
        await page.goto(`${url}/dashboards/${expect.dashboardId}`);
        // Drawn: every value widget shows a reading, and every line chart is on screen (uPlot draws as it is made).
        const values = page.locator('[data-testid^="widget-value-"] .stat-value');
        await values.nth(expect.valueWidgets - 1).waitFor();
        for (const deadline = Date.now() + 30_000; (await values.allTextContents()).some((t) => t === '—'); ) {
          if (Date.now() > deadline) throw new Error(`dashboard values still empty after 30 s: ${(await values.allTextContents()).join(' | ')}`);
          await new Promise((r) => setTimeout(r, 10));
        }
        const charts = page.locator('article[data-widget="line"]');
        for (let c = 0; c < (await charts.count()); c++) await charts.nth(c).locator('.chart').first().waitFor();
      });
      if (!first) {
        out.overview.push(overview);
        out.devicesPage.push(devices);
        out.search.push(search);
        out.dashboard.push(dashboard);
      }
    }
    return out;
  } finally {
    await browser.close();
  }
}
