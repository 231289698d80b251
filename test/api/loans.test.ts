import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { dayAt, plusDays } from '../../src/server/circulation/rules/index.ts';
import { loanViewSchema } from '../../src/server/circulation/schemas.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import {
  buildBorrower,
  type CirculationSetup,
  circulationCounts,
  circulationSetup,
  closeLibrary,
  setDueAt,
  signInPatron,
} from '../support/circulation.ts';
import { buildDesk, TEST_PASSWORD } from '../support/factories.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let south: CirculationSetup;
let operator: Client;
let manager: Client;
const ZONE = 'America/Toronto';
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  south = await circulationSetup(t.database.db, cast.south);
  operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
  manager = await signIn(t.app, cast.north.staff.circulation_desk_manager.username);
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;
const item = (options: Parameters<typeof buildItem>[1] = {}) =>
  buildItem(db(), { institution: cast.north.institution, ...options });
const borrower = (options: Parameters<typeof buildBorrower>[2] = {}) =>
  buildBorrower(db(), cast.north, options);
const lend = (client: Client, body: Record<string, unknown>) =>
  client.post('/api/circulation/loans', { deskId: north.desks.main.id, ...body });
const giveBack = (client: Client, itemBarcode: string, deskId = north.desks.main.id) =>
  client.post('/api/circulation/returns', { deskId, itemBarcode });
const localDay = (iso: string) => dayAt(ZONE, new Date(iso));
const today = () => dayAt(ZONE, new Date());
const codes = (body: { details: { reasons: { code: string }[] } }) => body.details.reasons.map((r) => r.code);

describe('CIRC-2 terms of use', () => {
  it('CIRC-2: an item no rule matches gets the fallback terms; a matching rule wins over the fallback', async () => {
    const patron = await borrower();
    const book = await item();
    const bookLoan = await lend(operator, { itemBarcode: book.barcode, patronId: patron.id });
    expect(bookLoan.statusCode).toBe(201);
    expect(bookLoan.json().termsFallback).toBe(true);
    expect(localDay(bookLoan.json().loan.dueAt)).toBe(plusDays(today(), 21));
    const dvd = await item({ materialType: 'DVD' });
    const dvdLoan = await lend(operator, { itemBarcode: dvd.barcode, patronId: patron.id });
    expect(dvdLoan.json().termsFallback).toBe(false);
    expect(localDay(dvdLoan.json().loan.dueAt)).toBe(plusDays(today(), 7));
  });
});

describe('the setting a desk keeps between operations (decision 74)', () => {
  // A desk operation reads its desk's setting (calendar, terms, limits, letters) once and then
  // only the configuration's version while nothing changes; each change must reach the next loan.
  it('CIRC-2 / CIRC-3: a new loan period and a new closed day reach the next loan at a desk that has lent before', async () => {
    const patron = await borrower();
    const dueIn = async () => {
      const loan = await lend(operator, { itemBarcode: (await item()).barcode, patronId: patron.id });
      expect(loan.statusCode).toBe(201);
      return localDay(loan.json().loan.dueAt);
    };
    const administrator = await signIn(t.app, cast.north.staff.fulfillment_administrator.username);
    const setLoanPeriod = async (loanPeriod: number) => {
      const url = `/api/institutions/${north.institutionId}/terms-of-use/${north.terms.standard}`;
      expect((await administrator.patch(url, { loanPeriod })).statusCode).toBe(200);
    };
    expect(await dueIn()).toBe(plusDays(today(), 21));
    expect(await dueIn()).toBe(plusDays(today(), 21));
    try {
      await setLoanPeriod(10);
      expect(await dueIn()).toBe(plusDays(today(), 10));
      // Straight to the table, as any other writer would: the version moves all the same.
      await closeLibrary(db(), north.libraries.main, plusDays(today(), 10));
      expect(await dueIn()).toBe(plusDays(today(), 11));
    } finally {
      await setLoanPeriod(21);
      await db().deleteFrom('library_closed_days').where('library_id', '=', north.libraries.main).execute();
    }
    expect(await dueIn()).toBe(plusDays(today(), 21));
  });

  it('every table a desk setting is read from moves the configuration version, even by a statement that changes no row', async () => {
    const version = async () =>
      (await db().selectFrom('configuration_version').select('version').executeTakeFirstOrThrow()).version;
    const tables = {
      institutions: 'id',
      libraries: 'id',
      circulation_desks: 'id',
      library_opening_hours: 'library_id',
      library_closed_days: 'library_id',
      terms_of_use_rules: 'id',
      terms_of_use: 'id',
      loan_limits: 'id',
      letter_templates: 'institution_id',
    };
    for (const [table, column] of Object.entries(tables)) {
      const before = await version();
      await sql.raw(`UPDATE ${table} SET ${column} = ${column} WHERE false`).execute(db());
      expect(await version(), table).toBe(before + 1);
    }
    // What a loan changes is not configuration.
    const before = await version();
    await lend(operator, { itemBarcode: (await item()).barcode, patronId: (await borrower()).id });
    expect(await version()).toBe(before);
  });
});

describe('CIRC-3 due dates on the lending library calendar', () => {
  it('CIRC-3: a due date on a closed day of the lending library moves to its next open day, at closing time', async () => {
    const dueDay = plusDays(today(), 21);
    await closeLibrary(db(), north.libraries.main, dueDay);
    await closeLibrary(db(), north.libraries.branch, plusDays(dueDay, 1)); // another library's calendar is not used
    const response = await lend(operator, {
      itemBarcode: (await item()).barcode,
      patronId: (await borrower()).id,
    });
    expect(response.statusCode).toBe(201);
    const dueAt = DateTime.fromISO(response.json().loan.dueAt).setZone(ZONE);
    expect(dueAt.toISODate()).toBe(plusDays(dueDay, 1));
    expect(dueAt.toFormat('HH:mm')).toBe('20:00');
    expect(response.json().dueDate).toEqual({ cappedBy: 'none', movedFromClosedDay: true });
    await db().deleteFrom('library_closed_days').execute();
  });

  it("CIRC-3: a loan never runs past the account's expiry date", async () => {
    const expiry = plusDays(today(), 10);
    const response = await lend(operator, {
      itemBarcode: (await item()).barcode,
      patronId: (await borrower({ expiryDate: expiry })).id,
    });
    expect(response.json().dueDate.cappedBy).toBe('account_expiry');
    expect(localDay(response.json().loan.dueAt)).toBe(expiry);
  });
});

describe('CIRC-4 lending refusals, overrides and bad input', () => {
  it('CIRC-4: an item already on loan is refused (not overridable, even by a manager)', async () => {
    const book = await item();
    expect(
      (await lend(operator, { itemBarcode: book.barcode, patronId: (await borrower()).id })).statusCode,
    ).toBe(201);
    const again = await lend(manager, {
      itemBarcode: book.barcode,
      patronId: (await borrower()).id,
      override: { codes: ['ITEM_ALREADY_ON_LOAN'] },
    });
    expect(again.statusCode).toBe(422);
    expect(again.json()).toMatchObject({
      code: 'LOAN_REFUSED',
      details: { reasons: [{ code: 'ITEM_ALREADY_ON_LOAN', overridable: false }] },
    });
  });

  it('CIRC-4: a withdrawn item, a not-loanable item and an inactive patron are each refused', async () => {
    const withdrawn = await item();
    await db()
      .updateTable('items')
      .set({ withdrawn_at: new Date() })
      .where('id', '=', withdrawn.itemId)
      .execute();
    const patron = await borrower();
    expect(
      codes((await lend(operator, { itemBarcode: withdrawn.barcode, patronId: patron.id })).json()),
    ).toEqual(['ITEM_WITHDRAWN']);

    const reference = await borrower();
    const noLoan = await db()
      .insertInto('terms_of_use')
      .values({
        institution_id: north.institutionId,
        code: 'NOLOAN',
        name: 'Reading room only',
        loanable: false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('terms_of_use_rules')
      .values({
        institution_id: north.institutionId,
        priority: 1,
        user_group_id: reference.user_group_id,
        terms_of_use_id: noLoan.id,
      })
      .execute();
    const notLoanable = await lend(operator, { itemBarcode: (await item()).barcode, patronId: reference.id });
    expect(notLoanable.json().details.reasons).toEqual([
      expect.objectContaining({ code: 'NOT_LOANABLE', overridable: true }),
    ]);
    // Overridden by a manager, the loan runs under the fallback terms (the reading-room terms set no period).
    const lentAnyway = await lend(manager, {
      itemBarcode: (await item()).barcode,
      patronId: reference.id,
      override: { codes: ['NOT_LOANABLE'] },
    });
    expect(lentAnyway.statusCode).toBe(201);
    expect(localDay(lentAnyway.json().loan.dueAt)).toBe(plusDays(today(), 21));

    const inactive = await borrower();
    await db().updateTable('patrons').set({ status: 'inactive' }).where('id', '=', inactive.id).execute();
    expect(
      codes((await lend(operator, { itemBarcode: (await item()).barcode, patronId: inactive.id })).json()),
    ).toEqual(['PATRON_INACTIVE']);
  });

  it('CIRC-4: every reason at once (expired, blocked, over the limit), writing nothing; an operator cannot override; a manager can, recorded', async () => {
    const patron = await borrower({ expiryDate: plusDays(today(), -3) });
    await db()
      .insertInto('patron_blocks')
      .values({
        institution_id: north.institutionId,
        patron_id: patron.id,
        block_type: 'FINES',
        reason: 'unpaid fines',
      })
      .execute();
    await db()
      .insertInto('loan_limits')
      .values({ institution_id: north.institutionId, user_group_id: patron.user_group_id, max_loans: 0 })
      .execute();
    const book = await item();
    const before = await circulationCounts(db());
    const refusedLoan = await lend(operator, { itemBarcode: book.barcode, patronId: patron.id });
    expect(refusedLoan.statusCode).toBe(422);
    expect(refusedLoan.json().code).toBe('LOAN_REFUSED');
    expect(refusedLoan.json().details.reasons).toEqual([
      expect.objectContaining({ code: 'PATRON_EXPIRED', overridable: true }),
      expect.objectContaining({ code: 'PATRON_BLOCKED', overridable: true }),
      expect.objectContaining({ code: 'LOAN_LIMIT_REACHED', overridable: true }),
    ]);
    const all = ['PATRON_EXPIRED', 'PATRON_BLOCKED', 'LOAN_LIMIT_REACHED'];
    const byOperator = await lend(operator, {
      itemBarcode: book.barcode,
      patronId: patron.id,
      override: { codes: all },
    });
    expect(byOperator.statusCode).toBe(403);
    expect(byOperator.json().code).toBe('OVERRIDE_NOT_ALLOWED');
    const partial = await lend(manager, {
      itemBarcode: book.barcode,
      patronId: patron.id,
      override: { codes: ['PATRON_BLOCKED'] },
    });
    expect(partial.statusCode).toBe(422);
    expect(partial.json().details.notOverridden).toEqual(['PATRON_EXPIRED', 'LOAN_LIMIT_REACHED']);
    expect(await circulationCounts(db())).toEqual(before);

    const overridden = await lend(manager, {
      itemBarcode: book.barcode,
      patronId: patron.id,
      override: { codes: all, note: 'Paid at the desk' },
    });
    expect(overridden.statusCode).toBe(201);
    expect(overridden.json().overridden).toEqual(all);
    const history = await db()
      .selectFrom('item_history')
      .selectAll()
      .where('item_id', '=', book.itemId)
      .orderBy('id')
      .execute();
    expect(history.map((h) => h.event)).toEqual(['override', 'loan']);
    expect(history[0]).toMatchObject({
      operator_staff_id: cast.north.staff.circulation_desk_manager.id,
      details: expect.objectContaining({ codes: all, note: 'Paid at the desk' }),
    });
  });

  it("CIRC-4: a manager approves an override at the operator's desk with their own credentials; a wrong password or an approver without the privilege writes nothing", async () => {
    const patron = await borrower();
    await db()
      .insertInto('patron_blocks')
      .values({
        institution_id: north.institutionId,
        patron_id: patron.id,
        block_type: 'FINES',
        reason: 'unpaid fines',
      })
      .execute();
    const book = await item();
    const before = await circulationCounts(db());
    const managerName = cast.north.staff.circulation_desk_manager.username;
    const wrongPassword = await lend(operator, {
      itemBarcode: book.barcode,
      patronId: patron.id,
      override: {
        codes: ['PATRON_BLOCKED'],
        approver: { username: managerName, password: 'not-the-password' },
      },
    });
    expect(wrongPassword.statusCode).toBe(403);
    expect(wrongPassword.json().code).toBe('APPROVER_INVALID');
    const colleague = await lend(operator, {
      itemBarcode: book.barcode,
      patronId: patron.id,
      override: {
        codes: ['PATRON_BLOCKED'],
        approver: {
          username: cast.north.staff.circulation_desk_operator_limited.username,
          password: TEST_PASSWORD,
        },
      },
    });
    expect(colleague.statusCode).toBe(403);
    expect(colleague.json().code).toBe('OVERRIDE_NOT_ALLOWED');
    expect(await circulationCounts(db())).toEqual(before);

    const approved = await lend(operator, {
      itemBarcode: book.barcode,
      patronId: patron.id,
      override: {
        codes: ['PATRON_BLOCKED'],
        note: 'Fines paid',
        approver: { username: managerName, password: TEST_PASSWORD },
      },
    });
    expect(approved.statusCode).toBe(201);
    expect(approved.json().overridden).toEqual(['PATRON_BLOCKED']);
    const override = await db()
      .selectFrom('item_history')
      .selectAll()
      .where('item_id', '=', book.itemId)
      .where('event', '=', 'override')
      .executeTakeFirstOrThrow();
    // The operator made the loan; the manager who approved is named beside them (CIRC-13).
    expect(override.operator_staff_id).toBe(cast.north.staff.circulation_desk_operator.id);
    expect(override.details).toMatchObject({
      approvedByStaffId: cast.north.staff.circulation_desk_manager.id,
      note: 'Fines paid',
    });
  });

  it('CIRC-4 loan limit: the limit for the user group and material type refuses the loan one over it', async () => {
    const patron = await borrower();
    const dvdType = north.inventory.dvdTypeId;
    await db()
      .insertInto('loan_limits')
      .values({
        institution_id: north.institutionId,
        user_group_id: patron.user_group_id,
        material_type_id: dvdType,
        max_loans: 1,
      })
      .execute();
    expect(
      (
        await lend(operator, {
          itemBarcode: (await item({ materialType: 'DVD' })).barcode,
          patronId: patron.id,
        })
      ).statusCode,
    ).toBe(201);
    // Books are not under the DVD limit.
    expect(
      (await lend(operator, { itemBarcode: (await item()).barcode, patronId: patron.id })).statusCode,
    ).toBe(201);
    const second = await lend(operator, {
      itemBarcode: (await item({ materialType: 'DVD' })).barcode,
      patronId: patron.id,
    });
    expect(second.statusCode).toBe(422);
    expect(second.json().details.reasons).toEqual([
      expect.objectContaining({
        code: 'LOAN_LIMIT_REACHED',
        details: expect.objectContaining({ maxLoans: 1, currentLoans: 1 }),
      }),
    ]);
  });

  it("CIRC-4 bad input: malformed ids, unknown barcode, unknown desk, another institution's desk, item or patron; nothing written", async () => {
    const patron = await borrower();
    const book = await item();
    const southItem = await buildItem(db(), { institution: cast.south.institution });
    const southPatron = await buildBorrower(db(), cast.south);
    const before = await circulationCounts(db());
    const malformed = await operator.post('/api/circulation/loans', {
      deskId: 'desk-1',
      itemBarcode: '',
      patronId: 42,
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(malformed.json().details)).toMatch(/deskId/);
    const extra = await lend(operator, {
      itemBarcode: book.barcode,
      patronId: patron.id,
      dueAt: '2030-01-01',
    });
    expect(extra.statusCode).toBe(400);
    const unknown = await lend(operator, { itemBarcode: 'NO-SUCH-BARCODE', patronId: patron.id });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'ITEM_NOT_FOUND']);
    const noDesk = await operator.post('/api/circulation/loans', {
      deskId: '00000000-0000-4000-8000-000000000000',
      itemBarcode: book.barcode,
      patronId: patron.id,
    });
    expect([noDesk.statusCode, noDesk.json().code]).toEqual([404, 'DESK_NOT_FOUND']);
    const southDesk = await lend(operator, {
      deskId: south.desks.main.id,
      itemBarcode: southItem.barcode,
      patronId: southPatron.id,
    });
    expect([southDesk.statusCode, southDesk.json().code]).toEqual([403, 'FORBIDDEN']);
    const notOwned = await lend(operator, { itemBarcode: southItem.barcode, patronId: patron.id });
    expect([notOwned.statusCode, notOwned.json().code]).toEqual([422, 'ITEM_NOT_OWNED_HERE']);
    const otherPatron = await lend(operator, { itemBarcode: book.barcode, patronId: southPatron.id });
    expect([otherPatron.statusCode, otherPatron.json().code]).toEqual([404, 'PATRON_NOT_FOUND']);
    const cataloguer = await signIn(t.app, cast.north.staff.fulfillment_administrator.username);
    expect((await lend(cataloguer, { itemBarcode: book.barcode, patronId: patron.id })).statusCode).toBe(403);
    expect(await circulationCounts(db())).toEqual(before);
  });

  it('a desk closed down after this server worked at it refuses the next loan with DESK_NOT_FOUND and writes nothing', async () => {
    // The server keeps where a desk is once it has seen it (its institution and library never
    // change); whether the desk is still there is read with every loan's locks.
    const desk = await buildDesk(db(), { library: cast.north.branch });
    const patron = await borrower();
    const book = await item();
    const unknown = await lend(operator, { deskId: desk.id, itemBarcode: 'NOT-HERE', patronId: patron.id });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'ITEM_NOT_FOUND']);
    await db().deleteFrom('circulation_desks').where('id', '=', desk.id).execute();
    const before = await circulationCounts(db());
    const refused = await lend(operator, { deskId: desk.id, itemBarcode: book.barcode, patronId: patron.id });
    expect([refused.statusCode, refused.json().code]).toEqual([404, 'DESK_NOT_FOUND']);
    expect(await circulationCounts(db())).toEqual(before);
  });

  it('CIRC-12: the loan writes a loan receipt letter to the outbox with a stable message id; the receipt page prints', async () => {
    const patron = await borrower();
    const book = await item({ title: 'A Study in <Scarlet>' });
    const response = await lend(operator, { itemBarcode: book.barcode, patronId: patron.id });
    const loan = response.json().loan;
    const letter = await db()
      .selectFrom('letters')
      .selectAll()
      .where('patron_id', '=', patron.id)
      .executeTakeFirstOrThrow();
    expect(letter).toMatchObject({
      institution_id: north.institutionId,
      letter_type: 'loan_receipt',
      to_address: `${patron.primary_identifier.toLowerCase()}@example.org`,
      message_id: `loan-receipt-${loan.id}@shelfshare`,
      status: 'pending',
    });
    const page = await operator.get(response.json().receiptUrl);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('North University');
    expect(page.body).toContain('A Study in &lt;Scarlet&gt;');
    expect(page.body).toContain('@media print');
  });
});

describe('the loan a desk operation answers with', () => {
  // A lend and a renewal present the loan from the facts in hand instead of reading it back
  // (docs/benchmarks.md); the patron's loan list reads it. Both must say the same.
  it('CIRC-4 / CIRC-5: the loan in a lend and in a renewal answer is the loan as the patron list reads it', async () => {
    const patron = await borrower();
    const book = await item();
    const readBack = async () => {
      const list = await operator.get(`/api/circulation/patrons/${north.institutionId}/${patron.id}/loans`);
      expect(list.statusCode).toBe(200);
      return list.json()[0];
    };
    const lent = await lend(operator, { itemBarcode: book.barcode, patronId: patron.id });
    expect(lent.statusCode).toBe(201);
    expect(lent.json().loan).toMatchObject({ item: { barcode: book.barcode }, renewalsUsed: 0 });
    expect(lent.json().loan).toEqual(await readBack());
    await setDueAt(db(), lent.json().loan.id, new Date(Date.now() + DAY));
    const renewed = await operator.post(
      `/api/circulation/loans/${north.institutionId}/${lent.json().loan.id}/renew`,
      {},
    );
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json().loan.renewalsUsed).toBe(1);
    expect(renewed.json().loan).toEqual(await readBack());
  });
});

describe('CIRC-5 renewals', () => {
  async function loanDueTomorrow(patron?: { id: string }) {
    const who = patron ?? (await borrower());
    const book = await item();
    const loan = (await lend(operator, { itemBarcode: book.barcode, patronId: who.id })).json().loan;
    await setDueAt(db(), loan.id, new Date(Date.now() + DAY));
    return { loan, book, patron: who };
  }
  const renewUrl = (loanId: string) => `/api/circulation/loans/${north.institutionId}/${loanId}/renew`;

  it('CIRC-5: the new due date is now + the renewal period on the lending calendar; the renewals run out', async () => {
    const { loan } = await loanDueTomorrow();
    const first = await operator.post(renewUrl(loan.id), {});
    expect(first.statusCode).toBe(200);
    expect(localDay(first.json().loan.dueAt)).toBe(plusDays(today(), 14));
    expect(first.json().loan.renewalsUsed).toBe(1);
    await setDueAt(db(), loan.id, new Date(Date.now() + DAY));
    expect((await operator.post(renewUrl(loan.id), {})).statusCode).toBe(200);
    await setDueAt(db(), loan.id, new Date(Date.now() + DAY));
    const third = await operator.post(renewUrl(loan.id), {});
    expect(third.statusCode).toBe(422);
    expect(third.json()).toMatchObject({
      code: 'RENEWAL_REFUSED',
      details: { reasons: [expect.objectContaining({ code: 'RENEWALS_EXHAUSTED', overridable: true })] },
    });
    const byOperator = await operator.post(renewUrl(loan.id), {
      override: { codes: ['RENEWALS_EXHAUSTED'] },
    });
    expect(byOperator.statusCode).toBe(403);
    const byManager = await manager.post(renewUrl(loan.id), { override: { codes: ['RENEWALS_EXHAUSTED'] } });
    expect(byManager.statusCode).toBe(200);
    expect(byManager.json().loan.renewalsUsed).toBe(3);
  });

  it('CIRC-5 / PAT-7: a blocked patron cannot renew; a renewal that would not move the due date is refused', async () => {
    const { loan, patron } = await loanDueTomorrow();
    await db()
      .insertInto('patron_blocks')
      .values({
        institution_id: north.institutionId,
        patron_id: patron.id,
        block_type: 'MANUAL',
        reason: 'see desk',
      })
      .execute();
    const blocked = await operator.post(renewUrl(loan.id), {});
    expect(codes(blocked.json())).toEqual(['PATRON_BLOCKED']);
    const fresh = (
      await lend(manager, {
        itemBarcode: (await item()).barcode,
        patronId: (await borrower()).id,
      })
    ).json().loan;
    const tooSoon = await operator.post(renewUrl(fresh.id), {});
    expect(codes(tooSoon.json())).toEqual(['NO_LATER_DUE_DATE']);
  });

  it("CIRC-5: a patron renews their own loan in discovery, never another patron's, and lists their loans", async () => {
    const patron = await borrower({ identifier: 'N-RENEW-1' });
    const { loan } = await loanDueTomorrow(patron);
    const other = await loanDueTomorrow();
    const client = await signInPatron(t.app, 'NORTH', 'N-RENEW-1');
    const own = await client.post(`/api/patron/loans/${north.institutionId}/${loan.id}/renew`);
    expect(own.statusCode).toBe(200);
    expect(localDay(own.json().loan.dueAt)).toBe(plusDays(today(), 14));
    const notMine = await client.post(`/api/patron/loans/${north.institutionId}/${other.loan.id}/renew`);
    expect([notMine.statusCode, notMine.json().code]).toEqual([404, 'LOAN_NOT_FOUND']);
    const mine = await client.get('/api/patron/loans');
    expect(mine.json().map((l: { id: string }) => l.id)).toEqual([loan.id]);
    expect(
      (await client.get(`/api/circulation/patrons/${north.institutionId}/${patron.id}/loans`)).statusCode,
    ).toBe(403);
  });
});

describe('CIRC-6 / CIRC-11 returns and the overdue fine', () => {
  it("CIRC-6: a return closes the loan and puts the item back; at another library it is sent home; CIRC-11: one fee on the owner's calendar", async () => {
    const patron = await borrower();
    const book = await item();
    const loan = (await lend(operator, { itemBarcode: book.barcode, patronId: patron.id })).json().loan;
    // Five days late; the owner's library (the item's home) was closed on one of them, the
    // lending library was not: fines skip the OWNER's closed days (CIRC-3).
    await setDueAt(db(), loan.id, new Date(Date.now() - 5 * DAY));
    await closeLibrary(db(), north.libraries.home, plusDays(today(), -2));
    const returned = await giveBack(operator, book.barcode);
    expect(returned.statusCode).toBe(200);
    const body = returned.json();
    expect(body.loan).toMatchObject({ id: loan.id, status: 'returned', returnedAt: expect.any(String) });
    expect(body.fine).toEqual({ amountMinor: 100, currency: 'CAD', overdueDays: 4, chargedDays: 4 });
    expect(body.nextStep).toMatchObject({
      kind: 'transit',
      reason: 'home_library',
      libraryId: north.libraries.home,
    });
    expect(body.nextStep.text).toContain('North University Catalogue Library');
    const fees = await db().selectFrom('fees').selectAll().where('loan_id', '=', loan.id).execute();
    expect(fees).toEqual([
      expect.objectContaining({
        fee_type: 'overdue_fine',
        institution_id: north.institutionId,
        currency: 'CAD',
        original_minor: 100,
        balance_minor: 100,
        status: 'active',
      }),
    ]);
    const state = await db()
      .selectFrom('items')
      .select(['in_place', 'process_type'])
      .where('id', '=', book.itemId)
      .executeTakeFirstOrThrow();
    // CIRC-9 (issue 5): sent home, the item is in transit until it is scanned there.
    expect(state).toEqual({ in_place: false, process_type: 'transit' });
    // CIRC-6 / CIRC-12: the owner's return receipt is in the outbox, once.
    const receipts = await db()
      .selectFrom('letters')
      .select(['letter_type', 'institution_id', 'message_id'])
      .where('patron_id', '=', patron.id)
      .where('letter_type', '=', 'return_receipt')
      .execute();
    expect(receipts).toEqual([
      {
        letter_type: 'return_receipt',
        institution_id: north.institutionId,
        message_id: `return-receipt-${loan.id}@shelfshare`,
      },
    ]);
    // Scanned again at home: no loan, reshelve, still one fee.
    const scan = await giveBack(operator, book.barcode, north.desks.home.id);
    expect(scan.json()).toMatchObject({ loan: null, fine: null, nextStep: { kind: 'reshelve' } });
    expect(await db().selectFrom('fees').selectAll().where('loan_id', '=', loan.id).execute()).toHaveLength(
      1,
    );
    await db().deleteFrom('library_closed_days').execute();
  });

  it('CIRC-11: returned within the grace days, no fine and no fee; an unknown barcode is 404', async () => {
    const dvd = await item({ materialType: 'DVD' });
    const loan = (await lend(operator, { itemBarcode: dvd.barcode, patronId: (await borrower()).id })).json()
      .loan;
    await setDueAt(db(), loan.id, new Date(Date.now() - 2 * DAY));
    const returned = await giveBack(operator, dvd.barcode, north.desks.home.id);
    expect(returned.json().fine).toMatchObject({ amountMinor: 0, overdueDays: 2, chargedDays: 0 });
    expect(returned.json().nextStep.kind).toBe('reshelve');
    expect(await db().selectFrom('fees').selectAll().where('loan_id', '=', loan.id).execute()).toEqual([]);
    const unknown = await giveBack(operator, 'NOPE-0');
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'ITEM_NOT_FOUND']);
  });
});

describe('CIRC-13 item history and the patron loans list', () => {
  it("the patron loans list answers exactly its documented shape, written without the schema's pass (decision 71)", async () => {
    const patron = await borrower({ lastName: 'Novák' });
    // A preferred name and titles that JSON must escape or encode: quotes, angles, letters beyond ASCII.
    await db().updateTable('patrons').set({ preferred_name: 'Åsa' }).where('id', '=', patron.id).execute();
    const lent = [];
    for (const book of [
      await item(),
      await item({ title: 'Lent under "quotes" & <angles>\\ back' }),
      await item({ title: 'Čapek: Válka s mloky' }),
    ]) {
      const res = await lend(operator, { itemBarcode: book.barcode, patronId: patron.id });
      expect(res.statusCode).toBe(201);
      lent.push(res.json().loan);
    }
    // One overdue by a day, one renewed once, one lost: flags, counts and statuses of open loans.
    await setDueAt(db(), lent[0].id, new Date(Date.now() - DAY));
    await db().updateTable('loans').set({ renewals_used: 1 }).where('id', '=', lent[1].id).execute();
    // Lost, as CIRC-10 leaves a loan overdue past the configured days: open, its copy marked lost (INV-2).
    await db().updateTable('loans').set({ status: 'lost' }).where('id', '=', lent[2].id).execute();
    await db().updateTable('items').set({ process_type: 'lost' }).where('id', '=', lent[2].item.id).execute();
    const list = await operator.get(`/api/circulation/patrons/${north.institutionId}/${patron.id}/loans`);
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = list.json();
    // Soonest due first.
    expect(body.map((l: { id: string }) => l.id)).toEqual([lent[0].id, lent[1].id, lent[2].id]);
    expect(body[0]).toMatchObject({ overdue: true, patron: { id: patron.id, name: 'Åsa Novák' } });
    expect(body[1]).toMatchObject({ overdue: false, renewalsUsed: 1 });
    expect(body[1].item.title).toBe('Lent under "quotes" & <angles>\\ back');
    expect(body[2]).toMatchObject({ status: 'lost', overdue: false, returnedAt: null });
    expect(body[2].item.title).toBe('Čapek: Válka s mloky');
    // Parsing drops any field the schema does not declare: equal means nothing more was sent.
    expect(z.array(loanViewSchema).parse(body)).toEqual(body);
    // A patron with no open loan: an empty list, not null.
    const idle = await borrower();
    const none = await operator.get(`/api/circulation/patrons/${north.institutionId}/${idle.id}/loans`);
    expect([none.statusCode, none.body]).toEqual([200, '[]']);
  });

  it("PAT-3: the loans list of a patron not of this institution answers 404, another member's patron too, with none of their loans", async () => {
    const theirs = await buildBorrower(db(), cast.south);
    const theirBook = await buildItem(db(), { institution: cast.south.institution });
    const southOperator = await signIn(t.app, cast.south.staff.circulation_desk_operator.username);
    const southLoan = await southOperator.post('/api/circulation/loans', {
      deskId: south.desks.main.id,
      itemBarcode: theirBook.barcode,
      patronId: theirs.id,
    });
    expect(southLoan.statusCode).toBe(201);
    for (const patronId of [theirs.id, '00000000-0000-4000-8000-000000000000']) {
      const list = await operator.get(`/api/circulation/patrons/${north.institutionId}/${patronId}/loans`);
      expect([list.statusCode, list.json().code]).toEqual([404, 'PATRON_NOT_FOUND']);
      expect(list.body).not.toContain(theirBook.barcode);
    }
  });

  it('CIRC-13: every loan, renewal and return with time, institution, library, desk and operator', async () => {
    const patron = await borrower();
    const book = await item();
    const loan = (await lend(operator, { itemBarcode: book.barcode, patronId: patron.id })).json().loan;
    const list = await operator.get(`/api/circulation/patrons/${north.institutionId}/${patron.id}/loans`);
    expect(list.json()).toEqual([
      expect.objectContaining({ id: loan.id, overdue: false, renewalsUsed: 0, renewalsAllowed: 2 }),
    ]);
    await setDueAt(db(), loan.id, new Date(Date.now() - 60_000));
    expect(
      (await operator.get(`/api/circulation/patrons/${north.institutionId}/${patron.id}/loans`)).json()[0]
        .overdue,
    ).toBe(true);
    await manager.post(`/api/circulation/loans/${north.institutionId}/${loan.id}/renew`, {});
    await giveBack(operator, book.barcode, north.desks.branch.id);
    const history = await operator.get(
      `/api/institutions/${north.institutionId}/items/${book.itemId}/history`,
    );
    expect(history.statusCode).toBe(200);
    expect(history.json().map((h: { event: string }) => h.event)).toEqual(['return', 'renew', 'loan']);
    expect(history.json()[0]).toMatchObject({
      institution: { id: north.institutionId, name: 'North University' },
      library: { id: north.libraries.branch },
      desk: { id: north.desks.branch.id },
      operator: { id: cast.north.staff.circulation_desk_operator.id },
      patron: { id: patron.id },
      loanId: loan.id,
    });
    const southStaff = await signIn(t.app, cast.south.staff.circulation_desk_operator.username);
    expect(
      (await southStaff.get(`/api/institutions/${north.institutionId}/items/${book.itemId}/history`))
        .statusCode,
    ).toBe(403);
  });
});
