import { sql } from 'kysely';
import { authorize } from '../auth/authorize.ts';
import { type CirculationContext, clock } from './context.ts';
import { presentLoan } from './present.ts';
import {
  libraryNames,
  loadCalendar,
  loadDesk,
  loadTerms,
  lockItemByBarcode,
  lockPatron,
  recordHistory,
  writeLetter,
} from './repository.ts';
import { computeOverdueFine, decideReturn, describeNextStep } from './rules/index.ts';

export interface ReturnInput {
  deskId: string;
  itemBarcode: string;
}

/**
 * CIRC-6 / CIRC-11: return (or scan in) an item at a desk, in one transaction. Locks the item
 * (so two desks returning it at once close one loan and set one fee), closes its open loan,
 * sets the loan's single overdue fee to the fine for (due date, now) on the OWNER's calendar
 * (the item's holding library), puts the item back in place and writes the history. The next
 * step comes from `decideReturn`: no requests exist yet (issue 5), so it is reshelve here or
 * send home. Transit rows come with issue 5 too: until then the item is set in place and the
 * operator is told where to send it.
 */
export async function returnItem(ctx: CirculationContext, input: ReturnInput) {
  const now = clock(ctx);
  const desk = await loadDesk(ctx.db, input.deskId);
  const actor = authorize(ctx.actor, 'circulation.desk', {
    institutionId: desk.institutionId,
    libraryId: desk.libraryId,
    deskId: desk.id,
  });
  const ownerId = desk.institutionId;

  const result = await ctx.db.transaction().execute(async (trx) => {
    const item = await lockItemByBarcode(trx, ownerId, input.itemBarcode);
    const loan = await trx
      .selectFrom('loans')
      .selectAll()
      .where('institution_id', '=', ownerId)
      .where('item_id', '=', item.id)
      .where('status', '<>', 'returned')
      .forUpdate()
      .executeTakeFirst();
    const where = {
      institutionId: ownerId,
      itemId: item.id,
      at: now,
      actingInstitutionId: desk.institutionId,
      libraryId: desk.libraryId,
      deskId: desk.id,
      operatorStaffId: actor.staffId,
      loanId: loan?.id ?? null,
      patronId: loan?.patron_id ?? null,
    };
    let fine: { amountMinor: number; currency: string; overdueDays: number; chargedDays: number } | null =
      null;
    if (loan) {
      const patron = await lockPatron(trx, ownerId, loan.patron_id, now);
      await trx
        .updateTable('loans')
        .set({
          status: 'returned',
          returned_at: now,
          return_desk_id: desk.id,
          return_institution_id: desk.institutionId,
          returned_by: actor.staffId,
        })
        .where('institution_id', '=', ownerId)
        .where('id', '=', loan.id)
        .execute();
      const terms = await loadTerms(trx, ownerId, loan.terms_of_use_id);
      const computed = computeOverdueFine({
        dueAt: loan.due_at,
        now,
        terms: {
          overdueFinePerDayMinor: Number(terms.overdue_fine_per_day_minor),
          overdueGraceDays: terms.overdue_grace_days,
          overdueFineMaxMinor:
            terms.overdue_fine_max_minor === null ? null : Number(terms.overdue_fine_max_minor),
          loanPeriodUnit: terms.loan_period_unit,
        },
        // CIRC-3 / CIRC-11: fines skip the owner's closed days (the item's home library).
        ownerCalendar: await loadCalendar(trx, item.homeLibraryId),
      });
      const institution = await trx
        .selectFrom('institutions')
        .select('currency')
        .where('id', '=', ownerId)
        .executeTakeFirstOrThrow();
      fine = { ...computed, currency: institution.currency };
      if (computed.amountMinor > 0)
        await setOverdueFee(trx, ownerId, loan, computed.amountMinor, institution.currency, now);
      const owner = await trx
        .selectFrom('institutions')
        .select('name')
        .where('id', '=', ownerId)
        .executeTakeFirstOrThrow();
      // CIRC-6 / CIRC-12: the owner sends the return receipt, wherever the item came back.
      await writeLetter(trx, {
        institutionId: ownerId,
        patronId: patron.id,
        type: 'return_receipt',
        to: patron.email,
        subject: `${owner.name}: return receipt`,
        body: [
          `Dear ${patron.name},`,
          '',
          `We received back at ${desk.libraryName}:`,
          `  ${item.title} (${item.barcode})`,
          ...(computed.amountMinor > 0
            ? ['', `An overdue fine applies for ${computed.chargedDays} day(s).`]
            : []),
          '',
          owner.name,
        ].join('\n'),
        messageId: `return-receipt-${loan.id}@shelfshare`,
        at: now,
      });
      await recordHistory(trx, {
        ...where,
        event: 'return',
        details: {
          dueAt: loan.due_at.toISOString(),
          fineMinor: computed.amountMinor,
          overdueDays: computed.overdueDays,
        },
      });
    }
    await trx
      .updateTable('items')
      .set({ in_place: true, process_type: null, updated_at: now })
      .where('institution_id', '=', ownerId)
      .where('id', '=', item.id)
      .execute();
    const decision = decideReturn({
      item: { owningInstitutionId: ownerId, homeLibraryId: item.homeLibraryId },
      scannedAt: { institutionId: desk.institutionId, libraryId: desk.libraryId },
      nextRequest: null, // requests come with issue 5
      openTransitForRequest: null,
    });
    const text = describeNextStep(decision, {
      libraries: await libraryNames(trx, [item.homeLibraryId, desk.libraryId]),
    });
    if (!loan) {
      await recordHistory(trx, { ...where, event: 'scan_in', details: { nextStep: decision.kind } });
    }
    return { loanId: loan?.id ?? null, fine, decision, text, item };
  });

  return {
    loan: result.loanId ? await presentLoan(ctx.db, ownerId, result.loanId, now) : null,
    item: { id: result.item.id, barcode: result.item.barcode, title: result.item.title },
    fine: result.fine,
    nextStep: {
      kind: result.decision.kind,
      ...('reason' in result.decision ? { reason: result.decision.reason } : {}),
      ...('toLibraryId' in result.decision ? { libraryId: result.decision.toLibraryId } : {}),
      ...('libraryId' in result.decision ? { libraryId: result.decision.libraryId } : {}),
      text: result.text,
    },
  };
}

/**
 * CIRC-11 / INV-4: a loan has at most one overdue fee; the return and the daily job both set it
 * to the fine for (due date, now). What has been paid or waived (original minus balance) stays
 * taken off the new amount, so INV-5 holds once fee transactions exist.
 */
async function setOverdueFee(
  trx: Parameters<typeof lockPatron>[0],
  institutionId: string,
  loan: { id: string; patron_id: string; item_id: string },
  amountMinor: number,
  currency: string,
  now: Date,
) {
  await sql`INSERT INTO fees (institution_id, patron_id, loan_id, item_id, fee_type, status, currency,
      original_minor, balance_minor, created_at, updated_at)
    VALUES (${institutionId}, ${loan.patron_id}, ${loan.id}, ${loan.item_id}, 'overdue_fine', 'active', ${currency},
      ${amountMinor}, ${amountMinor}, ${now}, ${now})
    ON CONFLICT (institution_id, loan_id) WHERE fee_type = 'overdue_fine' DO UPDATE SET
      original_minor = GREATEST(EXCLUDED.original_minor, fees.original_minor - fees.balance_minor),
      balance_minor = GREATEST(EXCLUDED.original_minor, fees.original_minor - fees.balance_minor)
        - (fees.original_minor - fees.balance_minor),
      status = CASE WHEN GREATEST(EXCLUDED.original_minor, fees.original_minor - fees.balance_minor)
        - (fees.original_minor - fees.balance_minor) = 0 THEN 'closed' ELSE 'active' END,
      updated_at = EXCLUDED.updated_at`.execute(trx);
}
