import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import { buildBorrower, type CirculationSetup, circulationSetup } from '../support/circulation.ts';
import { buildPatron } from '../support/factories.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operator: Client;
let userManager: Client;
let southOperator: Client;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  await circulationSetup(t.database.db, cast.south);
  operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
  userManager = await signIn(t.app, cast.north.staff.user_manager.username);
  southOperator = await signIn(t.app, cast.south.staff.circulation_desk_operator.username);
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;
const northId = () => cast.north.institution.id;
const url = (patronId: string, institutionId = northId()) =>
  `/api/circulation/patrons/${institutionId}/${patronId}/loan-receipts`;

async function lendTo(patronId: string, title: string) {
  const item = await buildItem(db(), { institution: cast.north.institution, title });
  const response = await operator.post('/api/circulation/loans', {
    deskId: north.desks.main.id,
    itemBarcode: item.barcode,
    patronId,
  });
  expect(response.statusCode).toBe(201);
  return { loanId: response.json().loan.id as string, barcode: item.barcode };
}

const letterCount = async () =>
  Number(
    (
      await db()
        .selectFrom('letters')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('CIRC-4 / CIRC-12 emailing a loan receipt from the desk', () => {
  it('writes one loan_receipt letter to the outbox listing every chosen loan, to the preferred email', async () => {
    const patron = await buildBorrower(db(), cast.north);
    const first = await lendTo(patron.id, 'Receipt title one');
    const second = await lendTo(patron.id, 'Receipt title two');
    await lendTo(patron.id, 'Receipt title not chosen');

    const response = await operator.post(url(patron.id), { loanIds: [first.loanId, second.loanId] });
    expect(response.statusCode).toBe(202);
    const { letterId, to } = response.json();
    expect(to).toBe(`${patron.primary_identifier.toLowerCase()}@example.org`);

    const letter = await db()
      .selectFrom('letters')
      .selectAll()
      .where('id', '=', letterId)
      .executeTakeFirstOrThrow();
    expect(letter.letter_type).toBe('loan_receipt');
    expect(letter.patron_id).toBe(patron.id);
    expect(letter.to_address).toBe(to);
    expect(letter.body).toContain('Receipt title one');
    expect(letter.body).toContain(first.barcode);
    expect(letter.body).toContain('Receipt title two');
    expect(letter.body).not.toContain('Receipt title not chosen');

    // The patron's letters list shows it with the receipts written at each loan.
    const letters = await operator.get(`/api/circulation/patrons/${northId()}/${patron.id}/letters`);
    expect(letters.json().filter((l: { id: string }) => l.id === letterId)).toHaveLength(1);

    // Asking again writes a second letter (each click is one email), never the same message id.
    const again = await operator.post(url(patron.id), { loanIds: [first.loanId] });
    expect(again.statusCode).toBe(202);
    expect(again.json().letterId).not.toBe(letterId);
  });

  it("refuses another patron's loan, an unknown loan and a returned loan, writing nothing", async () => {
    const patron = await buildBorrower(db(), cast.north);
    const other = await buildBorrower(db(), cast.north);
    const own = await lendTo(patron.id, 'Own loan');
    const theirs = await lendTo(other.id, 'Their loan');
    const before = await letterCount();

    const foreign = await operator.post(url(patron.id), { loanIds: [own.loanId, theirs.loanId] });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('LOAN_NOT_FOUND');
    expect(foreign.json().details.loanIds).toEqual([theirs.loanId]);

    const unknown = await operator.post(url(patron.id), { loanIds: [crypto.randomUUID()] });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('LOAN_NOT_FOUND');
    expect(await letterCount()).toBe(before);

    const returned = await operator.post('/api/circulation/returns', {
      deskId: north.desks.main.id,
      itemBarcode: own.barcode,
    });
    expect(returned.statusCode).toBe(200);
    const afterReturn = await letterCount();
    const closed = await operator.post(url(patron.id), { loanIds: [own.loanId] });
    expect(closed.statusCode).toBe(422);
    expect(closed.json().code).toBe('LOAN_NOT_ACTIVE');
    expect(await letterCount()).toBe(afterReturn);
  });

  it('a patron without an email gets 422 PATRON_HAS_NO_EMAIL', async () => {
    const patron = await buildPatron(db(), { institution: cast.north.institution });
    const loan = await lendTo(patron.id, 'No email title');
    const before = await letterCount();
    const response = await operator.post(url(patron.id), { loanIds: [loan.loanId] });
    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe('PATRON_HAS_NO_EMAIL');
    expect(await letterCount()).toBe(before);
  });

  it('needs circulation.desk at the institution, and 1 to 100 loan ids', async () => {
    const patron = await buildBorrower(db(), cast.north);
    const loan = await lendTo(patron.id, 'Privileged title');

    const noDesk = await userManager.post(url(patron.id), { loanIds: [loan.loanId] });
    expect(noDesk.statusCode).toBe(403);
    expect(noDesk.json().code).toBe('FORBIDDEN');
    const elsewhere = await southOperator.post(url(patron.id), { loanIds: [loan.loanId] });
    expect(elsewhere.statusCode).toBe(403);

    const none = await operator.post(url(patron.id), { loanIds: [] });
    expect(none.statusCode).toBe(400);
    expect(none.json().code).toBe('VALIDATION_FAILED');
    const tooMany = await operator.post(url(patron.id), {
      loanIds: Array.from({ length: 101 }, () => crypto.randomUUID()),
    });
    expect(tooMany.statusCode).toBe(400);

    const unknownPatron = await operator.post(url(crypto.randomUUID()), { loanIds: [loan.loanId] });
    expect(unknownPatron.statusCode).toBe(404);
    expect(unknownPatron.json().code).toBe('PATRON_NOT_FOUND');
  });
});
