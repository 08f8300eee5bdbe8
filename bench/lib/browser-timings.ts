// The dashboard as a user waits for it, in headless Debian chromium: the time from asking for a page
// (or typing a search) until the first rows are on screen. Used by `npm run bench:dashboard`.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/helpers/chromium.ts';
import { logIn } from '../../test/helpers/dashboard-session.ts';

export interface BrowserTimings {
  overview: number[];
  devicesPage: number[];
  search: number[];
}

/**
 * Logs in as `username`, then `runs` times each: the overview until its device count reads
 * `expectTotal`, the devices page until its first row, and a search for `searchText` (debounce
 * included) until the row named `expectRow` shows.
 */
export async function browserTimings(
  url: string,
  login: { username: string; password: string },
  expect: { total: number; searchText: string; row: string },
  runs: number,
): Promise<BrowserTimings> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(60_000);
    await logIn(page, url, login);
    const timed = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const out: BrowserTimings = { overview: [], devicesPage: [], search: [] };
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
      if (!first) {
        out.overview.push(overview);
        out.devicesPage.push(devices);
        out.search.push(search);
      }
    }
    return out;
  } finally {
    await browser.close();
  }
}
