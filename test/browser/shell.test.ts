/**
 * The web UI shell in Chromium against the real server with the demo network: staff sign-in,
 * choosing a desk, sign-out; discovery homes and patron sign-in; WCAG 2.1 AA checks (GET-1).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startTestServer } from '../support/server.ts';
import { checkAccessibility, describeViolations, launchBrowser, type TestBrowser } from './browser.ts';

const PASSWORD = 'shelfshare-demo';
const TIMEOUT = 60_000;

let server: { url: string; close(): Promise<void> };
let browser: TestBrowser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  // Each test starts signed out: the persistent context would otherwise share the session cookie.
  await browser.context.clearCookies();
});

async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(15_000);
  try {
    await run(page);
  } finally {
    await page.close();
  }
}

/** Mantine's password field labels its visibility toggle too, so match the label's start. */
async function signInAsStaff(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${server.url}/staff/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel(/^Password\b/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('staff shell', () => {
  test(
    'a desk operator signs in, chooses an institution and desk, keeps it over a reload and signs out',
    async () => {
      await withPage(async (page) => {
        await signInAsStaff(page, 'north-desk-operator');
        await page.waitForURL(`${server.url}/staff`);
        const header = page.locator('header');
        await header.filter({ hasText: 'No desk chosen' }).waitFor();
        expect(await page.title()).toContain('Staff home');

        await page
          .getByLabel('Institution', { exact: true })
          .selectOption({ label: 'North University (NORTH)' });
        const deskSelect = page.getByLabel('Circulation desk');
        await deskSelect.waitFor();
        const firstDesk = deskSelect.locator('option:not([value=""])').first();
        const deskId = await firstDesk.getAttribute('value');
        const deskName = (await firstDesk.textContent())?.trim() ?? '';
        expect(deskId).toBeTruthy();
        expect(deskName).not.toBe('');
        await deskSelect.selectOption(deskId ?? '');
        await page.getByRole('button', { name: 'Use this desk' }).click();

        await header.filter({ hasText: deskName }).waitFor();
        expect(await header.textContent()).toContain('North University');
        expect(await header.textContent()).not.toContain('No desk chosen');
        const privileges = page.getByRole('region', { name: 'Your privileges' });
        expect(await privileges.textContent()).toContain('circulation.desk');

        await page.reload();
        await header.filter({ hasText: deskName }).waitFor();
        expect(await header.textContent()).toContain('North University');

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(`${server.url}/staff/sign-in`);
        await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();

        // The session is gone: the staff home sends us back to sign-in.
        await page.goto(`${server.url}/staff`);
        await page.waitForURL(`${server.url}/staff/sign-in`);
      });
    },
    TIMEOUT,
  );

  test(
    'a wrong password shows the message from the API',
    async () => {
      await withPage(async (page) => {
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url().endsWith('/api/auth/sign-in')),
          signInAsStaff(page, 'north-desk-operator', 'not-the-password'),
        ]);
        expect(response.status()).toBe(401);
        const body = (await response.json()) as { code: string; message: string };
        expect(body.code).toBe('INVALID_CREDENTIALS');

        const alert = page.getByRole('alert');
        await alert.waitFor();
        expect(await alert.textContent()).toContain(body.message);
        expect(page.url()).toBe(`${server.url}/staff/sign-in`);
      });
    },
    TIMEOUT,
  );
});

describe('discovery', () => {
  test(
    'a discovery home shows its institution and libraries; a patron signs in and out',
    async () => {
      const south = (await (await fetch(`${server.url}/api/public/institutions/SOUTH`)).json()) as {
        name: string;
        libraries: { name: string }[];
      };
      expect(south.libraries.length).toBeGreaterThan(0);

      await withPage(async (page) => {
        await page.goto(`${server.url}/discovery/SOUTH`);
        await page.getByRole('heading', { level: 1, name: south.name }).waitFor();
        const libraries = page.getByRole('region', { name: 'Libraries' });
        for (const library of south.libraries) {
          await libraries.getByText(library.name, { exact: true }).waitFor();
        }
        await page.getByLabel('Search the network catalogue').fill('moby dick');
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.waitForURL(`${server.url}/discovery/SOUTH/search?q=moby+dick`);
        await page.getByText('0 works found').waitFor();

        await page.goto(`${server.url}/discovery/NORTH`);
        await page.getByRole('heading', { level: 1, name: 'North University' }).waitFor();
        await page.getByLabel('Identifier').fill('N0001');
        await page.getByLabel(/^Password\b/).fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('Signed in as').waitFor();

        await page.reload();
        await page.getByText('Signed in as').waitFor();
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByLabel('Identifier').waitFor();

        await page.goto(`${server.url}/discovery/NOWHERE`);
        await page.getByText('No institution with code NOWHERE').waitFor();
      });
    },
    TIMEOUT,
  );
});

describe('accessibility', () => {
  test(
    'axe finds no serious or critical WCAG 2.1 AA violations on the shell pages',
    async () => {
      await withPage(async (page) => {
        const report: string[] = [];
        async function check(name: string): Promise<void> {
          const violations = await checkAccessibility(page);
          if (violations.length > 0) report.push(`${name}:\n${describeViolations(violations)}`);
          expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
          expect(await page.title()).not.toBe('');
        }

        await page.goto(`${server.url}/`);
        await page.getByRole('link', { name: 'North University' }).waitFor();
        await check('landing');

        await page.goto(`${server.url}/staff/sign-in`);
        await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
        await check('staff sign-in');

        await signInAsStaff(page, 'north-desk-operator');
        await page.waitForURL(`${server.url}/staff`);
        await page.getByLabel('Circulation desk').waitFor();
        await check('staff home');

        await page.goto(`${server.url}/discovery/NORTH`);
        await page.getByRole('heading', { level: 1, name: 'North University' }).waitFor();
        await page.getByRole('region', { name: 'Your account' }).getByRole('button').first().waitFor();
        await check('discovery home');

        expect(report.join('\n\n')).toBe('');
      });
    },
    TIMEOUT,
  );
});
