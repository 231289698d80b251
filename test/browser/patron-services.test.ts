/**
 * Patron services in Chromium (issue 7): the screen circulation staff live in. A desk operator
 * identifies a patron by scanning their card, lends by scanning (the focus stays in the scan
 * bar), renews, emails a receipt, sees a refusal with every reason and asks a manager to
 * override; a desk manager overrides themselves; a late return shows its fine, which is paid,
 * over-paid (refused) and waived; a request is placed and cancelled; the letters are listed.
 * Every step goes through the UI; the database is used only to find demo barcodes and to stand
 * for time passing.
 */
import { sql } from 'kysely';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import {
  DEMO_PASSWORD,
  expectAccessible,
  openStaffTask,
  screenshotForDocs,
  startAtDesk,
  withPage,
} from './desk.ts';

const TIMEOUT = 120_000;
const DAY = 86_400_000;
const NORTH = 'North University';
const MAIN_DESK = 'North Main Library circulation desk';
const REQUEST_TITLE = 'The pragmatic programmer';

let server: TestServer;
let browser: TestBrowser;

interface DemoPatron {
  id: string;
  name: string;
  barcode: string;
  primaryIdentifier: string;
  lastName: string;
}
/** A patron in good standing, scanned by their card's barcode. */
let borrower: DemoPatron;
/** A blocked patron (demo data blocks some patrons). */
let blockedPatron: DemoPatron;
/** Items on the shelf at North, not the one the request test asks for. */
let shelf: string[];

async function demoPatron(blocked: boolean): Promise<DemoPatron> {
  const db = server.db;
  const blockedIds = db.selectFrom('patron_blocks').select('patron_id').where('removed_at', 'is', null);
  const row = await db
    .selectFrom('patrons as p')
    .innerJoin('institutions as n', 'n.id', 'p.institution_id')
    .innerJoin('patron_identifiers as pi', (j) =>
      j.onRef('pi.institution_id', '=', 'p.institution_id').onRef('pi.patron_id', '=', 'p.id'),
    )
    .innerJoin('user_groups as g', 'g.id', 'p.user_group_id')
    .select(['p.id', 'p.first_name', 'p.last_name', 'p.primary_identifier', 'pi.value as barcode'])
    .where('n.code', '=', 'NORTH')
    .where('pi.id_type', '=', 'BARCODE')
    .where('g.code', 'in', ['UNDERGRAD', 'GRAD'])
    .where('p.status', '=', 'active')
    .where('p.expiry_date', '>', sql<string>`current_date`)
    .where('p.id', blocked ? 'in' : 'not in', blockedIds)
    // Latin names, so the name search below can type them.
    .where('p.last_name', '~', '^[A-Za-z]+$')
    .orderBy('pi.value')
    .limit(1)
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    name: `${row.first_name} ${row.last_name}`,
    barcode: row.barcode,
    primaryIdentifier: row.primary_identifier,
    lastName: row.last_name,
  };
}

beforeAll(async () => {
  server = await startTestServer({ catalogue: true });
  browser = await launchBrowser();
  borrower = await demoPatron(false);
  blockedPatron = await demoPatron(true);
  const items = await server.db
    .selectFrom('items as i')
    .innerJoin('institutions as n', 'n.id', 'i.institution_id')
    .innerJoin('bib_records as b', (j) =>
      j.onRef('b.institution_id', '=', 'i.institution_id').onRef('b.id', '=', 'i.bib_id'),
    )
    .select('i.barcode')
    .where('n.code', '=', 'NORTH')
    .where('i.in_place', '=', true)
    .where('i.withdrawn_at', 'is', null)
    .where('b.title', '<>', REQUEST_TITLE)
    .orderBy('i.barcode')
    .limit(10)
    .execute();
  shelf = items.map((i) => i.barcode);
  expect(shelf.length).toBe(10);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Types into whatever has the focus and presses Enter, as a barcode scanner does. */
async function scan(page: Page, barcode: string): Promise<void> {
  await page.keyboard.type(barcode);
  await page.keyboard.press('Enter');
}

async function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}

/** Identifies the patron by scanning their card into "Patron barcode or name". */
async function openByScan(page: Page, patron: DemoPatron): Promise<void> {
  const field = page.getByLabel('Patron barcode or name');
  await field.click();
  await scan(page, patron.barcode);
  await page.waitForURL(`${server.url}/staff/patron-services/${patron.id}`);
  await page.getByRole('heading', { level: 2, name: patron.name }).waitFor();
}

async function loanIdOf(barcode: string): Promise<string> {
  const row = await server.db
    .selectFrom('loans as l')
    .innerJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 'l.institution_id').onRef('i.id', '=', 'l.item_id'),
    )
    .select('l.id')
    .where('i.barcode', '=', barcode)
    .where('l.status', '=', 'active')
    .executeTakeFirstOrThrow();
  return row.id;
}

const loanRow = (page: Page, barcode: string) =>
  page.getByTestId('current-loans').locator('tbody tr', { hasText: barcode });

describe('patron services', () => {
  test(
    'an operator scans a patron card, lends three items by scanning, renews one and all, emails a receipt and sees the letters',
    async () => {
      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Patron services');
        await page.getByRole('heading', { level: 1, name: 'Patron services' }).waitFor();
        // No patron yet: the field waits for the card.
        expect(await hasFocus(page.getByLabel('Patron barcode or name'))).toBe(true);

        await openByScan(page, borrower);
        const summary = page.getByTestId('patron-summary');
        expect(await summary.textContent()).toContain(borrower.barcode);
        expect(await summary.textContent()).toContain('Nothing owed');
        expect(await page.title()).toContain(borrower.name);

        // The scan bar has the focus: three scans without touching the mouse.
        const bar = page.getByLabel('Scan item barcode');
        expect(await hasFocus(bar)).toBe(true);
        const lent = shelf.slice(0, 3);
        for (const barcode of lent) {
          await scan(page, barcode);
          await page.getByTestId('loans-status').filter({ hasText: barcode }).waitFor();
          expect(await page.getByTestId('loans-status').textContent()).toContain('Scan the next item');
          expect(await hasFocus(bar)).toBe(true);
          expect(await bar.inputValue()).toBe('');
        }
        expect(await page.getByTestId('session-loans').locator('li').count()).toBe(3);
        await page.getByTestId('current-loans').getByText('3 current loans').waitFor();
        for (const barcode of lent) await loanRow(page, barcode).waitFor();
        const receipt = loanRow(page, lent[0] as string).getByRole('link', { name: /^Print receipt/ });
        expect(await receipt.getAttribute('href')).toMatch(/\/api\/circulation\/loans\/.+\/receipt$/);
        expect(await receipt.getAttribute('target')).toBe('_blank');
        await expectAccessible(page);
        await screenshotForDocs(page, 'patron-services-loans');

        // The same item again: refused with its reason, nothing to override.
        await scan(page, lent[0] as string);
        const refusal = page.getByTestId('lend-refusal');
        await refusal
          .getByRole('alert')
          .filter({ hasText: `Not lent: ${lent[0]}` })
          .waitFor();
        expect(await refusal.getByTestId('refusal-reasons').textContent()).toMatch(/on loan/i);
        expect(await refusal.getByRole('button', { name: 'Manager override' }).count()).toBe(0);
        expect(await hasFocus(bar)).toBe(true);

        // Stand-in for "three weeks pass": the loans are now due in three days, so renewing moves them.
        for (const barcode of lent) {
          await server.db
            .updateTable('loans')
            .set({ due_at: new Date(Date.now() + 3 * DAY), loaned_at: new Date(Date.now() - 25 * DAY) })
            .where('id', '=', await loanIdOf(barcode))
            .execute();
        }
        await page.getByRole('tab', { name: 'Returns' }).click();
        await page.getByRole('tab', { name: 'Loans' }).click();
        await loanRow(page, lent[0] as string).waitFor();

        // Renew one selected loan.
        await page.getByRole('checkbox', { name: new RegExp(`\\(${lent[0]}\\)$`) }).check();
        await page.getByRole('button', { name: 'Renew selected' }).click();
        await page.getByTestId('loans-status').filter({ hasText: 'Renewed 1 of 1 loan.' }).waitFor();
        expect(
          await loanRow(page, lent[0] as string)
            .getByTestId('renewal-result')
            .textContent(),
        ).toContain('Renewed: now due');
        expect(await loanRow(page, lent[0] as string).textContent()).toContain('1 of 3');

        // Renew all: the one just renewed cannot move later, the others are renewed; each says so.
        await page.getByRole('button', { name: 'Renew all' }).click();
        await page.getByTestId('loans-status').filter({ hasText: 'Renewed 2 of 3 loans.' }).waitFor();
        expect(await page.getByTestId('loans-status').textContent()).toContain('1 not renewed');
        const refused = await loanRow(page, lent[0] as string)
          .getByTestId('renewal-result')
          .textContent();
        expect(refused).toContain('Not renewed');
        expect(refused).toContain('would not move the due date later');
        for (const barcode of lent.slice(1)) {
          expect(await loanRow(page, barcode).getByTestId('renewal-result').textContent()).toContain(
            'Renewed: now due',
          );
        }

        // Email one receipt for this session's loans, then see it with the other letters.
        await page.getByRole('button', { name: 'Email receipt', exact: true }).click();
        await page.getByTestId('loans-status').filter({ hasText: 'will be emailed to' }).waitFor();
        await page.getByRole('tab', { name: 'Letters' }).click();
        const letters = page.getByTestId('patron-letters');
        await letters.waitFor();
        // One receipt written at each loan, and the emailed one.
        expect(await letters.locator('tbody tr', { hasText: 'Loan receipt' }).count()).toBe(4);
        await expectAccessible(page);

        // A reload keeps the patron and the tab.
        await page.reload();
        await page.getByRole('heading', { level: 2, name: borrower.name }).waitFor();
        await page.getByRole('tab', { name: 'Letters', selected: true }).waitFor();
        await page.getByTestId('patron-letters').waitFor();
      });
    },
    TIMEOUT,
  );

  test(
    'a refused lend shows every reason at once; the operator asks a manager, who approves with their password',
    async () => {
      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Patron services');
        // The pointer leaves the navigation link it clicked (its hover colour is the layout's).
        await page.mouse.move(0, 0);
        // A name search lists the matches; the keyboard chooses one.
        const field = page.getByLabel('Patron barcode or name');
        await field.fill(blockedPatron.lastName);
        await field.press('Enter');
        const matches = page.getByRole('list', { name: /Patrons matching/ }).getByRole('button');
        await matches.first().waitFor();
        const labels = await matches.allTextContents();
        const index = labels.findIndex((l) => l.includes(blockedPatron.primaryIdentifier));
        expect(index).toBeGreaterThanOrEqual(0);
        expect(labels[index]).toContain('BLOCKED');
        expect(await hasFocus(matches.first())).toBe(true);
        for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await page.waitForURL(`${server.url}/staff/patron-services/${blockedPatron.id}`);
        const warnings = page.getByTestId('patron-warnings');
        await warnings.waitFor();
        expect(await warnings.textContent()).toContain('Blocked');

        // An item on loan to someone else, to a blocked patron: both reasons at once, one not overridable.
        const bar = page.getByLabel('Scan item barcode');
        expect(await hasFocus(bar)).toBe(true);
        await scan(page, shelf[1] as string);
        const refusal = page.getByTestId('lend-refusal');
        await refusal.getByTestId('refusal-reasons').waitFor();
        const reasons = refusal.getByTestId('refusal-reasons').locator('li');
        expect(await reasons.count()).toBe(2);
        expect(await refusal.textContent()).toContain('blocked');
        expect(await refusal.textContent()).toContain('cannot be overridden');
        expect(await refusal.getByRole('button', { name: 'Manager override' }).count()).toBe(0);
        await expectAccessible(page);
        await screenshotForDocs(page, 'patron-services-refusal');

        // A free item: only the block, which a manager may override.
        await scan(page, shelf[3] as string);
        await refusal
          .getByRole('alert')
          .filter({ hasText: `Not lent: ${shelf[3]}` })
          .waitFor();
        expect(await reasons.count()).toBe(1);
        expect(await refusal.getByRole('button', { name: 'Override and lend' }).count()).toBe(0);
        await refusal.getByRole('button', { name: 'Manager override' }).click();
        const dialog = page.getByRole('dialog', { name: `Manager override for ${shelf[3]}` });
        await dialog.waitFor();
        await dialog.getByLabel('Manager username').fill('north-desk-manager');
        await dialog.getByLabel('Manager password').fill('not-the-password');
        await dialog.getByRole('button', { name: 'Approve and lend' }).click();
        await dialog.getByRole('alert').filter({ hasText: 'The override was not approved' }).waitFor();
        await expectAccessible(page);
        await dialog.getByLabel('Manager password').fill(DEMO_PASSWORD);
        await dialog.getByLabel('Override note (optional)').fill('Block lifted by phone');
        await dialog.getByRole('button', { name: 'Approve and lend' }).click();
        await page
          .getByTestId('loans-status')
          .filter({ hasText: shelf[3] as string })
          .waitFor();
        expect(await page.getByTestId('loans-status').textContent()).toContain('override is recorded');
        expect(await dialog.count()).toBe(0);
        expect(await refusal.count()).toBe(0);
        await loanRow(page, shelf[3] as string).waitFor();
      });
    },
    TIMEOUT,
  );

  test(
    'a desk manager overrides a refusal and lends with a note',
    async () => {
      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-manager', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Patron services');
        await openByScan(page, blockedPatron);
        await scan(page, shelf[4] as string);
        const refusal = page.getByTestId('lend-refusal');
        await refusal
          .getByRole('alert')
          .filter({ hasText: `Not lent: ${shelf[4]}` })
          .waitFor();
        expect(await refusal.getByRole('button', { name: 'Manager override' }).count()).toBe(0);
        await refusal.getByLabel('Override note (optional)').fill('Patron showed the new card');
        await refusal.getByRole('button', { name: 'Override and lend' }).click();
        await page
          .getByTestId('loans-status')
          .filter({ hasText: shelf[4] as string })
          .waitFor();
        expect(await page.getByTestId('loans-status').textContent()).toContain('override is recorded');
        await loanRow(page, shelf[4] as string).waitFor();
        const history = await server.db
          .selectFrom('item_history')
          .select('details')
          .where('event', '=', 'override')
          .where('loan_id', '=', await loanIdOf(shelf[4] as string))
          .executeTakeFirstOrThrow();
        expect(JSON.stringify(history.details)).toContain('Patron showed the new card');
      });
    },
    TIMEOUT,
  );

  test(
    'a late return shows its fine; the fine is paid in part, an over-payment is refused, the rest is waived',
    async () => {
      const late = shelf[5] as string;
      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Patron services');
        await openByScan(page, borrower);
        await scan(page, late);
        await page.getByTestId('loans-status').filter({ hasText: late }).waitFor();

        // Stand-in for "two weeks pass" after the due date: the loan is now fourteen days late.
        await server.db
          .updateTable('loans')
          .set({ due_at: new Date(Date.now() - 14 * DAY), loaned_at: new Date(Date.now() - 42 * DAY) })
          .where('id', '=', await loanIdOf(late))
          .execute();

        await page.getByRole('tab', { name: 'Returns' }).click();
        const bar = page.getByRole('tabpanel', { name: 'Returns' }).getByLabel('Scan item barcode');
        await bar.click();
        await scan(page, late);
        const outcome = page.getByTestId('return-outcome').filter({ hasText: late });
        await outcome.waitFor();
        expect(await outcome.textContent()).toContain('Returned');
        expect(await outcome.textContent()).toMatch(
          /Next: (Reshelve it|Send it in transit|Put it on the hold shelf)\./,
        );
        const fine = outcome.getByTestId('return-fine');
        expect(await fine.textContent()).toMatch(/Overdue fine: CA\$\d+\.\d\d \(\d+ days late/);
        expect(await hasFocus(bar)).toBe(true);

        // An item back on time says nothing of a fine (the API reports a fine of 0 for it).
        const onTime = shelf[6] as string;
        await page.getByRole('tab', { name: 'Loans' }).click();
        await page.getByRole('tabpanel', { name: 'Loans' }).getByLabel('Scan item barcode').click();
        await scan(page, onTime);
        await page.getByTestId('loans-status').filter({ hasText: onTime }).waitFor();
        await page.getByRole('tab', { name: 'Returns' }).click();
        await page.getByRole('tabpanel', { name: 'Returns' }).getByLabel('Scan item barcode').click();
        await scan(page, onTime);
        const onTimeOutcome = page.getByTestId('return-outcome').filter({ hasText: onTime });
        await onTimeOutcome.waitFor();
        expect(await onTimeOutcome.getByTestId('return-fine').count()).toBe(0);
        expect(await page.getByTestId('returns-status').textContent()).not.toContain('fine');
        // The late return made before is still listed after switching tabs.
        await outcome.waitFor();
        await expectAccessible(page);

        await fine.getByRole('button', { name: 'Go to Fines & fees' }).click();
        await page.getByRole('tab', { name: 'Fines & fees', selected: true }).waitFor();
        const row = page.getByTestId('patron-fees').locator('tbody tr', { hasText: late });
        await row.waitFor();
        expect(await row.textContent()).toContain('Overdue fine');
        expect(await page.getByTestId('open-balance').textContent()).toMatch(/CA\$/);

        // Part of it in cash.
        await row.getByRole('button', { name: 'Pay' }).click();
        const amount = page.getByLabel('Amount (CAD)');
        expect(await hasFocus(amount)).toBe(true);
        await amount.fill('1.00');
        await page.getByLabel('Payment method (optional)').fill('cash');
        await page.getByRole('button', { name: 'Record payment' }).click();
        await page.getByTestId('fees-status').filter({ hasText: 'Payment of CA$1.00 recorded' }).waitFor();
        expect(await page.getByTestId('fees-status').textContent()).toContain('still owed');
        await row.filter({ hasText: 'Paid CA$1.00 (cash)' }).waitFor();

        // More than is owed: refused, with the reason.
        await row.getByRole('button', { name: 'Pay' }).click();
        await page.getByLabel('Amount (CAD)').fill('500');
        await page.getByRole('button', { name: 'Record payment' }).click();
        const overpaid = page.getByRole('alert').filter({ hasText: 'Payment not recorded' });
        await overpaid.waitFor();
        expect(await overpaid.textContent()).toMatch(/CA\$500\.00 is more than the balance of CA\$\d+\.\d\d/);
        await expectAccessible(page);
        await screenshotForDocs(page, 'patron-services-fees');
        await page.getByRole('button', { name: 'Cancel', exact: true }).click();

        // The rest waived, with the reason it needs.
        await row.getByRole('button', { name: 'Waive' }).click();
        await page.getByRole('button', { name: 'Record waiver' }).click();
        await page.getByText('Give the reason for waiving.').waitFor();
        await page.getByLabel(/^Reason\b/).fill('First late return');
        await page.getByRole('button', { name: 'Record waiver' }).click();
        await page.getByTestId('fees-status').filter({ hasText: 'Nothing more is owed' }).waitFor();
        await page.getByTestId('fees-balance').filter({ hasText: 'nothing owed' }).waitFor();
        await page.getByTestId('open-balance').filter({ hasText: 'Nothing owed' }).waitFor();
        expect(await row.textContent()).toContain('Closed');

        // The cash paid is given back: a refund never reopens the fee.
        await row.getByRole('button', { name: 'Refund' }).click();
        expect(await page.getByLabel('Amount (CAD)').inputValue()).toBe('1.00');
        await page.getByLabel(/^Reason\b/).fill('Paid by mistake');
        await page.getByRole('button', { name: 'Record refund' }).click();
        await page.getByTestId('fees-status').filter({ hasText: 'Refund of CA$1.00 recorded' }).waitFor();
        await row.filter({ hasText: 'Refunded CA$1.00' }).waitFor();
        expect(await row.textContent()).toContain('Closed');
      });
    },
    TIMEOUT,
  );

  test(
    'a request is placed for the patron from the catalogue and cancelled with a reason',
    async () => {
      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Patron services');
        await openByScan(page, borrower);
        await page.getByRole('tab', { name: 'Requests' }).click();
        const search = page.getByLabel('Search the catalogue');
        await search.fill('pragmatic programmer');
        await search.press('Enter');
        const choice = page.getByRole('radio', { name: new RegExp(`^${REQUEST_TITLE}`) }).first();
        await choice.waitFor();
        await choice.check();
        await page.getByLabel('Request type').selectOption('hold');
        await page.getByLabel('Pickup library').selectOption({ label: 'North Main Library' });
        await page.getByRole('button', { name: 'Place request' }).click();
        await page.getByTestId('requests-status').filter({ hasText: 'Request placed' }).waitFor();
        expect(await page.getByTestId('requests-status').textContent()).toContain(
          'pickup at North Main Library',
        );
        const row = page.getByTestId('patron-requests').locator('tbody tr', { hasText: REQUEST_TITLE });
        await row.waitFor();
        expect(await row.textContent()).toContain('Hold');
        expect(await row.textContent()).toContain('North Main Library');
        await expectAccessible(page);

        // Asking for the same title again is refused, with the reason.
        await search.fill('pragmatic programmer');
        await search.press('Enter');
        await choice.check();
        await page.getByRole('button', { name: 'Place request' }).click();
        await page.getByRole('alert').filter({ hasText: 'The request was not placed' }).waitFor();

        await row.getByRole('button', { name: 'Cancel request' }).click();
        const dialog = page.getByRole('dialog', { name: `Cancel the request for ${REQUEST_TITLE}` });
        await dialog.waitFor();
        await dialog.getByRole('button', { name: 'Confirm cancellation' }).click();
        await dialog.getByText('Give the reason for cancelling').waitFor();
        await dialog.getByLabel(/^Reason for cancelling/).fill('Patron bought a copy');
        await dialog.getByRole('button', { name: 'Confirm cancellation' }).click();
        await page.getByTestId('requests-status').filter({ hasText: 'is cancelled' }).waitFor();
        // Only active requests are listed: the cancelled one leaves the list.
        await page.getByText('No active requests.').waitFor();
        expect(await row.count()).toBe(0);
      });
    },
    TIMEOUT,
  );
  test(
    'a renewal refused because the renewals are used up is renewed by a manager override',
    async () => {
      // The borrower still has the loan of shelf[1] from the first test (renewed once there).
      const barcode = shelf[1] as string;
      const loanId = await loanIdOf(barcode);
      const terms = await server.db
        .selectFrom('loans as l')
        .innerJoin('terms_of_use as t', 't.id', 'l.terms_of_use_id')
        .select('t.renewals_allowed')
        .where('l.id', '=', loanId)
        .executeTakeFirstOrThrow();
      expect(terms.renewals_allowed).toBeGreaterThan(0);
      // Stand-in for the earlier renewals and for time passing: every renewal the terms allow
      // is used, and the loan is due in three days, so an overridden renewal moves it later.
      await server.db
        .updateTable('loans')
        .set({ renewals_used: terms.renewals_allowed, due_at: new Date(Date.now() + 3 * DAY) })
        .where('id', '=', loanId)
        .execute();

      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Patron services');
        await openByScan(page, borrower);
        const row = loanRow(page, barcode);
        await row.waitFor();
        const dueBefore = (await row.locator('td').nth(3).textContent()) ?? '';
        await page.getByRole('checkbox', { name: new RegExp(`\\(${barcode}\\)$`) }).check();
        await page.getByRole('button', { name: 'Renew selected' }).click();
        await page.getByTestId('loans-status').filter({ hasText: 'Renewed 0 of 1 loan.' }).waitFor();
        const result = row.getByTestId('renewal-result');
        expect(await result.textContent()).toContain('Not renewed');
        expect(await result.textContent()).toContain('the most the terms of use allow');
        // The operator may not override: only a manager's sign-in is offered.
        expect(await row.getByRole('button', { name: /^Override and renew/ }).count()).toBe(0);
        await row.getByRole('button', { name: `Manager override ${barcode}` }).click();
        const dialog = page.getByRole('dialog', { name: `Manager override for ${barcode}` });
        await dialog.waitFor();
        expect(await dialog.textContent()).toContain(`approve renewing ${barcode}`);
        await dialog.getByLabel('Manager username').fill('north-desk-manager');
        await dialog.getByLabel('Manager password').fill(DEMO_PASSWORD);
        await dialog.getByLabel('Override note (optional)').fill('Thesis deadline next week');
        await expectAccessible(page);
        await dialog.getByRole('button', { name: 'Approve and renew' }).click();
        await page.getByTestId('loans-status').filter({ hasText: 'by override' }).waitFor();
        expect(await dialog.count()).toBe(0);
        expect(await result.textContent()).toMatch(/^Renewed by override: now due /);
        const renewed = await server.db
          .selectFrom('loans')
          .select(['due_at', 'renewals_used'])
          .where('id', '=', loanId)
          .executeTakeFirstOrThrow();
        expect(renewed.renewals_used).toBe(terms.renewals_allowed + 1);
        expect(renewed.due_at.getTime()).toBeGreaterThan(Date.now() + 3 * DAY);
        // The table shows the new due date and the renewal count once it reloads.
        await row.filter({ hasText: `${terms.renewals_allowed + 1} of ${terms.renewals_allowed}` }).waitFor();
        const dueAfter = (await row.locator('td').nth(3).textContent()) ?? '';
        expect(dueAfter).not.toBe(dueBefore);
        expect(await result.textContent()).toContain(dueAfter.replace(/\s*Overdue$/, '').trim());
        expect(await page.getByTestId('loans-status').textContent()).toContain('recorded in the item');
        const history = await server.db
          .selectFrom('item_history')
          .select('details')
          .where('event', '=', 'override')
          .where('loan_id', '=', loanId)
          .executeTakeFirstOrThrow();
        expect(JSON.stringify(history.details)).toContain('Thesis deadline next week');
        expect(JSON.stringify(history.details)).toContain('RENEWALS_EXHAUSTED');
        await screenshotForDocs(page, 'patron-services-renewal-override');
      });
    },
    TIMEOUT,
  );
});
