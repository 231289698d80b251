/**
 * Patron records and item records in Chromium (PAT-1, PAT-8, CIRC-1, CIRC-13): a user manager
 * creates a patron (a refused field first), adds identifiers (a duplicate refused), adds and
 * removes a block; a desk operator reads the record only and cannot open another member's
 * patron; a desk manager finds an item by its barcode, reads its state and history, edits and
 * withdraws it. WCAG 2.1 AA checks on each screen.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type ApiSession, apiSignIn } from './api-session.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { expectAccessible, openStaffTask, screenshotForDocs, signInAsStaff, withPage } from './desk.ts';

const TIMEOUT = 120_000;

let server: TestServer;
let browser: TestBrowser;
let northId: string;

beforeAll(async () => {
  server = await startTestServer({ catalogue: true });
  browser = await launchBrowser();
  const north = await server.db
    .selectFrom('institutions')
    .select('id')
    .where('code', '=', 'NORTH')
    .executeTakeFirstOrThrow();
  northId = north.id;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

// --- API set-up, standing for work done elsewhere (earlier desk work) ---------------------------

/** Answers the status and the body, success or not: the set-up tries items until one lends. */
async function api<T>(session: ApiSession, method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await fetch(`${server.url}/api${path}`, {
    method,
    headers: {
      accept: 'application/json',
      cookie: session.cookie,
      ...(method === 'GET' ? {} : { 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** On-shelf items of North Main Library (where the set-up desk lends). */
async function northMainItems(): Promise<string[]> {
  const rows = await server.db
    .selectFrom('items as i')
    .innerJoin('holdings as h', 'h.id', 'i.holding_id')
    .innerJoin('libraries as l', 'l.id', 'h.library_id')
    .select('i.barcode')
    .where('i.institution_id', '=', northId)
    .where('l.name', '=', 'North Main Library')
    .where('i.in_place', '=', true)
    .where('i.withdrawn_at', 'is', null)
    .orderBy('i.barcode')
    .limit(40)
    .execute();
  return rows.map((r) => r.barcode);
}

/**
 * Lends one of `barcodes` (the first the rules allow) to a fresh patron at North Main's desk,
 * as the desk did before the walk; returns the barcode lent and the loan patron's name.
 */
async function lendOneOf(session: ApiSession, barcodes: string[], surname: string) {
  const desk = await server.db
    .selectFrom('circulation_desks')
    .select('id')
    .where('institution_id', '=', northId)
    .where('name', '=', 'North Main Library circulation desk')
    .executeTakeFirstOrThrow();
  const group = await server.db
    .selectFrom('user_groups')
    .select('id')
    .where('institution_id', '=', northId)
    .where('code', '=', 'GRAD')
    .executeTakeFirstOrThrow();
  const nextYear = `${new Date().getFullYear() + 1}-12-31`;
  const patron = await api<{ id: string }>(session, 'POST', `/institutions/${northId}/patrons`, {
    primaryIdentifier: `LOAN-${surname}`,
    lastName: surname,
    firstName: 'Loan',
    userGroupId: group.id,
    expiryDate: nextYear,
  });
  expect(patron.status).toBe(201);
  for (const barcode of barcodes) {
    const loan = await api(session, 'POST', '/circulation/loans', {
      deskId: desk.id,
      itemBarcode: barcode,
      patronId: patron.body.id,
    });
    if (loan.status === 201 || loan.status === 200) return { barcode, deskId: desk.id };
  }
  throw new Error('no demo item could be lent');
}

async function fieldError(page: Page, label: string): Promise<string> {
  const input = page.getByLabel(label, { exact: true });
  expect(await input.getAttribute('aria-invalid')).toBe('true');
  const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(
    describedBy
      .split(' ')
      .filter(Boolean)
      .map((id) => page.locator(`[id="${id}"]`).textContent()),
  );
  return texts.join(' ');
}

// --- Patron records ------------------------------------------------------------------------------

describe('patron records', () => {
  let patronId = '';

  test(
    'a user manager creates a patron after a refused email, adds identifiers (a duplicate refused) and a block',
    async () => {
      const taken = await server.db
        .selectFrom('patron_identifiers')
        .select(['value'])
        .where('institution_id', '=', northId)
        .where('id_type', '=', 'BARCODE')
        .orderBy('value')
        .executeTakeFirstOrThrow();

      await withPage(browser, async (page) => {
        await signInAsStaff(page, server.url, 'north-user-manager');
        await openStaffTask(page, 'Patron records');
        await page.getByRole('heading', { level: 1, name: 'Patron records' }).waitFor();
        await page.getByRole('link', { name: 'New patron' }).click();
        await page.getByRole('heading', { level: 1, name: 'New patron' }).waitFor();

        await page.getByLabel('Last name', { exact: false }).first().fill('Ångström-Test');
        await page.getByLabel('First name').fill('Ada');
        await page.getByLabel(/^Primary identifier/).fill('NTEST-0001');
        await page.getByLabel('Email address', { exact: true }).fill('ada-at-example');
        await page.getByLabel('Expiry date').fill(`${new Date().getFullYear() + 1}-06-30`);
        await page.getByRole('button', { name: 'Create patron' }).click();

        await page.getByRole('alert').filter({ hasText: 'The patron was not created' }).waitFor();
        expect(await fieldError(page, 'Email address')).toContain('is not an email address');
        // Focus goes to the refused field; the rest of what was typed is kept.
        expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('email');
        expect(await page.getByLabel('First name').inputValue()).toBe('Ada');
        const saved = await server.db
          .selectFrom('patrons')
          .select('id')
          .where('primary_identifier', '=', 'NTEST-0001')
          .execute();
        expect(saved).toHaveLength(0);

        await page.getByLabel('Email address', { exact: true }).fill('ada@example.org');
        await page.getByRole('button', { name: 'Create patron' }).click();
        await page.getByRole('heading', { level: 1, name: 'Patron record: Ångström-Test, Ada' }).waitFor();
        patronId = page.url().split('/').pop() ?? '';
        await page.getByRole('status').filter({ hasText: 'created' }).first().waitFor();
        expect(await page.getByRole('link', { name: 'Open in patron services' }).getAttribute('href')).toBe(
          `/staff/patron-services/${patronId}`,
        );

        // An identifier added, then one another patron already holds: refused, saying so.
        await page.getByLabel('Identifier type').selectOption('UNIVERSITY_ID');
        await page.getByLabel('Identifier value').fill('U-777001');
        await page.getByRole('button', { name: 'Add identifier' }).click();
        await page
          .getByTestId('patron-identifiers')
          .getByRole('cell', { name: 'U-777001', exact: true })
          .waitFor();
        expect(await page.getByLabel('Identifier value').inputValue()).toBe('');

        await page.getByLabel('Identifier type').selectOption('BARCODE');
        await page.getByLabel('Identifier value').fill(taken.value);
        await page.getByRole('button', { name: 'Add identifier' }).click();
        const refusal = page.getByRole('alert').filter({ hasText: 'The identifier was not added' });
        await refusal.waitFor();
        expect(await refusal.textContent()).toContain(
          `BARCODE ${taken.value} is already used by another patron`,
        );
        expect(await fieldError(page, 'Identifier value')).toContain('already used by another patron');
        expect(await page.getByTestId('patron-identifiers').textContent()).not.toContain(taken.value);

        // A block, shown as a badge, then lifted.
        await page.getByLabel('Block type').selectOption('FINES');
        await page.getByLabel('Block reason').fill('Unpaid replacement fee');
        await page.getByRole('button', { name: 'Add block' }).click();
        await page
          .getByTestId('patron-blocks')
          .getByRole('cell', { name: 'Unpaid replacement fee', exact: true })
          .waitFor();
        await page.getByText('Blocked', { exact: true }).waitFor();

        await expectAccessible(page);
        await page.evaluate(() => window.scrollTo(0, 0));
        await screenshotForDocs(page, 'patron-record');

        await page.getByRole('button', { name: 'Remove block FINES' }).click();
        await page.getByText('No active blocks.').waitFor();
        expect(await page.getByText('Blocked', { exact: true }).count()).toBe(0);

        // A change saved: the details form keeps its place and says so.
        await page.getByLabel('Preferred name').fill('Addie');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page
          .getByRole('heading', { level: 1, name: 'Patron record: Ångström-Test, Ada (Addie)' })
          .waitFor();
        await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();

        // Search ignores case and diacritics and finds the identifier too.
        await openStaffTask(page, 'Patron records');
        await page.getByLabel('Find a patron').fill('angstrom-test');
        await page.getByRole('button', { name: 'Search' }).click();
        const results = page.getByTestId('patron-results');
        await results.getByRole('link', { name: /Ångström-Test, Ada/ }).waitFor();
        await page.getByLabel('Find a patron').fill('u-777001');
        await page.getByRole('button', { name: 'Search' }).click();
        await results.getByText('Identifier matches exactly').waitFor();
        await expectAccessible(page);
        await results.getByRole('link', { name: /Ångström-Test, Ada/ }).click();
        await page.getByRole('heading', { level: 1, name: /Patron record: Ångström-Test/ }).waitFor();
      });
    },
    TIMEOUT,
  );

  test(
    "a desk operator reads a patron record only and is not allowed another member's patron",
    async () => {
      expect(patronId).not.toBe('');
      const south = await server.db
        .selectFrom('patrons as p')
        .innerJoin('institutions as i', 'i.id', 'p.institution_id')
        .select(['p.id', 'p.last_name'])
        .where('i.code', '=', 'SOUTH')
        .orderBy('p.primary_identifier')
        .executeTakeFirstOrThrow();

      await withPage(browser, async (page) => {
        await signInAsStaff(page, server.url, 'north-desk-operator');
        await openStaffTask(page, 'Patron records');
        expect(await page.getByRole('link', { name: 'New patron' }).count()).toBe(0);

        await page.goto(`${server.url}/staff/patrons/${patronId}`);
        await page.getByRole('heading', { level: 1, name: /Patron record: Ångström-Test/ }).waitFor();
        await page.getByTestId('patron-details').waitFor();
        expect(await page.getByTestId('patron-details').textContent()).toContain('ada@example.org');
        for (const name of ['Save changes', 'Add identifier', 'Add block', 'Expire now', 'Set password']) {
          expect(await page.getByRole('button', { name }).count(), name).toBe(0);
        }
        await page.getByRole('heading', { name: 'Letters sent' }).waitFor();
        await expectAccessible(page);

        // PAT-8: a South College patron's record is not shown to North staff.
        await page.goto(`${server.url}/staff/patrons/${south.id}`);
        const refusal = page.getByRole('alert');
        await refusal.waitFor();
        expect(await refusal.textContent()).toContain('not allowed');
        expect(await page.locator('main').textContent()).not.toContain(south.last_name);
        expect(await page.getByTestId('patron-details').count()).toBe(0);
      });
    },
    TIMEOUT,
  );

  test(
    'a user manager expires an account after confirming',
    async () => {
      expect(patronId).not.toBe('');
      await withPage(browser, async (page) => {
        await signInAsStaff(page, server.url, 'north-user-manager');
        await page.goto(`${server.url}/staff/patrons/${patronId}`);
        await page.getByRole('button', { name: 'Expire now' }).click();
        const dialog = page.getByRole('dialog', { name: 'Expire this account now?' });
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'hidden' });
        expect(await page.getByText('Expired', { exact: true }).count()).toBe(0);

        await page.getByRole('button', { name: 'Expire now' }).click();
        await dialog.getByRole('button', { name: 'Expire account' }).click();
        await page.getByText('Expired', { exact: true }).waitFor();
        await page.getByText(/The account expired on/).waitFor();
      });
    },
    TIMEOUT,
  );
});

// --- Item records --------------------------------------------------------------------------------

describe('item records', () => {
  test(
    'a desk manager finds an item by its barcode, reads its history, edits it and withdraws it',
    async () => {
      const session = await apiSignIn(server.url, 'north-desk-manager');
      const candidates = await northMainItems();
      // Earlier desk work: one copy lent and returned (its history), one still on loan.
      const returned = await lendOneOf(session, candidates, 'Returner');
      const back = await api(session, 'POST', '/circulation/returns', {
        deskId: returned.deskId,
        itemBarcode: returned.barcode,
      });
      expect(back.status).toBe(200);
      const onLoan = await lendOneOf(
        session,
        candidates.filter((b) => b !== returned.barcode),
        'Borrower',
      );

      await withPage(browser, async (page) => {
        await signInAsStaff(page, server.url, 'north-desk-manager');
        await openStaffTask(page, 'Item records');
        await page.getByRole('heading', { level: 1, name: 'Item records' }).waitFor();
        // The pointer leaves the navigation (the layout's hovered current link is checked elsewhere).
        await page.mouse.move(600, 700);

        // An unknown barcode: said so, focus stays for the next scan.
        const scan = page.getByLabel('Item barcode');
        await scan.fill('NO-SUCH-BARCODE');
        await scan.press('Enter');
        await page.getByRole('alert').filter({ hasText: 'No item with barcode NO-SUCH-BARCODE' }).waitFor();
        expect(await scan.evaluate((el) => el === document.activeElement)).toBe(true);

        await scan.fill(returned.barcode);
        await scan.press('Enter');
        await page.getByRole('heading', { level: 1, name: `Item record: ${returned.barcode}` }).waitFor();
        expect(await page.getByTestId('item-state').textContent()).toMatch(/^On the shelf at /);
        const history = page.getByTestId('item-history');
        await history.waitFor();
        await history.getByRole('cell', { name: 'Lent' }).waitFor();
        await history.getByRole('cell', { name: 'Returned' }).waitFor();
        expect(await history.textContent()).toContain('North Main Library circulation desk');
        expect(await history.textContent()).toContain('Loan Returner');
        await expectAccessible(page);
        await screenshotForDocs(page, 'item-record');

        await page.getByRole('button', { name: 'Edit item' }).click();
        await page.getByLabel('Note').fill('Spine repaired');
        await page.getByLabel(/^Call number/).fill('QA 76.9 .T47');
        await page.getByRole('button', { name: 'Save item' }).click();
        await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
        const details = page.getByTestId('item-details');
        expect(await details.textContent()).toContain('Spine repaired');
        expect(await details.textContent()).toContain('QA 76.9 .T47');

        // A barcode another item holds is refused next to the field.
        await page.getByRole('button', { name: 'Edit item' }).click();
        await page.getByLabel('Barcode').fill(onLoan.barcode);
        await page.getByRole('button', { name: 'Save item' }).click();
        await page.getByRole('alert').filter({ hasText: 'The changes were not saved' }).waitFor();
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Cancel' }).click();

        await page.getByRole('button', { name: 'Withdraw item' }).click();
        const dialog = page.getByRole('dialog', { name: 'Withdraw this item?' });
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Withdraw item' }).click();
        await page.getByRole('status').filter({ hasText: 'withdrawn' }).waitFor();
        expect(await page.getByTestId('item-state').textContent()).toMatch(/^Withdrawn on /);
        expect(await page.getByRole('button', { name: 'Edit item' }).count()).toBe(0);

        // The copy on loan: its state in words, and withdrawing it refused with the reason.
        await openStaffTask(page, 'Item records');
        await page.getByLabel('Item barcode').fill(onLoan.barcode);
        await page.getByRole('button', { name: 'Find' }).click();
        await page.getByRole('heading', { level: 1, name: `Item record: ${onLoan.barcode}` }).waitFor();
        await page.getByTestId('item-history').waitFor();
        expect(await page.getByTestId('item-state').textContent()).toMatch(
          /^On loan to Loan Borrower until /,
        );
        await page.getByRole('button', { name: 'Withdraw item' }).click();
        await dialog.getByRole('button', { name: 'Withdraw item' }).click();
        await dialog.getByRole('alert').waitFor();
        expect(await dialog.getByRole('alert').textContent()).toContain('not on the shelf');
      });
    },
    TIMEOUT,
  );
});
