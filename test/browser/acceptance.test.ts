/**
 * Issue 7's acceptance walks in Chromium, through the staff UI only, against the real server
 * with the demo network and catalogue:
 *
 * 1. A day at one desk (CIRC-3, CIRC-4, CIRC-5, CIRC-6, CIRC-11): a patron identified by their
 *    card, three items lent by scanning, a refusal with every reason at once, a manager's
 *    override, a renewal, a late return with its fine shown, and the fine paid.
 * 2. A request's journey (CIRC-6, CIRC-7, CIRC-8, CIRC-9): placed for a patron, picked from the
 *    pick list with its slip printed, returned at a third library and routed on, put on the
 *    hold shelf at its pickup library and borrowed by the requester.
 * 3. Configuration (CIRC-2, CIRC-3): a terms-of-use change makes the next loan's due date.
 *
 * The database stands only for time passing and for looking up demo barcodes, patrons and the
 * library calendar; each such use says so. After each walk the invariants (INV-*) hold.
 * The walks share one server and run in order: walk 3 changes the standard terms last.
 */
import { sql } from 'kysely';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import {
  dayAt,
  type LibraryCalendar,
  nextOpenDay,
  plusDays,
} from '../../src/server/circulation/rules/calendar.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import {
  chooseDesk,
  DEMO_PASSWORD,
  expectAccessible as expectAccessibleNow,
  openStaffTask,
  signInAsStaff,
  startAtDesk,
  withPage,
} from './desk.ts';

const TIMEOUT = 180_000;
const DAY = 86_400_000;
const NORTH = 'North University';
const MAIN = 'North Main Library';
const MAIN_DESK = 'North Main Library circulation desk';
const SCIENCE_DESK = 'North Science Library circulation desk';
const LAW_DESK = 'North Law Library circulation desk';

let server: TestServer;
let browser: TestBrowser;

interface DemoPatron {
  id: string;
  name: string;
  barcode: string;
}

/** Demo patrons in good standing (undergraduates or graduates: the fallback rule applies). */
let goodPatrons: DemoPatron[];
/** A demo patron with a block on their account. */
let blockedPatron: DemoPatron;
/** The title asked for in walk 2: its only copy is on the shelf at North Science Library. */
let requested: { bibId: string; title: string; barcode: string };

// --- Look-ups in the demo data (the database only answers which barcodes and patrons exist) ---

async function demoPatrons(blocked: boolean, count: number): Promise<DemoPatron[]> {
  const blockedIds = server.db
    .selectFrom('patron_blocks')
    .select('patron_id')
    .where('removed_at', 'is', null);
  const rows = await server.db
    .selectFrom('patrons as p')
    .innerJoin('institutions as n', 'n.id', 'p.institution_id')
    .innerJoin('patron_identifiers as pi', (j) =>
      j.onRef('pi.institution_id', '=', 'p.institution_id').onRef('pi.patron_id', '=', 'p.id'),
    )
    .innerJoin('user_groups as g', 'g.id', 'p.user_group_id')
    .select(['p.id', 'p.first_name', 'p.last_name', 'pi.value as barcode'])
    .where('n.code', '=', 'NORTH')
    .where('pi.id_type', '=', 'BARCODE')
    .where('g.code', 'in', ['UNDERGRAD', 'GRAD'])
    .where('p.status', '=', 'active')
    .where('p.expiry_date', '>', sql<string>`current_date`)
    .where('p.middle_name', '=', '')
    .where('p.id', blocked ? 'in' : 'not in', blockedIds)
    .orderBy('pi.value')
    .limit(count)
    .execute();
  expect(rows.length).toBe(count);
  return rows.map((r) => ({ id: r.id, name: `${r.first_name} ${r.last_name}`, barcode: r.barcode }));
}

/** Regular-loan copies on the Stacks shelf at North Main Library, each taken once. */
const usedItems = new Set<string>();
async function shelfCopyAtMain(): Promise<string> {
  const rows = await server.db
    .selectFrom('items as i')
    .innerJoin('holdings as h', 'h.id', 'i.holding_id')
    .innerJoin('libraries as l', 'l.id', 'h.library_id')
    .innerJoin('locations as loc', 'loc.id', 'h.location_id')
    .innerJoin('item_policies as p', 'p.id', 'i.item_policy_id')
    .select(['i.barcode', 'i.bib_id'])
    .where('l.name', '=', MAIN)
    .where('loc.name', 'like', '%Stacks')
    .where('p.code', '=', 'REGULAR')
    .where('i.in_place', '=', true)
    .where('i.process_type', 'is', null)
    .where('i.withdrawn_at', 'is', null)
    .orderBy('i.barcode')
    .limit(100)
    .execute();
  const row = rows.find((r) => !usedItems.has(r.barcode) && !usedItems.has(r.bib_id));
  if (!row) throw new Error(`no unused shelf copy at ${MAIN}`);
  usedItems.add(row.barcode);
  usedItems.add(row.bib_id);
  return row.barcode;
}

/** A title of North University whose only copy is on the shelf at North Science Library. */
async function onlyCopyAtScience(): Promise<{ bibId: string; title: string; barcode: string }> {
  const rows = await server.db
    .selectFrom('items as i')
    .innerJoin('institutions as n', 'n.id', 'i.institution_id')
    .innerJoin('holdings as h', 'h.id', 'i.holding_id')
    .innerJoin('libraries as l', 'l.id', 'h.library_id')
    .innerJoin('locations as loc', 'loc.id', 'h.location_id')
    .innerJoin('item_policies as p', 'p.id', 'i.item_policy_id')
    .innerJoin('bib_records as b', 'b.id', 'i.bib_id')
    .select(['b.id as bibId', 'b.title', 'i.barcode'])
    .where('n.code', '=', 'NORTH')
    .where('l.name', '=', 'North Science Library')
    .where('loc.name', 'like', '%Stacks')
    .where('p.code', '=', 'REGULAR')
    .where('i.in_place', '=', true)
    .where('i.process_type', 'is', null)
    .where('i.withdrawn_at', 'is', null)
    .where('b.withdrawn_at', 'is', null)
    // Plain words, so the catalogue search finds it by its title.
    .where('b.title', '~', '^[A-Za-z][A-Za-z ]{8,}$')
    // The only copy of the title (no other copy of the record)...
    .where(
      (eb) =>
        eb
          .selectFrom('items as o')
          .select(eb.fn.countAll<string>().as('n'))
          .whereRef('o.bib_id', '=', 'i.bib_id')
          .where('o.withdrawn_at', 'is', null),
      '=',
      sql<string>`1`,
    )
    // ...and no other record of North University is the same work or has the same title.
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('bib_records as o')
            .select('o.id')
            .whereRef('o.institution_id', '=', 'b.institution_id')
            .whereRef('o.id', '<>', 'b.id')
            .where((e) =>
              e.or([e('o.work_key', '=', e.ref('b.work_key')), e('o.title', '=', e.ref('b.title'))]),
            ),
        ),
      ),
    )
    .orderBy('i.barcode')
    .limit(1)
    .executeTakeFirstOrThrow();
  return rows;
}

/**
 * The calendar of North Main Library (CIRC-3), read from the database so the walk knows whether
 * a due date falls on a closed day and moves to the next open day.
 */
async function mainLibraryCalendar(): Promise<LibraryCalendar> {
  const library = await server.db
    .selectFrom('libraries as l')
    .innerJoin('institutions as n', 'n.id', 'l.institution_id')
    .select(['l.id', 'l.time_zone', 'n.time_zone as institution_time_zone'])
    .where('l.name', '=', MAIN)
    .executeTakeFirstOrThrow();
  const openingHours = await server.db
    .selectFrom('library_opening_hours')
    .select(['weekday', 'opens', 'closes'])
    .where('library_id', '=', library.id)
    .execute();
  const closed = await server.db
    .selectFrom('library_closed_days')
    .select('day')
    .where('library_id', '=', library.id)
    .execute();
  return {
    timeZone: library.time_zone ?? library.institution_time_zone,
    openingHours,
    closedDays: closed.map((c) => String(c.day)),
  };
}

/** Stand-in for time passing: moves an active loan's dates (the item's barcode names it). */
async function moveLoanDates(barcode: string, loanedAt: Date, dueAt: Date): Promise<void> {
  const loan = await server.db
    .selectFrom('loans as l')
    .innerJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 'l.institution_id').onRef('i.id', '=', 'l.item_id'),
    )
    .select('l.id')
    .where('i.barcode', '=', barcode)
    .where('l.status', '=', 'active')
    .executeTakeFirstOrThrow();
  await server.db
    .updateTable('loans')
    .set({ loaned_at: loanedAt, due_at: dueAt })
    .where('id', '=', loan.id)
    .execute();
}

beforeAll(async () => {
  server = await startTestServer({ catalogue: true });
  browser = await launchBrowser();
  goodPatrons = await demoPatrons(false, 3);
  [blockedPatron] = (await demoPatrons(true, 1)) as [DemoPatron];
  requested = await onlyCopyAtScience();
  usedItems.add(requested.bibId);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

// --- What the operator does with the keyboard and the screen -------------------------------------

/** Types into whatever has the focus and presses Enter, as a barcode scanner does. */
async function scan(page: Page, barcode: string): Promise<void> {
  await page.keyboard.type(barcode);
  await page.keyboard.press('Enter');
}

async function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}

/**
 * The axe check on the page as the operator sees it. The pointer leaves the navigation link it
 * clicked first: that link's hover colours belong to the layout, not to the screen judged.
 */
async function expectAccessible(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await expectAccessibleNow(page);
}

/** Identifies the patron by scanning their card into "Patron barcode or name". */
async function identifyByCard(page: Page, patron: DemoPatron): Promise<void> {
  const field = page.getByLabel('Patron barcode or name');
  if (!(await hasFocus(field))) await field.focus();
  await scan(page, patron.barcode);
  await page.waitForURL(`${server.url}/staff/patron-services/${patron.id}`);
  await page.getByRole('heading', { level: 2, name: patron.name }).waitFor();
}

/** Lends by scanning into the focused scan bar; answers the status line. */
async function lendByScan(page: Page, barcode: string): Promise<string> {
  await scan(page, barcode);
  const status = page.getByTestId('loans-status').filter({ hasText: barcode });
  await status.waitFor();
  return (await status.textContent()) ?? '';
}

const loanRow = (page: Page, barcode: string) =>
  page.getByTestId('current-loans').locator('tbody tr', { hasText: barcode });

/** Follows a slip link (it opens a new tab), answers the slip page's text and closes the tab. */
async function openSlip(page: Page, name: string | RegExp, scope: Locator): Promise<string> {
  const [slip] = await Promise.all([
    page.context().waitForEvent('page'),
    scope.getByRole('link', { name }).first().click(),
  ]);
  await slip.waitForLoadState();
  const text = (await slip.locator('body').textContent()) ?? '';
  await slip.close();
  return text;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "23 Jul 2026, 20:00" (the screens' en-GB medium date) → "2026-07-23". */
function shownDay(text: string): string {
  const m = /(\d{1,2}) ([A-Za-z]{3})[A-Za-z]* (\d{4})/.exec(text);
  if (!m) throw new Error(`no date in “${text}”`);
  const month = MONTHS.indexOf((m[2] as string).toLowerCase()) + 1;
  expect(month).toBeGreaterThan(0);
  return `${m[3]}-${String(month).padStart(2, '0')}-${(m[1] as string).padStart(2, '0')}`;
}

describe('walk 1: a day at one desk (CIRC-4, CIRC-5, CIRC-6, CIRC-11)', () => {
  test(
    'identify by card, lend three by scanning, a refusal with every reason, a manager override, renew, a late return with its fine, paid',
    async () => {
      const borrower = goodPatrons[0] as DemoPatron;
      const lent = [await shelfCopyAtMain(), await shelfCopyAtMain(), await shelfCopyAtMain()];
      const overridden = await shelfCopyAtMain();

      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Patron services');
        await page.getByRole('heading', { level: 1, name: 'Patron services' }).waitFor();

        // The patron's card is scanned into the field that waits for it.
        expect(await hasFocus(page.getByLabel('Patron barcode or name'))).toBe(true);
        await identifyByCard(page, borrower);
        await page.getByTestId('open-balance').filter({ hasText: 'Nothing owed' }).waitFor();

        // Three items lent by scanning: typing and Enter only, the focus stays in the scan bar.
        const bar = page.getByLabel('Scan item barcode');
        expect(await hasFocus(bar)).toBe(true);
        for (const barcode of lent) {
          const status = await lendByScan(page, barcode);
          expect(status).toContain('Lent');
          expect(status).toContain('Scan the next item');
          expect(await hasFocus(bar)).toBe(true);
          expect(await bar.inputValue()).toBe('');
        }
        expect(await page.getByTestId('session-loans').locator('li').count()).toBe(3);
        for (const barcode of lent) await loanRow(page, barcode).waitFor();
        await expectAccessible(page);

        // The next patron is blocked and brings a copy still on loan to the first: CIRC-4 lists
        // both reasons at once, and one of them nobody may override.
        await identifyByCard(page, blockedPatron);
        await page.getByTestId('patron-warnings').filter({ hasText: 'Blocked' }).waitFor();
        expect(await hasFocus(bar)).toBe(true);
        await scan(page, lent[0] as string);
        const refusal = page.getByTestId('lend-refusal');
        await refusal
          .getByRole('alert')
          .filter({ hasText: `Not lent: ${lent[0]}` })
          .waitFor();
        const reasons = refusal.getByTestId('refusal-reasons').locator('li');
        expect(await reasons.count()).toBeGreaterThanOrEqual(2);
        const reasonText = (await refusal.getByTestId('refusal-reasons').textContent()) ?? '';
        expect(reasonText).toMatch(/blocked/i);
        expect(reasonText).toMatch(/already on loan/i);
        expect(await refusal.textContent()).toContain('cannot be overridden');
        expect(await refusal.getByRole('button', { name: 'Manager override' }).count()).toBe(0);
        expect(await hasFocus(bar)).toBe(true);
        await expectAccessible(page);

        // A copy from the shelf: only the block stands, and a manager approves the loan.
        await scan(page, overridden);
        await refusal
          .getByRole('alert')
          .filter({ hasText: `Not lent: ${overridden}` })
          .waitFor();
        expect(await reasons.count()).toBe(1);
        expect(await reasons.first().textContent()).toMatch(/blocked/i);
        await refusal.getByRole('button', { name: 'Manager override' }).click();
        const dialog = page.getByRole('dialog', { name: `Manager override for ${overridden}` });
        await dialog.waitFor();
        await dialog.getByLabel('Manager username').fill('north-desk-manager');
        await dialog.getByLabel('Manager password').fill(DEMO_PASSWORD);
        await dialog.getByLabel('Override note (optional)').fill('Block settled at the desk');
        await dialog.getByRole('button', { name: 'Approve and lend' }).click();
        const overrideStatus = page.getByTestId('loans-status').filter({ hasText: overridden });
        await overrideStatus.waitFor();
        expect(await overrideStatus.textContent()).toContain('override is recorded');
        await dialog.waitFor({ state: 'detached' });
        await loanRow(page, overridden).waitFor();

        // Stand-in for three weeks passing: the first patron's loans are due in a week.
        for (const barcode of lent) {
          await moveLoanDates(barcode, new Date(Date.now() - 21 * DAY), new Date(Date.now() + 7 * DAY));
        }

        // The first patron comes back and renews everything (CIRC-5).
        await identifyByCard(page, borrower);
        for (const barcode of lent) await loanRow(page, barcode).waitFor();
        const dueBefore = (await loanRow(page, lent[1] as string)
          .locator('td')
          .nth(3)
          .textContent()) as string;
        await page.getByRole('button', { name: 'Renew all' }).click();
        await page.getByTestId('loans-status').filter({ hasText: 'Renewed 3 of 3 loans.' }).waitFor();
        for (const barcode of lent) {
          expect(await loanRow(page, barcode).getByTestId('renewal-result').textContent()).toContain(
            'Renewed: now due',
          );
          expect(await loanRow(page, barcode).textContent()).toContain('1 of');
        }
        expect(
          shownDay(
            (await loanRow(page, lent[1] as string)
              .locator('td')
              .nth(3)
              .textContent()) as string,
          ) > shownDay(dueBefore),
        ).toBe(true);

        // Stand-in for five weeks passing: the renewed loan of the first copy is two weeks late.
        await moveLoanDates(
          lent[0] as string,
          new Date(Date.now() - 49 * DAY),
          new Date(Date.now() - 14 * DAY),
        );

        // It comes back late (CIRC-6): the fine is set and shown (CIRC-11).
        await page.getByRole('tab', { name: 'Returns' }).click();
        const returnBar = page.getByRole('tabpanel', { name: 'Returns' }).getByLabel('Scan item barcode');
        await returnBar.focus();
        await scan(page, lent[0] as string);
        const outcome = page.getByTestId('return-outcome').filter({ hasText: lent[0] as string });
        await outcome.waitFor();
        expect(await outcome.textContent()).toContain('Returned late');
        expect(await outcome.textContent()).toContain(`Borrowed by ${borrower.name}`);
        const fine = outcome.getByTestId('return-fine');
        const fineText = (await fine.textContent()) ?? '';
        const amount = /Overdue fine: (CA\$\d+\.\d\d) \(\d+ days late/.exec(fineText)?.[1];
        expect(amount, fineText).toBeDefined();
        expect(await hasFocus(returnBar)).toBe(true);
        await page
          .getByTestId('open-balance')
          .filter({ hasText: amount as string })
          .waitFor();
        await expectAccessible(page);

        // The fine is paid in full: the amount offered is what is owed.
        await fine.getByRole('button', { name: 'Go to Fines & fees' }).click();
        await page.getByRole('tab', { name: 'Fines & fees', selected: true }).waitFor();
        const feeRow = page.getByTestId('patron-fees').locator('tbody tr', { hasText: lent[0] as string });
        await feeRow.waitFor();
        expect(await feeRow.textContent()).toContain('Overdue fine');
        expect(await feeRow.textContent()).toContain(amount as string);
        await feeRow.getByRole('button', { name: 'Pay' }).click();
        const amountField = page.getByLabel('Amount (CAD)');
        expect(await hasFocus(amountField)).toBe(true);
        expect(`CA$${await amountField.inputValue()}`).toBe(amount);
        await page.getByLabel('Payment method (optional)').fill('card');
        await page.getByRole('button', { name: 'Record payment' }).click();
        await page
          .getByTestId('fees-status')
          .filter({ hasText: `Payment of ${amount} recorded` })
          .waitFor();
        await page.getByTestId('fees-balance').filter({ hasText: 'nothing owed' }).waitFor();
        await page.getByTestId('open-balance').filter({ hasText: 'Nothing owed' }).waitFor();
        expect(await feeRow.textContent()).toContain('Closed');
        expect(await feeRow.textContent()).toContain(`Paid ${amount} (card)`);
        await expectAccessible(page);

        // Two copies are still out with this patron.
        await page.getByRole('tab', { name: 'Loans' }).click();
        await page.getByTestId('current-loans').getByText('2 current loans').waitFor();
        expect(await loanRow(page, lent[0] as string).count()).toBe(0);
      });
      expect(await checkInvariants(server.db)).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('walk 2: a request from placing to borrowing (CIRC-6, CIRC-7, CIRC-8, CIRC-9)', () => {
  test(
    'placed for a patron at North Main, picked at North Science with its slip, scanned in at North Law and routed on, held at North Main, borrowed',
    async () => {
      const requester = goodPatrons[1] as DemoPatron;
      await withPage(browser, async (page) => {
        // At North Main, the patron asks for a title whose only copy is at North Science.
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Patron services');
        await identifyByCard(page, requester);
        await page.getByRole('tab', { name: 'Requests' }).click();
        await page.getByText('No active requests.').waitFor();
        const search = page.getByLabel('Search the catalogue');
        await search.fill(requested.title);
        await search.press('Enter');
        const choice = page
          .getByRole('radio', { name: new RegExp(`^${requested.title}( —| \\(|$)`) })
          .first();
        await choice.waitFor();
        await choice.check();
        await page.getByLabel('Request type').selectOption('page');
        await page.getByLabel('Pickup library').selectOption({ label: MAIN });
        await page.getByRole('button', { name: 'Place request' }).click();
        await page.getByTestId('requests-status').filter({ hasText: 'Request placed' }).waitFor();
        expect(await page.getByTestId('requests-status').textContent()).toContain(`pickup at ${MAIN}`);
        const requestRow = page
          .getByTestId('patron-requests')
          .locator('tbody tr', { hasText: requested.title });
        await requestRow.waitFor();
        expect(await requestRow.textContent()).toContain('Page');
        expect(await requestRow.textContent()).toContain(`Copy ${requested.barcode}, North Science Library`);
        await expectAccessible(page);

        // At North Science: the pick list has it; its slip is printed; it is picked and sent.
        await chooseDesk(page, NORTH, SCIENCE_DESK);
        await openStaffTask(page, 'Pick from shelf');
        await page.getByRole('heading', { level: 1, name: 'Pick from shelf' }).waitFor();
        const pickRow = page.getByRole('row').filter({ hasText: requested.barcode });
        await pickRow.waitFor();
        expect(await pickRow.textContent()).toContain(requested.title);
        expect(await pickRow.textContent()).toContain(MAIN);
        const slip = await openSlip(page, 'Print slip', pickRow);
        expect(slip).toContain(requested.title);
        expect(slip).toContain(requester.name);
        await pickRow.getByRole('button', { name: 'Mark picked' }).click();
        const pickOutcome = page.getByTestId('pick-outcome');
        await pickOutcome
          .getByRole('heading', { name: `Scan it in to put it in transit to ${MAIN}` })
          .waitFor();
        // The focus waits on "Scan in now": Enter does the next step.
        const scanNow = pickOutcome.getByRole('button', { name: 'Scan in now' });
        await expect.poll(() => hasFocus(scanNow)).toBe(true);
        await page.keyboard.press('Enter');
        await pickOutcome.getByRole('heading', { name: `Put in transit to ${MAIN}` }).waitFor();
        expect(await openSlip(page, 'Print transit slip', pickOutcome)).toContain(requested.barcode);
        await expectAccessible(page);

        // The van leaves it at North Law instead: scanned in there, it keeps its destination.
        await chooseDesk(page, NORTH, LAW_DESK);
        await openStaffTask(page, 'Scan in items');
        await page.getByRole('heading', { level: 1, name: 'Scan in items' }).waitFor();
        const scanBar = page.getByLabel('Scan item barcode');
        await expect.poll(() => hasFocus(scanBar)).toBe(true);
        await scan(page, requested.barcode);
        const card = page.getByTestId('next-step');
        await card.getByRole('heading', { name: new RegExp(`^Put in transit to ${MAIN}`) }).waitFor();
        expect(await card.textContent()).toContain(
          'It is still in transit for its request: keep it travelling to its pickup library.',
        );
        expect(await card.textContent()).not.toContain('transit that brought it is received');
        expect(await hasFocus(scanBar)).toBe(true);
        expect(await openSlip(page, 'Print transit slip', card)).toContain(requested.barcode);
        await expectAccessible(page);

        // At North Main: scanned in, it goes on the hold shelf for the requester.
        await chooseDesk(page, NORTH, MAIN_DESK);
        await openStaffTask(page, 'Scan in items');
        await page.getByRole('heading', { level: 1, name: 'Scan in items' }).waitFor();
        await expect.poll(() => hasFocus(scanBar)).toBe(true);
        await scan(page, requested.barcode);
        await card.getByRole('heading', { name: `Place on the hold shelf for ${requester.name}` }).waitFor();
        expect(await card.textContent()).toContain('transit that brought it is received');

        await openStaffTask(page, 'Hold shelf');
        await page.getByRole('heading', { level: 1, name: 'Hold shelf' }).waitFor();
        const shelfRow = page.getByRole('row').filter({ hasText: requested.barcode });
        await shelfRow.waitFor();
        expect(await shelfRow.textContent()).toContain(requester.name);
        expect(await shelfRow.textContent()).toContain(requested.title);

        // The requester comes for it: lending it completes the request.
        await openStaffTask(page, 'Patron services');
        await identifyByCard(page, requester);
        const status = await lendByScan(page, requested.barcode);
        expect(status).toContain(`Lent “${requested.title}”`);
        await loanRow(page, requested.barcode).waitFor();
        await page.getByRole('tab', { name: 'Requests' }).click();
        await page.getByText('No active requests.').waitFor();
        expect(await requestRow.count()).toBe(0);
        await expectAccessible(page);

        // The hold shelf no longer has it.
        await openStaffTask(page, 'Hold shelf');
        await page.getByRole('heading', { level: 1, name: 'Hold shelf' }).waitFor();
        await page.getByText(`On the hold shelf at ${MAIN}:`).waitFor();
        expect(await page.getByRole('row').filter({ hasText: requested.barcode }).count()).toBe(0);
      });
      expect(await checkInvariants(server.db)).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('walk 3: a terms-of-use rule changes the next loan (CIRC-2, CIRC-3)', () => {
  test(
    "the fallback rule's terms go from 28 to 7 days; the next loan at the desk is due 7 days later",
    async () => {
      const patron = goodPatrons[2] as DemoPatron;
      const calendar = await mainLibraryCalendar();
      /** The due day CIRC-3 gives a loan of `days` days lent today (moved off a closed day). */
      const expectedDue = (lentDay: string, days: number) => nextOpenDay(calendar, plusDays(lentDay, days));

      await withPage(browser, async (page) => {
        // The desk's browser shows times in the library's time zone.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Emulation.setTimezoneOverride', { timezoneId: calendar.timeZone });

        /** Lends a shelf copy by scanning and answers the due day the Current loans table shows. */
        async function lendAndReadDue(): Promise<{ lentDay: string; dueDay: string }> {
          await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_DESK);
          await openStaffTask(page, 'Patron services');
          await identifyByCard(page, patron);
          const barcode = await shelfCopyAtMain();
          const lentDay = dayAt(calendar.timeZone, new Date());
          await lendByScan(page, barcode);
          const due = (await loanRow(page, barcode).locator('td').nth(3).textContent()) ?? '';
          return { lentDay, dueDay: shownDay(due) };
        }

        // Before: the standard terms lend for 28 days.
        const before = await lendAndReadDue();
        expect(before.dueDay).toBe(expectedDue(before.lentDay, 28));
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(`${server.url}/staff/sign-in`);

        // The fulfillment administrator changes the terms the fallback rule gives.
        await signInAsStaff(page, server.url, 'north-fulfillment-admin');
        await openStaffTask(page, 'Configuration');
        await page.getByRole('heading', { level: 1, name: 'Configuration' }).waitFor();
        await page
          .getByRole('region', { name: 'Fulfillment' })
          .getByRole('link', { name: 'Terms of use and loan rules' })
          .click();
        await page.getByRole('heading', { level: 1, name: 'Terms of use and loan rules' }).waitFor();
        const rule = page.getByRole('region', { name: /^Fallback rule/ });
        await rule.getByText('28 days', { exact: true }).waitFor();
        expect(await rule.textContent()).toContain('Any patron');
        expect(await rule.textContent()).toContain('Any item');
        await expectAccessible(page);
        await rule.getByRole('button', { name: 'Change terms of use' }).click();
        const dialog = page.getByRole('dialog', { name: /^Edit terms of use/ });
        await dialog.waitFor();
        const loanPeriod = dialog.getByLabel('Loan period', { exact: true });
        expect(await loanPeriod.inputValue()).toBe('28');
        await loanPeriod.fill('7');
        await dialog.getByLabel(/^Name/).fill('Standard loan (7 days)');
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        await dialog.waitFor({ state: 'detached' });
        await page
          .getByRole('status')
          .filter({ hasText: 'Saved terms of use “Standard loan (7 days)”' })
          .waitFor();
        await rule.getByText('7 days', { exact: true }).waitFor();
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(`${server.url}/staff/sign-in`);

        // After: the same patron, the same kind of copy, the same desk: due 7 days later.
        const after = await lendAndReadDue();
        expect(after.dueDay).toBe(expectedDue(after.lentDay, 7));
        expect(after.dueDay < before.dueDay).toBe(true);
        await page.getByTestId('current-loans').getByText('2 current loans').waitFor();
        await expectAccessible(page);
      });
      expect(await checkInvariants(server.db)).toEqual([]);
    },
    TIMEOUT,
  );
});
