import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import {
  buildBorrower,
  type CirculationSetup,
  circulationSetup,
  setDueAt,
  signInPatron,
} from '../support/circulation.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operator: Client;
let limited: Client;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
  limited = await signIn(t.app, cast.north.staff.circulation_desk_operator_limited.username);
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;
const borrower = () => buildBorrower(db(), cast.north);
const feeUrl = (feeId: string) => `/api/circulation/fees/${north.institutionId}/${feeId}`;
const patronFeesUrl = (patronId: string) =>
  `/api/circulation/patrons/${north.institutionId}/${patronId}/fees`;

async function createFee(
  patronId: string,
  amountMinor: number,
  options: {
    type?: 'other' | 'lost_item_replacement' | 'lost_item_processing';
    loanId?: string;
    itemId?: string;
  } = {},
) {
  return db()
    .insertInto('fees')
    .values({
      institution_id: north.institutionId,
      patron_id: patronId,
      loan_id: options.loanId ?? null,
      item_id: options.itemId ?? null,
      fee_type: options.type ?? 'other',
      currency: 'CAD',
      original_minor: amountMinor,
      balance_minor: amountMinor,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

async function feeState(feeId: string) {
  const fee = await db()
    .selectFrom('fees')
    .select(['status', 'balance_minor', 'original_minor', 'updated_at'])
    .where('id', '=', feeId)
    .executeTakeFirstOrThrow();
  const n = await db()
    .selectFrom('fee_transactions')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return { ...fee, transactions: Number(n.n) };
}

describe('CIRC-11 payments, waivers and refunds', () => {
  it('CIRC-11 / INV-5: partial then full payment closes the fee, each a transaction with who and when; balances per currency', async () => {
    const patron = await borrower();
    const fee = await createFee(patron.id, 1000);
    const other = await createFee(patron.id, 250);
    const first = await operator.post(`${feeUrl(fee.id)}/payments`, { amountMinor: 400, method: 'cash' });
    expect(first.statusCode).toBe(201);
    expect(first.json().fee).toMatchObject({ status: 'active', balanceMinor: 600, paidMinor: 400 });
    const second = await operator.post(`${feeUrl(fee.id)}/payments`, { amountMinor: 600, method: 'card' });
    expect(second.json().fee).toMatchObject({ status: 'closed', balanceMinor: 0, paidMinor: 1000 });
    expect(second.json().fee.transactions).toEqual([
      expect.objectContaining({
        kind: 'payment',
        amountMinor: 400,
        method: 'cash',
        staffName: expect.any(String),
      }),
      expect.objectContaining({ kind: 'payment', amountMinor: 600, method: 'card' }),
    ]);
    expect(second.json().fee.transactions[0].staffId).toBe(cast.north.staff.circulation_desk_operator.id);

    const list = await operator.get(patronFeesUrl(patron.id));
    expect(list.statusCode).toBe(200);
    expect(list.json().balances).toEqual([{ currency: 'CAD', balanceMinor: 250 }]);
    expect(
      list
        .json()
        .fees.map((f: { id: string }) => f.id)
        .sort(),
    ).toEqual([fee.id, other.id].sort());
    // The patron reads their own fees in discovery.
    const self = await signInPatron(t.app, 'NORTH', patron.primary_identifier);
    const mine = await self.get('/api/patron/fees');
    expect(mine.statusCode).toBe(200);
    expect(mine.json().balances).toEqual([{ currency: 'CAD', balanceMinor: 250 }]);
  });

  it('CIRC-11: over-payment, over-waive and over-refund are refused with 422 and write nothing', async () => {
    const patron = await borrower();
    const fee = await createFee(patron.id, 500);
    const before = await feeState(fee.id);
    const overpay = await operator.post(`${feeUrl(fee.id)}/payments`, { amountMinor: 501 });
    expect(overpay.statusCode).toBe(422);
    expect(overpay.json()).toMatchObject({ code: 'FEE_OVERPAYMENT', details: { balanceMinor: 500 } });
    const overwaive = await operator.post(`${feeUrl(fee.id)}/waivers`, {
      amountMinor: 600,
      reason: 'goodwill',
    });
    expect(overwaive.json().code).toBe('FEE_OVER_WAIVE');
    const overrefund = await operator.post(`${feeUrl(fee.id)}/refunds`, { amountMinor: 1 });
    expect(overrefund.json().code).toBe('FEE_OVER_REFUND');
    expect(await feeState(fee.id)).toEqual(before);
    // Bad amounts never reach the use case.
    expect((await operator.post(`${feeUrl(fee.id)}/payments`, { amountMinor: 1.5 })).statusCode).toBe(400);
    expect((await operator.post(`${feeUrl(fee.id)}/payments`, { amountMinor: 0 })).statusCode).toBe(400);
    expect(await feeState(fee.id)).toEqual(before);
  });

  it('CIRC-11: a waiver needs a reason; a refund gives back payments up to what was paid and does not reopen the fee', async () => {
    const patron = await borrower();
    const fee = await createFee(patron.id, 1000);
    await operator.post(`${feeUrl(fee.id)}/payments`, { amountMinor: 300 });
    const noReason = await operator.post(`${feeUrl(fee.id)}/waivers`, { amountMinor: 100 });
    expect(noReason.statusCode).toBe(400);
    const blank = await operator.post(`${feeUrl(fee.id)}/waivers`, { reason: '   ' });
    expect(blank.statusCode).toBe(400);
    const waive = await operator.post(`${feeUrl(fee.id)}/waivers`, { reason: 'first offence' });
    expect(waive.statusCode).toBe(201);
    expect(waive.json().fee).toMatchObject({ status: 'closed', balanceMinor: 0, waivedMinor: 700 });
    const refund = await operator.post(`${feeUrl(fee.id)}/refunds`, { amountMinor: 200, method: 'cash' });
    expect(refund.statusCode).toBe(201);
    expect(refund.json().fee).toMatchObject({ status: 'closed', balanceMinor: 0, refundedMinor: 200 });
    expect((await operator.post(`${feeUrl(fee.id)}/refunds`, { amountMinor: 101 })).json().code).toBe(
      'FEE_OVER_REFUND',
    );
    expect((await operator.post(`${feeUrl(fee.id)}/refunds`, { amountMinor: 100 })).statusCode).toBe(201);
    expect((await operator.get(feeUrl(fee.id))).json()).toMatchObject({
      paidMinor: 300,
      waivedMinor: 700,
      refundedMinor: 300,
      balanceMinor: 0,
    });
  });

  it('CIRC-11: fees.manage is needed to take money (the limited desk operator may only read)', async () => {
    const patron = await borrower();
    const fee = await createFee(patron.id, 100);
    const refusedPay = await limited.post(`${feeUrl(fee.id)}/payments`, { amountMinor: 100 });
    expect(refusedPay.statusCode).toBe(403);
    expect((await limited.get(patronFeesUrl(patron.id))).statusCode).toBe(200);
    const southFees = await operator.get(
      `/api/circulation/patrons/${cast.south.institution.id}/${patron.id}/fees`,
    );
    expect(southFees.statusCode).toBe(403);
    expect((await operator.get(feeUrl('00000000-0000-4000-8000-000000000000'))).statusCode).toBe(404);
  });
});

describe('CIRC-11 lost items and claimed returned', () => {
  async function lostLoan(patronId: string) {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const lend = await operator.post('/api/circulation/loans', {
      deskId: north.desks.main.id,
      itemBarcode: book.barcode,
      patronId,
    });
    expect(lend.statusCode).toBe(201);
    const loanId = lend.json().loan.id as string;
    // What the lost job does: the loan lost, the item lost, replacement and processing fees billed.
    await db().updateTable('loans').set({ status: 'lost' }).where('id', '=', loanId).execute();
    await db()
      .updateTable('items')
      .set({ process_type: 'lost', in_place: false })
      .where('id', '=', book.itemId)
      .execute();
    const replacement = await createFee(patronId, 5000, {
      type: 'lost_item_replacement',
      loanId,
      itemId: book.itemId,
    });
    const processing = await createFee(patronId, 1000, {
      type: 'lost_item_processing',
      loanId,
      itemId: book.itemId,
    });
    return { book, loanId, replacement, processing };
  }

  it('CIRC-11: a lost item returned refunds what was paid and waives the rest of the fees its terms name', async () => {
    const patron = await borrower();
    // Default terms: the replacement fee is refunded on return, the processing fee is not.
    const first = await lostLoan(patron.id);
    await operator.post(`${feeUrl(first.replacement.id)}/payments`, { amountMinor: 2000 });
    const back = await operator.post('/api/circulation/returns', {
      deskId: north.desks.main.id,
      itemBarcode: first.book.barcode,
    });
    expect(back.statusCode).toBe(200);
    const replacement = (await operator.get(feeUrl(first.replacement.id))).json();
    expect(replacement).toMatchObject({
      status: 'closed',
      balanceMinor: 0,
      paidMinor: 2000,
      refundedMinor: 2000,
      waivedMinor: 3000,
    });
    const kinds = replacement.transactions.map(
      (x: { kind: string; reason: string }) => `${x.kind}:${x.reason}`,
    );
    expect(kinds.sort()).toEqual(['payment:null', 'refund:Lost item returned', 'waive:Lost item returned']);
    expect((await operator.get(feeUrl(first.processing.id))).json()).toMatchObject({
      status: 'active',
      balanceMinor: 1000,
    });

    // Terms that refund the processing fee too.
    await db()
      .updateTable('terms_of_use')
      .set({ refund_processing_fee_on_return: true })
      .where('id', '=', north.terms.standard)
      .execute();
    const second = await lostLoan(patron.id);
    await operator.post('/api/circulation/returns', {
      deskId: north.desks.main.id,
      itemBarcode: second.book.barcode,
    });
    expect((await operator.get(feeUrl(second.processing.id))).json()).toMatchObject({
      status: 'closed',
      waivedMinor: 1000,
    });
    expect((await operator.get(feeUrl(second.replacement.id))).json()).toMatchObject({
      status: 'closed',
      waivedMinor: 5000,
    });
    await db()
      .updateTable('terms_of_use')
      .set({ refund_processing_fee_on_return: false })
      .where('id', '=', north.terms.standard)
      .execute();
  });

  it('CIRC-11: claimed returned stops accrual at the claim and lists the loan for staff', async () => {
    const patron = await borrower();
    const book = await buildItem(db(), { institution: cast.north.institution });
    const lend = await operator.post('/api/circulation/loans', {
      deskId: north.desks.main.id,
      itemBarcode: book.barcode,
      patronId: patron.id,
    });
    const loanId = lend.json().loan.id as string;
    await setDueAt(db(), loanId, new Date(Date.now() - 10 * DAY));
    const claim = await operator.post(
      `/api/circulation/loans/${north.institutionId}/${loanId}/claim-returned`,
      {
        note: 'patron says it went in the book drop',
      },
    );
    expect(claim.statusCode).toBe(200);
    expect(claim.json()).toMatchObject({
      loanId,
      item: { barcode: book.barcode },
      patron: { id: patron.id },
    });
    const again = await operator.post(
      `/api/circulation/loans/${north.institutionId}/${loanId}/claim-returned`,
      {},
    );
    expect(again.statusCode).toBe(422);
    expect(again.json().code).toBe('LOAN_NOT_CLAIMABLE');
    const list = await operator.get(`/api/circulation/institutions/${north.institutionId}/claimed-returned`);
    expect(list.json().map((l: { loanId: string }) => l.loanId)).toContain(loanId);
    const item = await db()
      .selectFrom('items')
      .select('process_type')
      .where('id', '=', book.itemId)
      .executeTakeFirstOrThrow();
    expect(item.process_type).toBe('claimed_returned');

    // Claimed seven days ago: the fine found on return counts the three days up to the claim, not ten.
    await db()
      .updateTable('loans')
      .set({ claimed_returned_at: new Date(Date.now() - 7 * DAY) })
      .where('id', '=', loanId)
      .execute();
    const back = await operator.post('/api/circulation/returns', {
      deskId: north.desks.main.id,
      itemBarcode: book.barcode,
    });
    expect(back.statusCode).toBe(200);
    const fine = await db()
      .selectFrom('fees')
      .select('original_minor')
      .where('loan_id', '=', loanId)
      .where('fee_type', '=', 'overdue_fine')
      .executeTakeFirstOrThrow();
    expect(Number(fine.original_minor)).toBeGreaterThanOrEqual(50);
    expect(Number(fine.original_minor)).toBeLessThanOrEqual(100);
    const after = await operator.get(`/api/circulation/institutions/${north.institutionId}/claimed-returned`);
    expect(after.json().map((l: { loanId: string }) => l.loanId)).not.toContain(loanId);
  });
});
