/**
 * The network catalogue search in Chromium (GET-1): from a discovery home to the results page,
 * works held by several members with the viewing institution first, filters, paging, reload
 * and back, right-to-left titles, and WCAG 2.1 AA checks. The test server seeds the network
 * without a catalogue, so beforeAll catalogues a few records through the inventory API as each
 * member's system administrator.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer } from '../support/server.ts';
import { type ApiMethod, type ApiSession, apiCall, apiSignIn } from './api-session.ts';
import { checkAccessibility, describeViolations, launchBrowser, type TestBrowser } from './browser.ts';

const TIMEOUT = 90_000;
const ISBN = '9780140444308';
const HEBREW_TITLE = 'מלחמה ושלום';
const HEBREW_AUTHOR = 'לב טולסטוי';

let server: { url: string; close(): Promise<void> };
let browser: TestBrowser;

const api = <T>(s: ApiSession, m: ApiMethod, p: string, b?: unknown) => apiCall<T>(server.url, s, m, p, b);

/**
 * Catalogues a record at the signed-in member's institution with a holding and `copies` items
 * (none: a holding without copies, which "Only available copies" leaves out).
 */
async function catalogue(
  session: ApiSession,
  bib: { title: string; author: string; isbns?: string[]; publicationYear: number },
  copies: number,
): Promise<void> {
  const base = `/institutions/${session.institutionId}`;
  type Row = { id: string; code?: string };
  const [locations, materialTypes, itemPolicies] = await Promise.all([
    api<Row[]>(session, 'GET', `${base}/locations`),
    api<Row[]>(session, 'GET', `${base}/material-types`),
    api<Row[]>(session, 'GET', `${base}/item-policies`),
  ]);
  const pick = (rows: Row[], code: string) => (rows.find((r) => r.code === code) ?? rows[0])?.id ?? '';
  const created = await api<{ id: string }>(session, 'POST', `${base}/bibs`, bib);
  const holding = await api<{ id: string }>(session, 'POST', `${base}/holdings`, {
    bibId: created.id,
    locationId: pick(locations, 'STACKS'),
  });
  for (let n = 1; n <= copies; n++) {
    await api(session, 'POST', `${base}/items`, {
      holdingId: holding.id,
      barcode: `SEARCH-${created.id.slice(0, 8)}-${n}`,
      materialTypeId: pick(materialTypes, 'BOOK'),
      itemPolicyId: pick(itemPolicies, 'REGULAR'),
    });
  }
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  const lesMis = { title: 'Les Misérables', author: 'Victor Hugo', isbns: [ISBN], publicationYear: 1982 };
  const north = await apiSignIn(server.url, 'north-sysadmin');
  const south = await apiSignIn(server.url, 'south-sysadmin');
  const east = await apiSignIn(server.url, 'east-sysadmin');
  await catalogue(north, lesMis, 1);
  await catalogue(south, lesMis, 2);
  await catalogue(east, lesMis, 1);
  await catalogue(east, { title: HEBREW_TITLE, author: HEBREW_AUTHOR, publicationYear: 1953 }, 0);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  try {
    await run(page);
  } finally {
    await page.close();
  }
}

/** The results list (not the "Held by" lists inside it). */
function resultItems(page: Page): Locator {
  return page.getByRole('list', { name: 'Results' }).locator(':scope > li');
}

async function holdersOf(result: Locator): Promise<string[]> {
  const texts = await result.getByRole('list', { name: 'Held by' }).getByRole('listitem').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim());
}

async function applyFilters(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Apply filters' }).click();
}

describe('catalogue search', () => {
  test(
    'a search from a discovery home finds one work held by three members, the viewing one first',
    async () => {
      await withPage(async (page) => {
        await page.goto(`${server.url}/discovery/NORTH`);
        await page.getByRole('heading', { level: 1, name: 'North University' }).waitFor();
        await page.getByLabel('Search the network catalogue').fill('miserables');
        await page.getByRole('button', { name: 'Search', exact: true }).click();

        await page.waitForURL(/\/discovery\/NORTH\/search\?q=miserables$/);
        await page.getByText('1 work found').waitFor();
        expect(await page.title()).toContain('miserables');
        await expect.poll(() => resultItems(page).count()).toBe(1);
        const result = resultItems(page).first();
        const title = result.getByRole('heading', { level: 3 });
        expect(await title.textContent()).toBe('Les Misérables');
        expect(await title.getAttribute('dir')).toBe('auto');
        expect(await result.textContent()).toContain('Victor Hugo');
        expect(await result.textContent()).toContain('1982');
        expect(await result.textContent()).toContain('Book');
        expect(await holdersOf(result)).toEqual([
          'North University (your library): 1 of 1 available',
          'East Institute: 1 of 1 available',
          'South College: 2 of 2 available',
        ]);
        await page.getByText('Page 1 of 1').waitFor();
        expect(await page.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
        expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);

        // The URL holds the search: a reload shows the same results.
        await page.reload();
        await page.getByText('1 work found').waitFor();
        expect(await page.getByLabel('Search the network catalogue').inputValue()).toBe('miserables');

        // Seen from another member, that member comes first.
        await page.goto(`${server.url}/discovery/SOUTH/search?q=miserables`);
        await page.getByText('1 work found').waitFor();
        expect(await holdersOf(resultItems(page).first())).toEqual([
          'South College (your library): 2 of 2 available',
          'East Institute: 1 of 1 available',
          'North University: 1 of 1 available',
        ]);
      });
    },
    TIMEOUT,
  );

  test(
    'the institution, availability and year filters change the results; back undoes them',
    async () => {
      await withPage(async (page) => {
        await page.goto(`${server.url}/discovery/NORTH/search?q=miserables`);
        await page.getByText('1 work found').waitFor();

        await page.getByLabel('Institution').selectOption({ label: 'South College' });
        await applyFilters(page);
        await page.waitForURL(/institution=SOUTH/);
        await page.getByText('1 work found').waitFor();
        await expect
          .poll(() => holdersOf(resultItems(page).first()))
          .toEqual(['South College: 2 of 2 available']);

        await page.goBack();
        await page.waitForURL((url) => !url.search.includes('institution='));
        await expect.poll(() => holdersOf(resultItems(page).first()).then((h) => h.length)).toBe(3);
        expect(await page.getByLabel('Institution').inputValue()).toBe('');

        await page.getByLabel('Year from').fill('1990');
        await applyFilters(page);
        await page.waitForURL(/yearFrom=1990/);
        await page.getByText('0 works found').waitFor();
        await page.getByText('No works match “miserables” with these filters').waitFor();
        await page.getByRole('button', { name: 'Clear filters' }).click();
        await page.waitForURL((url) => !url.search.includes('yearFrom='));
        await page.getByText('1 work found').waitFor();

        // A work whose only holding has no copies: "Only available copies" leaves it out.
        await page.getByLabel('Search the network catalogue').fill('מלחמה');
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByText('1 work found').waitFor();
        const result = resultItems(page).first();
        const title = result.getByRole('heading', { level: 3 });
        expect(await title.textContent()).toBe(HEBREW_TITLE);
        expect(await title.getAttribute('dir')).toBe('auto');
        // dir="auto" takes the direction from the first strong character: Hebrew reads right to left.
        expect(await title.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
        const author = result.getByText(HEBREW_AUTHOR);
        expect(await author.getAttribute('dir')).toBe('auto');
        expect(await holdersOf(result)).toEqual(['East Institute: no copies listed']);

        await page.getByLabel('Only available copies').check();
        await applyFilters(page);
        await page.waitForURL(/available=true/);
        await page.getByText('0 works found').waitFor();
        await page.getByText(/No works match “מלחמה” with these filters/).waitFor();

        await page.getByLabel('Search the network catalogue').fill('miserables');
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByText('1 work found').waitFor();
        expect(await page.getByLabel('Only available copies').isChecked()).toBe(true);
      });
    },
    TIMEOUT,
  );

  test(
    'an empty search is refused with a message; a search with no match says so',
    async () => {
      await withPage(async (page) => {
        await page.goto(`${server.url}/discovery/EAST`);
        await page.getByRole('heading', { level: 1, name: 'East Institute' }).waitFor();
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByText('Enter words to search for.').waitFor();
        expect(page.url()).toBe(`${server.url}/discovery/EAST`);
        expect(await page.getByLabel('Search the network catalogue').getAttribute('aria-invalid')).toBe(
          'true',
        );

        await page.getByLabel('Search the network catalogue').fill('zzyzx');
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByText('0 works found').waitFor();
        await page.getByText('No works match “zzyzx”').waitFor();
      });
    },
    TIMEOUT,
  );
});

describe('accessibility', () => {
  test(
    'axe finds no serious or critical WCAG 2.1 AA violations on the results page',
    async () => {
      await withPage(async (page) => {
        const report: string[] = [];
        async function check(name: string): Promise<void> {
          const violations = await checkAccessibility(page);
          if (violations.length > 0) report.push(`${name}:\n${describeViolations(violations)}`);
          expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
          expect(await page.title()).not.toBe('');
        }

        await page.goto(`${server.url}/discovery/NORTH/search?q=miserables`);
        await page.getByText('1 work found').waitFor();
        await check('results');

        await page.goto(`${server.url}/discovery/NORTH/search?q=${encodeURIComponent('מלחמה')}`);
        await page.getByText('1 work found').waitFor();
        await check('right-to-left results');

        await page.goto(`${server.url}/discovery/NORTH/search?q=zzyzx&available=true`);
        await page.getByText('0 works found').waitFor();
        await check('no results');

        expect(report.join('\n\n')).toBe('');
      });
    },
    TIMEOUT,
  );
});
