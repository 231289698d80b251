/**
 * The desk workflow screens in Chromium (CIRC-6..9, FN-3): pick from shelf, transits, scan in,
 * the hold shelf and its expired list, and item returns, at the demo network's North
 * University desks. Requests and loans are set up through the API (placing a request and
 * lending belong to the patron services screen, tested elsewhere); everything the desk does
 * after that goes through these screens.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type ApiMethod, type ApiSession, apiCall, apiSignIn } from './api-session.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import {
  chooseDesk,
  expectAccessible as expectAccessibleNow,
  openStaffTask,
  screenshotForDocs,
  startAtDesk,
  withPage,
} from './desk.ts';

const TIMEOUT = 120_000;
const NORTH = 'North University';
const SCIENCE_DESK = 'North Science Library circulation desk';
const MAIN_DESK = 'North Main Library circulation desk';
const MAIN_RETURNS_DESK = 'North Main Library returns desk';

let server: TestServer;
let browser: TestBrowser;

/** What the walks need from the demo data, read once from the database. */
interface Fixture {
  institutionId: string;
  libraries: { main: string; science: string };
  desks: { main: string; science: string };
  patrons: { amara: string; liam: string; sofia: string };
}
let fx: Fixture;

/** Shelf copies nobody has used yet, per library: each walk takes its own. */
const used = new Set<string>();

interface ShelfItem {
  id: string;
  barcode: string;
  title: string;
}

async function takeItem(libraryId: string): Promise<ShelfItem> {
  const rows = await server.db
    .selectFrom('items as i')
    .innerJoin('holdings as h', 'h.id', 'i.holding_id')
    .innerJoin('locations as l', 'l.id', 'h.location_id')
    .innerJoin('bib_records as b', 'b.id', 'i.bib_id')
    .select(['i.id', 'i.barcode', 'i.bib_id', 'b.title'])
    .where('h.library_id', '=', libraryId)
    .where('i.in_place', '=', true)
    .where('i.process_type', 'is', null)
    .where('i.withdrawn_at', 'is', null)
    .where('l.name', 'like', '%Stacks')
    .where('b.title', '<>', '')
    .orderBy('i.barcode')
    .limit(200)
    .execute();
  const row = rows.find((r) => !used.has(r.id) && !used.has(r.bib_id));
  if (!row) throw new Error(`no unused shelf copy at library ${libraryId}`);
  used.add(row.id);
  used.add(row.bib_id);
  return { id: row.id, barcode: row.barcode, title: row.title };
}

const api = <T>(s: ApiSession, m: ApiMethod, p: string, b?: unknown) => apiCall<T>(server.url, s, m, p, b);

let staff: ApiSession;

/**
 * Places a page request for one copy (setup: placing requests belongs to the patron services
 * screen, tested elsewhere) and answers its id.
 */
async function placePage(item: ShelfItem, patronId: string, pickupLibraryId: string): Promise<string> {
  const request = await api<{ id: string }>(staff, 'POST', '/circulation/requests', {
    itemId: item.id,
    requestType: 'page',
    patronId,
    pickupLibraryId,
  });
  return request.id;
}

beforeAll(async () => {
  server = await startTestServer({ catalogue: true });
  browser = await launchBrowser();
  const db = server.db;
  const institution = await db
    .selectFrom('institutions')
    .select('id')
    .where('code', '=', 'NORTH')
    .executeTakeFirstOrThrow();
  const libraries = await db
    .selectFrom('libraries')
    .select(['id', 'name'])
    .where('institution_id', '=', institution.id)
    .execute();
  const libraryId = (name: string) => libraries.find((l) => l.name === name)?.id ?? '';
  const desks = await db
    .selectFrom('circulation_desks')
    .select(['id', 'name'])
    .where('institution_id', '=', institution.id)
    .execute();
  const deskId = (name: string) => desks.find((d) => d.name === name)?.id ?? '';
  const patrons = await db
    .selectFrom('patrons')
    .select(['id', 'primary_identifier'])
    .where('institution_id', '=', institution.id)
    .where('primary_identifier', 'in', ['N0001', 'N0002', 'N0003'])
    .execute();
  const patronId = (identifier: string) => patrons.find((p) => p.primary_identifier === identifier)?.id ?? '';
  fx = {
    institutionId: institution.id,
    libraries: { main: libraryId('North Main Library'), science: libraryId('North Science Library') },
    desks: { main: deskId(MAIN_DESK), science: deskId(SCIENCE_DESK) },
    patrons: { amara: patronId('N0001'), liam: patronId('N0002'), sofia: patronId('N0003') },
  };
  expect(Object.values(fx.libraries).every(Boolean) && Object.values(fx.desks).every(Boolean)).toBe(true);
  expect(Object.values(fx.patrons).every(Boolean)).toBe(true);
  staff = await apiSignIn(server.url, 'north-desk-manager');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * The axe check on the page as the operator sees it. The pointer is moved off the staff
 * navigation first: the nav link just clicked stays hovered, and its hover colours belong to
 * StaffLayout (reported to the lead), not to these screens.
 */
async function expectAccessible(page: Page): Promise<void> {
  await page.mouse.move(1300, 740);
  await expectAccessibleNow(page);
}

/** The table row that shows this barcode. */
function rowWith(page: Page, barcode: string) {
  return page.getByRole('row').filter({ hasText: barcode });
}

/** Follows a slip link (it opens a new tab) and answers the slip page's text. */
async function openSlip(page: Page, name: string | RegExp, scope = page.locator('body')): Promise<string> {
  const [slip] = await Promise.all([
    page.context().waitForEvent('page'),
    scope.getByRole('link', { name }).first().click(),
  ]);
  await slip.waitForLoadState();
  const text = (await slip.locator('body').textContent()) ?? '';
  await slip.close();
  return text;
}

describe('desk workflow screens', () => {
  test(
    'FN-3: a copy at North Science for pickup at North Main is picked, sent in transit, scanned in at North Main and waits on the hold shelf',
    async () => {
      const item = await takeItem(fx.libraries.science);
      await placePage(item, fx.patrons.amara, fx.libraries.main);

      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, SCIENCE_DESK);

        // Pick from shelf: the request is on the list, in shelf order, with its pickup library.
        await openStaffTask(page, 'Pick from shelf');
        await page.getByRole('heading', { level: 1, name: 'Pick from shelf' }).waitFor();
        const row = rowWith(page, item.barcode);
        await row.waitFor();
        expect(await row.textContent()).toContain(item.title);
        expect(await row.textContent()).toContain('North Main Library');
        await expectAccessible(page);
        await screenshotForDocs(page, 'pick-list');

        // The row's pick slip and the whole list's slips open as print-ready pages.
        expect(await openSlip(page, 'Print slip', row)).toContain(item.title);
        expect(await openSlip(page, 'Print pick slips')).toContain(item.barcode);

        await row.getByRole('button', { name: 'Mark picked' }).click();
        const outcome = page.getByTestId('pick-outcome');
        await outcome
          .getByRole('heading', { name: 'Scan it in to put it in transit to North Main Library' })
          .waitFor();
        await rowWith(page, item.barcode).waitFor({ state: 'detached' });

        // FN-3: scanning the picked copy puts it in transit, with a transit slip to print.
        // Focus waits on "Scan in now": the keyboard does the next step.
        const scanNow = outcome.getByRole('button', { name: 'Scan in now' });
        await expect.poll(() => scanNow.evaluate((el) => el === document.activeElement)).toBe(true);
        await page.keyboard.press('Enter');
        await outcome.getByRole('heading', { name: 'Put in transit to North Main Library' }).waitFor();
        const transitSlip = await openSlip(page, 'Print transit slip', outcome);
        expect(transitSlip).toContain(item.barcode);

        // Transits: "From this library" lists it.
        await openStaffTask(page, 'Transits');
        await page.getByRole('heading', { level: 1, name: 'Transits' }).waitFor();
        await page.getByRole('tab', { name: 'From this library' }).click();
        const transitRow = rowWith(page, item.barcode);
        await transitRow.waitFor();
        expect(await transitRow.textContent()).toContain('North Main Library');
        expect(await transitRow.textContent()).toContain('For a request');
        await expectAccessible(page);
        await screenshotForDocs(page, 'transits');

        // At North Main: the item arrives and is scanned in.
        await chooseDesk(page, NORTH, MAIN_DESK);
        await openStaffTask(page, 'Transits');
        await rowWith(page, item.barcode).waitFor(); // "To this library" is the first tab
        await openStaffTask(page, 'Scan in items');
        await page.getByRole('heading', { level: 1, name: 'Scan in items' }).waitFor();
        const scan = page.getByLabel('Scan item barcode');
        await expect.poll(() => scan.evaluate((el) => el === document.activeElement)).toBe(true);
        await scan.fill(item.barcode);
        await scan.press('Enter');
        const card = page.getByTestId('next-step');
        await card.getByRole('heading', { name: 'Place on the hold shelf for Amara Okafor' }).waitFor();
        expect(await card.textContent()).toContain('transit that brought it is received');
        // Focus stays in the scan bar for the next item.
        expect(await scan.evaluate((el) => el === document.activeElement)).toBe(true);
        expect(await openSlip(page, 'Print hold-shelf slip', card)).toContain('Amara Okafor');
        const session = page.getByRole('table', { name: /Scanned at this desk this session \(1\)/ });
        expect(await session.textContent()).toContain(item.barcode);
        await expectAccessible(page);
        await screenshotForDocs(page, 'scan-in');

        // The hold shelf lists it for its patron.
        await openStaffTask(page, 'Hold shelf');
        await page.getByRole('heading', { level: 1, name: 'Hold shelf' }).waitFor();
        const shelfRow = rowWith(page, item.barcode);
        await shelfRow.waitFor();
        expect(await shelfRow.textContent()).toContain('Amara Okafor');
        expect(await shelfRow.textContent()).toContain(item.title);
        expect(await openSlip(page, 'Print hold-shelf slip', shelfRow)).toContain(item.barcode);
        await expectAccessible(page);
        await screenshotForDocs(page, 'hold-shelf');
      });
    },
    TIMEOUT,
  );

  test(
    'CIRC-6 / CIRC-11: a late return at the returns desk closes the loan, shows the fine and says to reshelve',
    async () => {
      const item = await takeItem(fx.libraries.main);
      // Setup: lending belongs to the patron services screen, tested elsewhere.
      const lent = await api<{ loan: { id: string } }>(staff, 'POST', '/circulation/loans', {
        deskId: fx.desks.main,
        itemBarcode: item.barcode,
        patronId: fx.patrons.liam,
      });
      // Stand-in for weeks passing: the loan was due five days ago.
      const day = 24 * 60 * 60 * 1000;
      await server.db
        .updateTable('loans')
        .set({ loaned_at: new Date(Date.now() - 30 * day), due_at: new Date(Date.now() - 5 * day) })
        .where('id', '=', lent.loan.id)
        .execute();

      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_RETURNS_DESK);
        await openStaffTask(page, 'Manage item returns');
        await page.getByRole('heading', { level: 1, name: 'Manage item returns' }).waitFor();

        // An unknown barcode is refused and says why.
        const scan = page.getByLabel('Scan item barcode');
        await scan.fill('NO-SUCH-BARCODE');
        await page.getByRole('button', { name: 'Return', exact: true }).click();
        const alert = page.getByRole('alert');
        await alert.waitFor();
        expect(await alert.textContent()).toContain('NO-SUCH-BARCODE');

        await scan.fill(item.barcode);
        await scan.press('Enter');
        const card = page.getByTestId('next-step');
        await card.getByRole('heading', { name: 'Reshelve at North Main Library' }).waitFor();
        expect(await card.textContent()).toContain('Loan closed: it was lent to Liam Tremblay');
        expect(await card.getByTestId('fine').textContent()).toMatch(/overdue fine \S+ for \d+ charged day/);
        expect(await card.textContent()).toContain('Late return');
        expect(await card.textContent()).toContain('No slip to print');
        await expect.poll(() => page.getByRole('alert').count()).toBe(0);

        // The session list keeps both scans, newest first.
        const rows = page
          .getByRole('table', { name: /Scanned at this desk this session \(2\)/ })
          .getByRole('row');
        expect(await rows.nth(1).textContent()).toContain(item.barcode);
        expect(await rows.nth(2).textContent()).toContain('NO-SUCH-BARCODE');
        await expectAccessible(page);
        await screenshotForDocs(page, 'returns');
      });
      const loan = await server.db
        .selectFrom('loans')
        .select('status')
        .where('id', '=', lent.loan.id)
        .executeTakeFirstOrThrow();
      expect(loan.status).toBe('returned');
    },
    TIMEOUT,
  );

  test(
    'CIRC-7: a copy missing from the shelf is marked from the pick list with a note, and the list refreshes',
    async () => {
      const item = await takeItem(fx.libraries.science);
      await placePage(item, fx.patrons.sofia, fx.libraries.main);

      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, SCIENCE_DESK);
        await openStaffTask(page, 'Pick from shelf');
        const row = rowWith(page, item.barcode);
        await row.waitFor();

        // Damaged: the dialog explains, and "Go back" does nothing.
        await row.getByRole('button', { name: 'Damaged' }).click();
        const damaged = page.getByRole('dialog', { name: 'Mark the copy damaged?' });
        await damaged.waitFor();
        await damaged.getByRole('button', { name: 'Go back' }).click();
        await damaged.waitFor({ state: 'detached' });
        await row.waitFor();

        await row.getByRole('button', { name: 'Missing' }).click();
        const dialog = page.getByRole('dialog', { name: 'Mark the copy missing?' });
        expect(await dialog.textContent()).toContain(item.barcode);
        await dialog.getByLabel('Note').fill('Not on the shelf or the sorting cart');
        await expectAccessible(page);
        await dialog.getByRole('button', { name: 'Mark missing' }).click();
        await dialog.waitFor({ state: 'detached' });
        const outcome = page.getByTestId('pick-outcome');
        await outcome
          .getByRole('heading', { name: /request (now waits for another copy|waits in its queue)/ })
          .waitFor();
        expect(await outcome.textContent()).toContain(`Marked missing: ${item.title} (${item.barcode})`);
        await rowWith(page, item.barcode).waitFor({ state: 'detached' });
      });
      const state = await server.db
        .selectFrom('items')
        .select(['process_type', 'in_place'])
        .where('id', '=', item.id)
        .executeTakeFirstOrThrow();
      expect(state.process_type).toBe('missing');
    },
    TIMEOUT,
  );

  test(
    'CIRC-8: a manager processes the expired hold shelf; the item is listed to take off the shelf and scanned in from there',
    async () => {
      const item = await takeItem(fx.libraries.main);
      const requestId = await placePage(item, fx.patrons.liam, fx.libraries.main);
      // Setup through the API (picking and scanning in are tested above): on the hold shelf at North Main.
      await api(staff, 'POST', `/circulation/requests/${fx.institutionId}/${requestId}/picked`);
      const scanned = await api<{ nextStep: { kind: string } }>(staff, 'POST', '/circulation/returns', {
        deskId: fx.desks.main,
        itemBarcode: item.barcode,
      });
      expect(scanned.nextStep.kind).toBe('hold_shelf');
      // Stand-in for the hold shelf period passing: the request expired yesterday.
      await server.db
        .updateTable('requests')
        .set({ hold_shelf_expires_at: new Date(Date.now() - 24 * 60 * 60 * 1000) })
        .where('id', '=', requestId)
        .execute();

      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-manager', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Hold shelf');
        const shelfRow = rowWith(page, item.barcode);
        await shelfRow.waitFor();
        expect(await shelfRow.textContent()).toContain('Expired');
        await expectAccessible(page);

        await page.getByRole('button', { name: 'Process expired now' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: /1 request has expired/ })
          .waitFor();
        expect(await page.getByRole('tab', { name: /^Expired/ }).getAttribute('aria-selected')).toBe('true');
        const expiredRow = rowWith(page, item.barcode);
        await expiredRow.waitFor();
        expect(await expiredRow.textContent()).toContain('Take it off the hold shelf and scan it in');
        expect(await expiredRow.textContent()).toContain('Liam Tremblay');
        await expectAccessible(page);

        const scan = page.getByLabel('Scan item barcode');
        await scan.fill(item.barcode);
        await scan.press('Enter');
        await page.getByRole('heading', { name: 'Reshelve at North Main Library' }).waitFor();
        await rowWith(page, item.barcode).waitFor({ state: 'detached' });
        expect(await page.getByRole('tab', { name: /^Expired/ }).textContent()).toContain('(0)');
      });
    },
    TIMEOUT,
  );

  test(
    'CIRC-9: a late transit is marked in words and cancelled with a reason',
    async () => {
      const item = await takeItem(fx.libraries.science);
      const requestId = await placePage(item, fx.patrons.sofia, fx.libraries.main);
      // Setup through the API (picking and sending are tested above): in transit to North Main.
      await api(staff, 'POST', `/circulation/requests/${fx.institutionId}/${requestId}/picked`);
      const sent = await api<{ nextStep: { transitId: string } }>(staff, 'POST', '/circulation/returns', {
        deskId: fx.desks.science,
        itemBarcode: item.barcode,
      });
      // Stand-in for days passing: sent three days ago, the transit was expected yesterday.
      await server.db
        .updateTable('transits')
        .set({
          sent_at: new Date(Date.now() - 3 * 24 * 60 * 60 * 1000),
          expected_arrival_at: new Date(Date.now() - 24 * 60 * 60 * 1000),
        })
        .where('id', '=', sent.nextStep.transitId)
        .execute();

      await withPage(browser, async (page) => {
        await startAtDesk(page, server.url, 'north-desk-operator', NORTH, MAIN_DESK);
        await openStaffTask(page, 'Transits');
        const row = rowWith(page, item.barcode);
        await row.waitFor();
        expect(await row.textContent()).toContain('Late');
        expect(await row.textContent()).toContain('Past its expected arrival');
        expect(await row.textContent()).toContain('North Science Library');
        expect(await page.getByText('1 transit is late.').count()).toBe(1);
        await expectAccessible(page);
        expect(await openSlip(page, 'Print slip', row)).toContain(item.barcode);

        await row.getByRole('button', { name: 'Cancel transit' }).click();
        const dialog = page.getByRole('dialog', { name: 'Cancel this transit?' });
        await dialog.getByRole('button', { name: 'Cancel transit' }).click();
        await dialog.getByText('Reason is required.').waitFor();
        await dialog.getByLabel(/^Reason/).fill('Sent by mistake; kept at North Science');
        await dialog.getByRole('button', { name: 'Cancel transit' }).click();
        await dialog.waitFor({ state: 'detached' });
        await page
          .getByRole('status')
          .filter({ hasText: `Transit cancelled: ${item.title}` })
          .waitFor();
        await rowWith(page, item.barcode).waitFor({ state: 'detached' });
      });
      const transit = await server.db
        .selectFrom('transits')
        .select(['status', 'cancel_reason'])
        .where('id', '=', sent.nextStep.transitId)
        .executeTakeFirstOrThrow();
      expect(transit).toEqual({
        status: 'cancelled',
        cancel_reason: 'Sent by mistake; kept at North Science',
      });
    },
    TIMEOUT,
  );
});
