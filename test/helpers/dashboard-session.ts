// Logging in and out of the dashboard as a user does, for the end-to-end tests.
import type { Page } from 'playwright-core';

export async function logIn(page: Page, url: string, user: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in', exact: true }).last().click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('tab', { name: 'Create account' }).waitFor();
}
