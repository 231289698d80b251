import type { Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { notFound, refused } from '../shared/errors.ts';

/**
 * CIRC-11 / INV-5: fees and their transactions. A fee's balance is its original amount minus
 * its payments and waivers; it is `closed` exactly when the balance is zero. A refund gives
 * back money that was paid (never more than was paid, less earlier refunds) and does NOT
 * reopen the fee: the refunded amount is forgiven, not owed again, so the balance stays.
 */

export type Executor = Db | Transaction<Database>;
export type FeeTransactionKind = 'payment' | 'waive' | 'refund';

export interface FeeTotals {
  paidMinor: number;
  waivedMinor: number;
  refundedMinor: number;
}

export async function feeTotals(db: Executor, institutionId: string, feeIds: string[]) {
  const totals = new Map<string, FeeTotals>();
  for (const id of feeIds) totals.set(id, { paidMinor: 0, waivedMinor: 0, refundedMinor: 0 });
  if (feeIds.length === 0) return totals;
  const rows = await db
    .selectFrom('fee_transactions')
    .select(['fee_id', 'kind', (eb) => eb.fn.sum<number | string>('amount_minor').as('total')])
    .where('institution_id', '=', institutionId)
    .where('fee_id', 'in', feeIds)
    .groupBy(['fee_id', 'kind'])
    .execute();
  for (const r of rows) {
    const t = totals.get(r.fee_id);
    if (!t) continue;
    const n = Number(r.total);
    if (r.kind === 'payment') t.paidMinor = n;
    else if (r.kind === 'waive') t.waivedMinor = n;
    else t.refundedMinor = n;
  }
  return totals;
}

export interface TransactionInput {
  institutionId: string;
  feeId: string;
  kind: FeeTransactionKind;
  amountMinor: number;
  reason?: string | null;
  method?: string | null;
  staffId: string | null;
  now: Date;
}

/**
 * One payment, waiver or refund inside the caller's transaction: locks the fee row
 * (`FOR UPDATE`), checks the amount against what is left, records the transaction with who
 * and when and sets balance and status. Too much is refused (422) before anything is written.
 */
export async function applyFeeTransaction(trx: Transaction<Database>, input: TransactionInput) {
  const fee = await trx
    .selectFrom('fees')
    .select(['id', 'status', 'currency', 'original_minor', 'balance_minor'])
    .where('institution_id', '=', input.institutionId)
    .where('id', '=', input.feeId)
    .forUpdate()
    .executeTakeFirst();
  if (!fee) throw notFound('FEE_NOT_FOUND', 'No such fee in this institution.', { feeId: input.feeId });
  const balance = Number(fee.balance_minor);
  const totals = (await feeTotals(trx, input.institutionId, [fee.id])).get(fee.id) as FeeTotals;
  const amount = input.amountMinor;
  if (!Number.isInteger(amount) || amount <= 0) {
    throw refused('FEE_AMOUNT_INVALID', 'The amount must be a positive whole number of minor units.', {
      amountMinor: amount,
    });
  }
  if (input.kind === 'payment' && amount > balance) {
    throw refused(
      'FEE_OVERPAYMENT',
      `The payment of ${amount} is more than the balance of ${balance} (${fee.currency} minor units).`,
      { amountMinor: amount, balanceMinor: balance, currency: fee.currency },
    );
  }
  if (input.kind === 'waive') {
    if (!input.reason?.trim())
      throw refused('FEE_WAIVE_REASON_REQUIRED', 'A waiver needs a reason.', { field: 'reason' });
    if (amount > balance) {
      throw refused(
        'FEE_OVER_WAIVE',
        `The waiver of ${amount} is more than the balance of ${balance} (${fee.currency} minor units).`,
        { amountMinor: amount, balanceMinor: balance, currency: fee.currency },
      );
    }
  }
  const refundable = totals.paidMinor - totals.refundedMinor;
  if (input.kind === 'refund' && amount > refundable) {
    throw refused(
      'FEE_OVER_REFUND',
      `The refund of ${amount} is more than the ${refundable} paid and not yet refunded (${fee.currency} minor units).`,
      { amountMinor: amount, refundableMinor: refundable, currency: fee.currency },
    );
  }
  const newBalance = input.kind === 'refund' ? balance : balance - amount;
  const row = await trx
    .insertInto('fee_transactions')
    .values({
      institution_id: input.institutionId,
      fee_id: fee.id,
      kind: input.kind,
      amount_minor: amount,
      reason: input.reason?.trim() || null,
      method: input.method?.trim() || null,
      staff_id: input.staffId,
      at: input.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('fees')
    .set({ balance_minor: newBalance, status: newBalance === 0 ? 'closed' : 'active', updated_at: input.now })
    .where('institution_id', '=', input.institutionId)
    .where('id', '=', fee.id)
    .execute();
  return { transactionId: row.id, balanceMinor: newBalance };
}

export interface LostFeeTerms {
  refund_replacement_fee_on_return: boolean;
  refund_processing_fee_on_return: boolean;
}

/**
 * CIRC-11: a lost item came back. Per the loan's terms of use, its replacement fee and/or
 * processing fee are settled: what was paid (and not yet refunded) is refunded to the patron
 * and the balance still owed is waived, both with the reason "lost item returned", so each
 * such fee ends closed. Call it in the return's transaction, only for a loan that was lost.
 * Calling it again finds nothing left to refund or waive (idempotent).
 */
export async function refundLostFeesOnReturn(
  trx: Transaction<Database>,
  input: { institutionId: string; loanId: string; terms: LostFeeTerms; staffId: string | null; now: Date },
) {
  const types: ('lost_item_replacement' | 'lost_item_processing')[] = [];
  if (input.terms.refund_replacement_fee_on_return) types.push('lost_item_replacement');
  if (input.terms.refund_processing_fee_on_return) types.push('lost_item_processing');
  const settled: { feeId: string; feeType: string; refundedMinor: number; waivedMinor: number }[] = [];
  if (types.length === 0) return settled;
  const fees = await trx
    .selectFrom('fees')
    .select(['id', 'fee_type'])
    .where('institution_id', '=', input.institutionId)
    .where('loan_id', '=', input.loanId)
    .where('fee_type', 'in', types)
    .orderBy('created_at')
    .orderBy('id')
    .forUpdate()
    .execute();
  const totals = await feeTotals(
    trx,
    input.institutionId,
    fees.map((f) => f.id),
  );
  const reason = 'Lost item returned';
  for (const fee of fees) {
    const t = totals.get(fee.id) as FeeTotals;
    const current = await trx
      .selectFrom('fees')
      .select('balance_minor')
      .where('institution_id', '=', input.institutionId)
      .where('id', '=', fee.id)
      .executeTakeFirstOrThrow();
    const refundable = t.paidMinor - t.refundedMinor;
    const owed = Number(current.balance_minor);
    const common = {
      institutionId: input.institutionId,
      feeId: fee.id,
      staffId: input.staffId,
      now: input.now,
    };
    if (refundable > 0)
      await applyFeeTransaction(trx, { ...common, kind: 'refund', amountMinor: refundable, reason });
    if (owed > 0) await applyFeeTransaction(trx, { ...common, kind: 'waive', amountMinor: owed, reason });
    if (refundable > 0 || owed > 0)
      settled.push({ feeId: fee.id, feeType: fee.fee_type, refundedMinor: refundable, waivedMinor: owed });
  }
  return settled;
}

/** Fees as the API shows them, with their item and transactions, newest first. */
export async function presentFees(
  db: Executor,
  institutionId: string,
  filter: { patronId?: string; feeId?: string },
) {
  let query = db
    .selectFrom('fees as f')
    .leftJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 'f.institution_id').onRef('i.id', '=', 'f.item_id'),
    )
    .leftJoin('bib_records as b', (j) =>
      j.onRef('b.institution_id', '=', 'i.institution_id').onRef('b.id', '=', 'i.bib_id'),
    )
    .select(['f.id', 'f.institution_id', 'f.patron_id', 'f.loan_id', 'f.item_id', 'f.fee_type', 'f.status'])
    .select(['f.currency', 'f.original_minor', 'f.balance_minor', 'f.created_at', 'f.updated_at'])
    .select(['i.barcode', 'b.title'])
    .where('f.institution_id', '=', institutionId)
    .orderBy('f.created_at', 'desc')
    .orderBy('f.id');
  if (filter.patronId) query = query.where('f.patron_id', '=', filter.patronId);
  if (filter.feeId) query = query.where('f.id', '=', filter.feeId);
  const fees = await query.execute();
  const ids = fees.map((f) => f.id);
  const totals = await feeTotals(db, institutionId, ids);
  const transactions = ids.length
    ? await db
        .selectFrom('fee_transactions as t')
        .leftJoin('staff as s', 's.id', 't.staff_id')
        .select([
          't.id',
          't.fee_id',
          't.kind',
          't.amount_minor',
          't.reason',
          't.method',
          't.staff_id',
          't.at',
        ])
        .select('s.name as staff_name')
        .where('t.institution_id', '=', institutionId)
        .where('t.fee_id', 'in', ids)
        .orderBy('t.at')
        .orderBy('t.id')
        .execute()
    : [];
  return fees.map((f) => {
    const t = totals.get(f.id) as FeeTotals;
    return {
      id: f.id,
      institutionId: f.institution_id,
      patronId: f.patron_id,
      loanId: f.loan_id,
      item: f.item_id ? { id: f.item_id, barcode: f.barcode ?? null, title: f.title ?? null } : null,
      feeType: f.fee_type,
      status: f.status,
      currency: f.currency.trim(),
      originalMinor: Number(f.original_minor),
      balanceMinor: Number(f.balance_minor),
      ...t,
      createdAt: f.created_at.toISOString(),
      updatedAt: f.updated_at.toISOString(),
      transactions: transactions
        .filter((x) => x.fee_id === f.id)
        .map((x) => ({
          id: x.id,
          kind: x.kind,
          amountMinor: Number(x.amount_minor),
          reason: x.reason,
          method: x.method,
          staffId: x.staff_id,
          staffName: x.staff_name ?? null,
          at: x.at.toISOString(),
        })),
    };
  });
}
export type FeeView = Awaited<ReturnType<typeof presentFees>>[number];

/** A patron's fees with the open balance per currency (active fees only). */
export async function patronFeesView(db: Executor, institutionId: string, patronId: string) {
  const fees = await presentFees(db, institutionId, { patronId });
  const byCurrency = new Map<string, number>();
  for (const f of fees) {
    if (f.status !== 'active') continue;
    byCurrency.set(f.currency, (byCurrency.get(f.currency) ?? 0) + f.balanceMinor);
  }
  return {
    patronId,
    institutionId,
    balances: [...byCurrency.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, balanceMinor]) => ({ currency, balanceMinor })),
    fees,
  };
}
