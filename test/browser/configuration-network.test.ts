/**
 * The NET-6 configuration screens (issue 7) in Chromium against the real server with the demo
 * network: a system administrator changes a transit time (first with a bad value, refused next
 * to its field, nothing saved), adds and removes one, and changes a library relation; both
 * persist after a reload; a desk operator reads both screens without any way to change them.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { expectAccessible, screenshotForDocs, signInAsStaff, withPage } from './desk.ts';

const TIMEOUT = 120_000;
const MAIN = 'North Main Library';
const SCIENCE = 'North Science Library';
const LAW = 'North Law Library';

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  server = await startTestServer({ catalogue: true });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openConfiguration(page: Page, username: string): Promise<void> {
  await signInAsStaff(page, server.url, username);
  await page
    .getByRole('navigation', { name: 'Staff tasks' })
    .getByRole('link', { name: 'Configuration', exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Configuration' }).waitFor();
  // The pointer stays on the nav link it clicked; its hover shade is not what axe should judge.
  await page.mouse.move(0, 0);
}

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

const outgoingRow = (page: Page, from: string, to: string) =>
  page
    .getByTestId('transit-times-outgoing')
    .locator('tbody tr')
    .filter({ has: page.locator('td:nth-child(1)', { hasText: exactly(from) }) })
    .filter({ has: page.locator('td:nth-child(2)', { hasText: exactly(to) }) });

describe('library relations and transit times', () => {
  test(
    'a system administrator changes a transit time and a library relation; both persist after a reload',
    async () => {
      await withPage(browser, async (page) => {
        await openConfiguration(page, 'north-sysadmin');
        const section = page.getByRole('region', { name: 'Institution & libraries' });
        await section.getByRole('link', { name: 'Transit times' }).click();
        await page.getByRole('heading', { level: 1, name: 'Transit times' }).waitFor();

        // The demo network sets one day between North's libraries, more to other members.
        const row = outgoingRow(page, MAIN, SCIENCE);
        await row.waitFor();
        expect(await row.locator('td').nth(2).textContent()).toBe('1 day');
        await outgoingRow(page, MAIN, 'South Central Library (South College)').waitFor();
        await page.getByTestId('transit-times-incoming').waitFor();
        expect(await page.getByTestId('transit-times-incoming').getByRole('button').count()).toBe(0);

        // A bad value is refused next to its field and saves nothing.
        await page.getByRole('button', { name: `Edit transit time from ${MAIN} to ${SCIENCE}` }).click();
        const dialog = page.getByRole('dialog', { name: `Edit the transit time from ${MAIN} to ${SCIENCE}` });
        await dialog.waitFor();
        expect(await dialog.getByLabel(/^From library/).isDisabled()).toBe(true);
        await dialog.getByLabel(/^Days in transit/).fill('400');
        await dialog.getByRole('button', { name: 'Save transit time' }).click();
        await dialog.getByRole('alert').filter({ hasText: 'Nothing was saved' }).waitFor();
        const days = dialog.getByLabel(/^Days in transit/);
        expect(await days.getAttribute('aria-invalid')).toBe('true');
        // The focus moves to the field to correct.
        await expect.poll(() => days.evaluate((el) => el === document.activeElement)).toBe(true);
        await expectAccessible(page);
        await days.fill('2');
        await dialog.getByRole('button', { name: 'Save transit time' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `an item from ${MAIN} to ${SCIENCE} takes 2 days` })
          .waitFor();
        await row.filter({ hasText: '2 days' }).waitFor();

        // A new figure to another member's library, then one removed.
        await page.getByRole('button', { name: 'Add transit time' }).click();
        const add = page.getByRole('dialog', { name: 'Add a transit time' });
        await add.getByLabel(/^From library/).selectOption({ label: LAW });
        await add.getByLabel(/^To library/).selectOption({ label: 'East Arts Library (East Institute)' });
        await add.getByLabel(/^Days in transit/).fill('5');
        await add.getByRole('button', { name: 'Save transit time' }).click();
        await page.getByRole('status').filter({ hasText: 'takes 5 days' }).waitFor();
        await outgoingRow(page, LAW, 'East Arts Library (East Institute)')
          .filter({ hasText: '5 days' })
          .waitFor();
        await page.getByRole('button', { name: `Remove transit time from ${SCIENCE} to ${LAW}` }).click();
        const confirm = page.getByRole('dialog', { name: 'Remove transit time' });
        await confirm.getByRole('button', { name: 'Remove transit time' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `Removed the transit time from ${SCIENCE}` })
          .waitFor();
        // The table reloads after the status: wait for the row to go.
        await outgoingRow(page, SCIENCE, LAW).waitFor({ state: 'detached' });
        await expectAccessible(page);
        await screenshotForDocs(page, 'configuration-transit-times');

        await page.reload();
        await outgoingRow(page, MAIN, SCIENCE).filter({ hasText: '2 days' }).waitFor();
        await outgoingRow(page, LAW, 'East Arts Library (East Institute)')
          .filter({ hasText: '5 days' })
          .waitFor();
        expect(await outgoingRow(page, SCIENCE, LAW).count()).toBe(0);
        // Only one library's figures: the list narrows to them.
        await page.getByLabel('Show transit times from').selectOption({ label: LAW });
        await page.getByTestId('transit-times-outgoing').getByText(`transit times from ${LAW}`).waitFor();
        const fromColumn = await page
          .getByTestId('transit-times-outgoing')
          .locator('tbody tr td:nth-child(1)')
          .allTextContents();
        expect(fromColumn.length).toBe(8);
        expect(new Set(fromColumn)).toEqual(new Set([LAW]));

        // Library relations: Science stops delivering to Main.
        await page.getByRole('link', { name: 'All configuration sections' }).click();
        await page.getByRole('link', { name: 'Library relations' }).click();
        await page.getByRole('heading', { level: 1, name: 'Library relations' }).waitFor();
        const delivers = page.getByRole('checkbox', { name: `${SCIENCE} delivers to ${MAIN}` });
        await delivers.waitFor();
        const science = page.getByRole('region', { name: `What ${SCIENCE} does for the other libraries` });
        // The relations load after the screen: wait for the sentence before reading the box.
        await science.getByText(`${SCIENCE} lends for ${MAIN} and delivers to it.`).waitFor();
        expect(await delivers.isChecked()).toBe(true);
        await delivers.uncheck();
        expect(await science.textContent()).toContain(
          `${SCIENCE} lends for ${MAIN} but does not deliver to it.`,
        );
        await page.getByText('1 unsaved change.').waitFor();
        await page.getByRole('button', { name: 'Save relations' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `Saved 1 relation: ${SCIENCE} lends for ${MAIN} but does not deliver to it.` })
          .waitFor();
        await expectAccessible(page);
        await screenshotForDocs(page, 'configuration-library-relations');

        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Library relations' }).waitFor();
        const again = page.getByRole('checkbox', { name: `${SCIENCE} delivers to ${MAIN}` });
        await again.waitFor();
        expect(await again.isChecked()).toBe(false);
        expect(await page.getByRole('checkbox', { name: `${SCIENCE} lends for ${MAIN}` }).isChecked()).toBe(
          true,
        );
        expect(await page.getByRole('checkbox', { name: `${MAIN} delivers to ${SCIENCE}` }).isChecked()).toBe(
          true,
        );

        // Both changes are audited with who made them (NET-7).
        const audit = await server.db
          .selectFrom('audit_log')
          .select(['entity_type'])
          .where('entity_type', 'in', ['transit_time', 'library_relation'])
          .execute();
        const types = audit.map((a) => a.entity_type);
        expect(types.filter((t) => t === 'transit_time').length).toBe(3);
        expect(types.filter((t) => t === 'library_relation').length).toBe(1);
      });
    },
    TIMEOUT,
  );

  test(
    'a desk operator reads the relations and transit times but is offered no change',
    async () => {
      await withPage(browser, async (page) => {
        await openConfiguration(page, 'north-desk-operator');
        await page.getByRole('link', { name: 'Library relations' }).click();
        const checkbox = page.getByRole('checkbox', { name: `${MAIN} lends for ${LAW}` });
        await checkbox.waitFor();
        expect(await checkbox.isDisabled()).toBe(true);
        expect(await page.getByRole('button', { name: 'Save relations' }).count()).toBe(0);
        await page.getByText('You can read these relations').waitFor();
        await expectAccessible(page);

        await page.getByRole('link', { name: 'All configuration sections' }).click();
        await page.getByRole('link', { name: 'Transit times' }).click();
        await outgoingRow(page, MAIN, LAW).waitFor();
        expect(await page.getByRole('button', { name: 'Add transit time' }).count()).toBe(0);
        expect(await page.getByRole('button', { name: /^(Edit|Remove)/ }).count()).toBe(0);
        await page.getByText('You can read the transit times').waitFor();
        await expectAccessible(page);
      });
    },
    TIMEOUT,
  );
});
