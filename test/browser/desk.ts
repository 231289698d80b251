/**
 * Steps every desk walk shares, done the way staff do them: through the UI only.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { checkAccessibility, describeViolations, type TestBrowser } from './browser.ts';

export const DEMO_PASSWORD = 'shelfshare-demo';

/** Opens a fresh page (signed out), runs the walk, closes the page. */
export async function withPage(browser: TestBrowser, run: (page: Page) => Promise<void>): Promise<void> {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  // Generous: two workers share two cores with Chromium and the server.
  page.setDefaultTimeout(30_000);
  try {
    await run(page);
  } finally {
    await page.close();
  }
}

/** Signs in on the staff sign-in page and waits for the staff home. */
export async function signInAsStaff(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/staff/sign-in`);
  await page.getByLabel('Username').fill(username);
  // Mantine's password field labels its visibility toggle too, so match the label's start.
  await page.getByLabel(/^Password\b/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/staff`);
}

/**
 * Chooses the institution and desk on the staff home, e.g. ('North University',
 * 'North Main Library circulation desk'), and waits until the header shows it.
 */
export async function chooseDesk(page: Page, institutionName: string, deskName: string): Promise<void> {
  await page
    .getByRole('link', { name: /^(Change|Choose a) desk$/ })
    .first()
    .click();
  await page.waitForURL(/\/staff$/);
  const institution = page.getByLabel('Institution', { exact: true });
  const option = institution.locator('option', { hasText: institutionName });
  await institution.selectOption((await option.getAttribute('value')) ?? '');
  const deskSelect = page.getByLabel('Circulation desk');
  await deskSelect.locator('option', { hasText: deskName }).waitFor({ state: 'attached' });
  await deskSelect.selectOption({ label: deskName });
  await page.getByRole('button', { name: 'Use this desk' }).click();
  await page.getByTestId('current-desk').filter({ hasText: deskName }).waitFor();
}

/** Signs in and chooses the desk in one step. */
export async function startAtDesk(
  page: Page,
  baseUrl: string,
  username: string,
  institutionName: string,
  deskName: string,
): Promise<void> {
  await signInAsStaff(page, baseUrl, username);
  await chooseDesk(page, institutionName, deskName);
}

/** Follows a link in the staff task navigation. */
export async function openStaffTask(page: Page, label: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Staff tasks' })
    .getByRole('link', { name: label, exact: true })
    .click();
}

/** Asserts axe finds no serious or critical WCAG 2.1 AA violation on the page as it is. */
export async function expectAccessible(page: Page): Promise<void> {
  const violations = await checkAccessibility(page);
  expect(violations, describeViolations(violations)).toEqual([]);
}

/**
 * Saves a screenshot for docs/screens when SHELFSHARE_SCREENSHOTS is set (the docs' pictures
 * are made by running the browser tests with it; a normal run writes nothing).
 */
export async function screenshotForDocs(page: Page, name: string): Promise<void> {
  const dir = process.env.SHELFSHARE_SCREENSHOTS;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: false });
}
