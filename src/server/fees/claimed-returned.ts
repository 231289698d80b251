import { type Actor, authorize } from '../auth/authorize.ts';
import { lockItemById, lockPatron, patronName } from '../circulation/repository.ts';
import type { Db } from '../db/database.ts';
import { notFound, refused } from '../shared/errors.ts';
import { authorizeFeeRead, type FeeContext } from './commands.ts';

/**
 * CIRC-11: the patron says the item came back. The loan becomes `claimed_returned` and the
 * item's process type follows (INV-2); the overdue fine stops growing from now (the daily job
 * charges active loans only, and a later return of the item does not add to the fine). Locks
 * the item, then the loan, then the patron (architecture.md). Active and lost loans can be
 * claimed; a loan already claimed is refused (422 LOAN_NOT_CLAIMABLE).
 */
export async function claimReturned(
  ctx: FeeContext & { actor: Actor | null },
  institutionId: string,
  loanId: string,
  input: { note?: string | null },
) {
  const now = ctx.now ?? new Date();
  const actor = authorize(ctx.actor, 'circulation.desk', { institutionId });
  await ctx.db.transaction().execute(async (trx) => {
    const found = await trx
      .selectFrom('loans')
      .select(['item_id'])
      .where('institution_id', '=', institutionId)
      .where('id', '=', loanId)
      .executeTakeFirst();
    if (!found) throw notFound('LOAN_NOT_FOUND', 'No such loan in this institution.', { loanId });
    await lockItemById(trx, institutionId, found.item_id);
    const loan = await trx
      .selectFrom('loans')
      .select(['id', 'status', 'item_id', 'patron_id'])
      .where('institution_id', '=', institutionId)
      .where('id', '=', loanId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (loan.status !== 'active' && loan.status !== 'lost') {
      throw refused(
        'LOAN_NOT_CLAIMABLE',
        `A ${loan.status.replace('_', ' ')} loan cannot be claimed returned.`,
        {
          status: loan.status,
        },
      );
    }
    await lockPatron(trx, institutionId, loan.patron_id, now);
    await trx
      .updateTable('loans')
      .set({ status: 'claimed_returned', claimed_returned_at: now })
      .where('institution_id', '=', institutionId)
      .where('id', '=', loanId)
      .execute();
    await trx
      .updateTable('items')
      .set({ in_place: false, process_type: 'claimed_returned', updated_at: now })
      .where('institution_id', '=', institutionId)
      .where('id', '=', loan.item_id)
      .execute();
    await trx
      .insertInto('item_history')
      .values({
        institution_id: institutionId,
        item_id: loan.item_id,
        at: now,
        event: 'claimed_returned',
        acting_institution_id: institutionId,
        operator_staff_id: actor.staffId,
        patron_id: loan.patron_id,
        loan_id: loan.id,
        details: JSON.stringify({ previousStatus: loan.status, ...(input.note ? { note: input.note } : {}) }),
      })
      .execute();
  });
  const [view] = await listClaimedReturned(ctx.db, ctx.actor, institutionId, loanId);
  return view as NonNullable<typeof view>;
}

/** CIRC-11: the claimed-returned loans of the institution for staff to resolve, oldest claim first. */
export async function listClaimedReturned(
  db: Db,
  actor: Actor | null,
  institutionId: string,
  loanId?: string,
) {
  authorizeFeeRead(actor, institutionId);
  let query = db
    .selectFrom('loans as l')
    .innerJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 'l.institution_id').onRef('i.id', '=', 'l.item_id'),
    )
    .innerJoin('bib_records as b', (j) =>
      j.onRef('b.institution_id', '=', 'i.institution_id').onRef('b.id', '=', 'i.bib_id'),
    )
    .innerJoin('patrons as p', (j) =>
      j.onRef('p.institution_id', '=', 'l.institution_id').onRef('p.id', '=', 'l.patron_id'),
    )
    .select(['l.id', 'l.institution_id', 'l.item_id', 'l.patron_id', 'l.due_at', 'l.loaned_at'])
    .select(['l.claimed_returned_at', 'i.barcode', 'b.title'])
    .select(['p.first_name', 'p.last_name', 'p.preferred_name', 'p.primary_identifier'])
    .where('l.institution_id', '=', institutionId)
    .where('l.status', '=', 'claimed_returned')
    .orderBy('l.claimed_returned_at')
    .orderBy('l.id');
  if (loanId) query = query.where('l.id', '=', loanId);
  const rows = await query.execute();
  return rows.map((r) => ({
    loanId: r.id,
    institutionId: r.institution_id,
    item: { id: r.item_id, barcode: r.barcode, title: r.title },
    patron: { id: r.patron_id, name: patronName(r), identifier: r.primary_identifier },
    loanedAt: r.loaned_at.toISOString(),
    dueAt: r.due_at.toISOString(),
    claimedReturnedAt: r.claimed_returned_at?.toISOString() ?? null,
  }));
}
