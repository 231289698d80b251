import { type Actor, authorize, can, requirePatron } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import { forbidden, notFound, unauthenticated } from '../shared/errors.ts';
import { applyFeeTransaction, type FeeTransactionKind, patronFeesView, presentFees } from './repository.ts';

/** What a fee use case runs with; `now` is injectable for tests. */
export interface FeeContext {
  db: Db;
  actor: Actor | null;
  requestId: string;
  now?: Date;
}

/** Reading fees: circulation.desk or patrons.read at the institution. */
export function authorizeFeeRead(actor: Actor | null, institutionId: string) {
  if (!actor) throw unauthenticated();
  const scope = { institutionId };
  if (!can(actor, 'circulation.desk', scope) && !can(actor, 'patrons.read', scope)) {
    throw forbidden('FORBIDDEN', 'You do not have the circulation.desk or patrons.read privilege here.', {
      privilege: 'patrons.read',
      scope,
    });
  }
}

async function requirePatronHere(db: Db, institutionId: string, patronId: string) {
  const patron = await db
    .selectFrom('patrons')
    .select('id')
    .where('institution_id', '=', institutionId)
    .where('id', '=', patronId)
    .executeTakeFirst();
  if (!patron) throw notFound('PATRON_NOT_FOUND', 'No such patron in this institution.', { patronId });
}

/** CIRC-11: a patron's fees with transactions and the balance per currency (staff). */
export async function listPatronFees(db: Db, actor: Actor | null, institutionId: string, patronId: string) {
  authorizeFeeRead(actor, institutionId);
  await requirePatronHere(db, institutionId, patronId);
  return patronFeesView(db, institutionId, patronId);
}

/** CIRC-11: the signed-in patron's own fees. */
export async function listMyFees(db: Db, actor: Actor | null) {
  const patron = requirePatron(actor);
  return patronFeesView(db, patron.institutionId, patron.patronId);
}

export async function getFee(db: Db, actor: Actor | null, institutionId: string, feeId: string) {
  authorizeFeeRead(actor, institutionId);
  const [fee] = await presentFees(db, institutionId, { feeId });
  if (!fee) throw notFound('FEE_NOT_FOUND', 'No such fee in this institution.', { feeId });
  return fee;
}

export interface FeeActionInput {
  amountMinor?: number;
  reason?: string | null;
  method?: string | null;
}

/**
 * CIRC-11: pay (partly or fully), waive (with a reason; the whole balance when no amount is
 * given) or refund (of payments) one fee, in one transaction that locks the fee row and
 * records who and when. Needs fees.manage at the fee's institution; 422 for too much.
 */
export async function feeAction(
  ctx: FeeContext,
  kind: FeeTransactionKind,
  institutionId: string,
  feeId: string,
  input: FeeActionInput,
) {
  const actor = authorize(ctx.actor, 'fees.manage', { institutionId });
  const now = ctx.now ?? new Date();
  const transactionId = await ctx.db.transaction().execute(async (trx) => {
    let amountMinor = input.amountMinor;
    if (amountMinor === undefined) {
      const fee = await trx
        .selectFrom('fees')
        .select('balance_minor')
        .where('institution_id', '=', institutionId)
        .where('id', '=', feeId)
        .forUpdate()
        .executeTakeFirst();
      if (!fee) throw notFound('FEE_NOT_FOUND', 'No such fee in this institution.', { feeId });
      amountMinor = Number(fee.balance_minor);
    }
    const result = await applyFeeTransaction(trx, {
      institutionId,
      feeId,
      kind,
      amountMinor,
      reason: input.reason ?? null,
      method: input.method ?? null,
      staffId: actor.staffId,
      now,
    });
    return result.transactionId;
  });
  const [fee] = await presentFees(ctx.db, institutionId, { feeId });
  return { transactionId, fee: fee as NonNullable<typeof fee> };
}
