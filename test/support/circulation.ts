import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/server/db/database.ts';
import type { Member } from './cast.ts';
import { inventorySetup } from './catalogue.ts';
import { buildDesk, buildPatron, TEST_PASSWORD } from './factories.ts';
import type { Client } from './http.ts';

/**
 * Circulation fixtures for one member of the cast: terms of use with a fallback rule (CIRC-2),
 * calendars open every day 08:00-20:00 (CIRC-3; tests add closed days), and a desk in each
 * library: the main and branch libraries of the cast, and the catalogue library where
 * `buildItem` shelves items (the items' home library, whose calendar the fines use).
 */
export async function circulationSetup(db: Db, member: Member) {
  const institutionId = member.institution.id;
  const inventory = await inventorySetup(db, member.institution);
  const terms = async (code: string, values: Record<string, unknown>) =>
    db
      .insertInto('terms_of_use')
      .values({ institution_id: institutionId, code, name: code, ...values })
      .returning('id')
      .executeTakeFirstOrThrow();
  // Standard: 21 days, two renewals of 14 days, 25 cents a day capped at 10.00.
  const standard = await terms('STANDARD', {
    loan_period: 21,
    renewals_allowed: 2,
    renewal_period: 14,
    overdue_fine_per_day_minor: 25,
    overdue_fine_max_minor: 1000,
  });
  // DVDs: 7 days, one renewal, 1.00 a day, two days' grace.
  const dvd = await terms('DVD7', {
    loan_period: 7,
    renewals_allowed: 1,
    renewal_period: 7,
    overdue_fine_per_day_minor: 100,
    overdue_grace_days: 2,
  });
  const fallback = await db
    .insertInto('terms_of_use_rules')
    .values({ institution_id: institutionId, terms_of_use_id: standard.id, is_fallback: true })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('terms_of_use_rules')
    .values({
      institution_id: institutionId,
      priority: 10,
      material_type_id: inventory.dvdTypeId,
      terms_of_use_id: dvd.id,
    })
    .execute();
  const libraries = { main: member.main.id, branch: member.branch.id, home: inventory.libraryId };
  for (const libraryId of Object.values(libraries)) {
    await db
      .insertInto('library_opening_hours')
      .values(
        [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
          library_id: libraryId,
          weekday,
          opens: '08:00',
          closes: '20:00',
        })),
      )
      .execute();
  }
  const desks = {
    main: await buildDesk(db, { library: member.main, code: 'MAIN-DESK' }),
    branch: await buildDesk(db, { library: member.branch, code: 'BRANCH-DESK' }),
    home: await buildDesk(db, {
      library: { id: inventory.libraryId, code: 'CAT', institutionId },
      code: 'HOME-DESK',
    }),
  };
  return {
    institutionId,
    inventory,
    terms: { standard: standard.id, dvd: dvd.id },
    fallbackRuleId: fallback.id,
    libraries,
    desks,
  };
}
export type CirculationSetup = Awaited<ReturnType<typeof circulationSetup>>;

/** A patron of the member with a preferred email, optionally expiring on a day. */
export async function buildBorrower(
  db: Db,
  member: Member,
  options: { identifier?: string; lastName?: string; expiryDate?: string | null } = {},
) {
  const patron = await buildPatron(db, {
    institution: member.institution,
    identifier: options.identifier,
    lastName: options.lastName,
  });
  const row = await db
    .updateTable('patrons')
    .set({
      emails: JSON.stringify([
        { address: `${patron.primary_identifier.toLowerCase()}@example.org`, type: 'home', preferred: true },
      ]),
      expiry_date: options.expiryDate ?? null,
    })
    .where('id', '=', patron.id)
    .returning(['id', 'primary_identifier', 'institution_id', 'user_group_id'])
    .executeTakeFirstOrThrow();
  return row;
}

/** A closed day of a library (CIRC-3). */
export async function closeLibrary(db: Db, libraryId: string, day: string) {
  await db.insertInto('library_closed_days').values({ library_id: libraryId, day, reason: 'test' }).execute();
}

/** Moves an open loan's due date (simulated lateness without a clock over HTTP). */
export async function setDueAt(db: Db, loanId: string, dueAt: Date) {
  await db
    .updateTable('loans')
    .set({ due_at: dueAt, loaned_at: new Date(dueAt.getTime() - 21 * 86_400_000) })
    .where('id', '=', loanId)
    .execute();
}

/** A patron signed in to discovery, with the anti-forgery header on writes. */
export async function signInPatron(
  app: FastifyInstance,
  institutionCode: string,
  identifier: string,
): Promise<Client> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/patron-sign-in',
    payload: { institution: institutionCode, identifier, password: TEST_PASSWORD },
  });
  if (response.statusCode !== 200)
    throw new Error(`patron sign-in failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'shelfshare_session');
  if (!cookie) throw new Error('no session cookie');
  const csrfToken = response.json().csrfToken as string;
  const headers = { cookie: `shelfshare_session=${cookie.value}`, 'x-csrf-token': csrfToken };
  const request: Client['request'] = (method, url, body) =>
    app.inject({ method, url, headers, ...(body !== undefined ? { payload: body as object } : {}) });
  return {
    request,
    get: (url) => request('GET', url),
    post: (url, body) => request('POST', url, body ?? {}),
    put: (url, body) => request('PUT', url, body ?? {}),
    patch: (url, body) => request('PATCH', url, body ?? {}),
    delete: (url) => request('DELETE', url),
    cookie: headers.cookie,
    csrfToken,
  };
}

/** Counts of the rows a loan writes, to show a refusal wrote nothing. */
export async function circulationCounts(db: Db) {
  const count = async (table: 'loans' | 'fees' | 'item_history' | 'letters') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    loans: await count('loans'),
    fees: await count('fees'),
    history: await count('item_history'),
    letters: await count('letters'),
  };
}
