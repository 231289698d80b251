import { authorize } from '../auth/authorize.ts';
import {
  clearHoldShelf,
  closeRequest,
  fillTargets,
  holdingRequest,
  loadQueue,
  lockQueue,
  peekItemQueue,
  type RequestRow,
  recordRequestHistory,
  releaseTargets,
} from '../requests/queue.ts';
import { refused } from '../shared/errors.ts';
import { loadOpenTransit, receiveTransit } from '../transits/repository.ts';
import {
  approvedBy,
  type CirculationContext,
  clock,
  type OverrideInput,
  presentRefusal,
  resolveOverrider,
  resolveOverrides,
} from './context.ts';
import { presentLoan, receiptUrl } from './present.ts';
import {
  countLimits,
  loadCalendar,
  loadDesk,
  loadTerms,
  loadTermsRules,
  lockItemByBarcode,
  lockPatron,
  recordHistory,
  type TermsRow,
  writeLetter,
} from './repository.ts';
import { collectLoanRefusals, computeDueDate, dayAt, type Refusal, selectTermsOfUse } from './rules/index.ts';

export interface LendInput {
  deskId: string;
  itemBarcode: string;
  patronId: string;
  override?: OverrideInput;
}

/**
 * CIRC-4: lend an item at a desk, in one transaction. Locks the title's request queue, the
 * item, then the patron (the fixed order of architecture.md), selects the owner's terms of
 * use (CIRC-2), collects every refusal at once, applies the overrides staff may make (each
 * recorded in the item history, CIRC-13), computes the due date on the lending desk's library
 * calendar capped by the account's expiry (CIRC-3), writes the loan, the item's state, the
 * history and the loan receipt letter (CIRC-12). Any refusal writes nothing.
 *
 * This issue lends within one institution: the item must be the desk institution's. The loan
 * is nonetheless written as the network design wants it (INV-6): `institution_id` is the item
 * owner, `desk_institution_id` the desk's (FN-5 lends another member's item later).
 */
export async function lendItem(ctx: CirculationContext, input: LendInput) {
  const now = clock(ctx);
  const desk = await loadDesk(ctx.db, input.deskId);
  const scope = { institutionId: desk.institutionId, libraryId: desk.libraryId, deskId: desk.id };
  const actor = authorize(ctx.actor, 'circulation.desk', scope);
  const ownerId = desk.institutionId;
  const calendar = await loadCalendar(ctx.db, desk.libraryId);
  const rules = await loadTermsRules(ctx.db, ownerId);

  const peek = await peekItemQueue(ctx.db, ownerId, { barcode: input.itemBarcode });
  const overrider = await resolveOverrider(ctx.db, actor, input.override);

  const loanId = await ctx.db.transaction().execute(async (trx) => {
    // The fixed lock order: the title's request queue, the item, the patron.
    if (peek) await lockQueue(trx, ownerId, peek.bibId);
    const item = await lockItemByBarcode(trx, ownerId, input.itemBarcode);
    const patron = await lockPatron(trx, ownerId, input.patronId, now);
    const today = dayAt(calendar.timeZone, now);
    // CIRC-4 / CIRC-7: the request holding the item, and the title's waiting queue.
    const holding = await holdingRequest(trx, ownerId, item.id);
    const queue = await loadQueue(trx, ownerId, item.bibId, item.enumeration);
    const fills = (r: RequestRow) =>
      r.status === 'not_started' && (r.itemId === item.id || (r.level === 'title' && r.itemId === null));
    // The borrower's own waiting request this loan completes (FN-5), if any.
    const own =
      holding?.patronId === patron.id
        ? holding
        : (queue.find(
            (r) =>
              r.patronId === patron.id && r.status === 'not_started' && (fills(r) || r.level === 'title'),
          ) ?? null);
    const ownPosition = own?.queuePosition ?? Number.POSITIVE_INFINITY;
    // CIRC-7: nobody jumps the queue: another patron's waiting request ahead of the borrower
    // that this on-shelf copy could fill (targeted at it, or not yet targeted).
    const waitingOthers = item.inPlace
      ? queue.filter((r) => r.patronId !== patron.id && fills(r) && (r.queuePosition ?? 0) < ownPosition)
      : [];

    const selection = selectTermsOfUse(rules, {
      userGroupId: patron.userGroupId,
      itemPolicyId: item.itemPolicyId,
      materialTypeId: item.materialTypeId,
      locationId: item.locationId,
    });
    if (!selection.ok)
      throw refused('LOAN_REFUSED', selection.refusal.message, {
        reasons: [presentRefusal(selection.refusal)],
      });
    const selected = await loadTerms(trx, ownerId, selection.termsOfUseId);

    const refusals: Refusal[] = collectLoanRefusals({
      today,
      item: {
        exists: true,
        withdrawn: item.withdrawn,
        inPlace: item.inPlace,
        processType: item.processType,
        heldForPatronId: holding?.patronId ?? null,
        materialTypeId: item.materialTypeId,
      },
      patron: {
        id: patron.id,
        userGroupId: patron.userGroupId,
        expiryDate: patron.expiryDate,
        status: patron.status,
        blocks: patron.blocks,
      },
      terms: { loanable: selected.loanable },
      requestedByAnotherPatron: waitingOthers.length > 0,
      limits: await countLimits(trx, ownerId, patron.id),
    });
    const dueUnder = (t: TermsRow) =>
      computeDueDate({
        now,
        terms: {
          loanPeriodUnit: t.loan_period_unit,
          loanPeriod: t.loan_period,
          fixedDueDate: t.fixed_due_date,
        },
        calendar,
        accountExpiry: patron.expiryDate,
      });
    let terms = selected;
    let due = dueUnder(terms);
    // Terms that lend nothing need not set a loan period: a manager overriding NOT_LOANABLE
    // lends under the institution's fallback terms instead (CIRC-2: the fallback is required).
    const fallbackRule = rules.find((r) => r.isFallback);
    if (!due.ok && !selected.loanable && fallbackRule && fallbackRule.termsOfUseId !== selected.id) {
      terms = await loadTerms(trx, ownerId, fallbackRule.termsOfUseId);
      due = dueUnder(terms);
    }
    if (!due.ok) refusals.push(due.refusal);
    const overridden = resolveOverrides(refusals, input.override, overrider, scope, 'LOAN_REFUSED');
    if (!due.ok) throw new Error('unreachable: a due-date refusal is never overridable');

    const loan = await trx
      .insertInto('loans')
      .values({
        institution_id: ownerId,
        item_id: item.id,
        patron_id: patron.id,
        terms_of_use_id: terms.id,
        desk_id: desk.id,
        desk_institution_id: desk.institutionId,
        desk_library_id: desk.libraryId,
        loaned_by: actor.staffId,
        loaned_at: now,
        due_at: due.dueAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('items')
      .set({ in_place: false, process_type: 'loan', updated_at: now })
      .where('institution_id', '=', ownerId)
      .where('id', '=', item.id)
      .execute();
    const where = {
      institutionId: ownerId,
      itemId: item.id,
      at: now,
      actingInstitutionId: desk.institutionId,
      libraryId: desk.libraryId,
      deskId: desk.id,
      operatorStaffId: actor.staffId,
      patronId: patron.id,
      loanId: loan.id,
    };
    // CIRC-7 / FN-5: the loan completes the borrower's request (INV-3: with this loan).
    let completedRequestId: string | null = null;
    if (own) {
      if (own.status === 'in_transit') {
        const transit = await loadOpenTransit(trx, ownerId, item.id);
        if (transit) await receiveTransit(trx, transit, { deskId: desk.id, staffId: actor.staffId, now });
      }
      await closeRequest(trx, own, { status: 'completed', loanId: loan.id, itemId: item.id }, now);
      completedRequestId = own.id;
    }
    const place = {
      actingInstitutionId: desk.institutionId,
      libraryId: desk.libraryId,
      deskId: desk.id,
      operatorStaffId: actor.staffId,
    };
    // CIRC-4: lent over another patron's request, that request is targeted at another copy.
    const released = await releaseTargets(trx, ownerId, item.id, null, now);
    for (const requestId of released) {
      const request = queue.find((r) => r.id === requestId);
      if (request) await recordRequestHistory(trx, request, item.id, place, now, { action: 'retargeted' });
    }
    await clearHoldShelf(trx, ownerId, item.id, now);
    await fillTargets(
      trx,
      { institutionId: ownerId, bibId: item.bibId, volume: item.enumeration },
      place,
      now,
    );
    if (overridden.length > 0) {
      await recordHistory(trx, {
        ...where,
        event: 'override',
        details: {
          action: 'loan',
          codes: overridden,
          note: input.override?.note ?? null,
          ...approvedBy(overrider, actor),
          reasons: refusals.map(presentRefusal),
        },
      });
    }
    await recordHistory(trx, {
      ...where,
      event: 'loan',
      details: {
        dueAt: due.dueAt.toISOString(),
        termsOfUseId: terms.id,
        termsFallback: selection.fallback,
        cappedBy: due.cappedBy,
        movedFromClosedDay: due.movedFromClosedDay,
        overridden,
        ...(completedRequestId ? { completedRequestId } : {}),
      },
    });
    const institution = await trx
      .selectFrom('institutions')
      .select('name')
      .where('id', '=', ownerId)
      .executeTakeFirstOrThrow();
    await writeLetter(trx, {
      institutionId: ownerId,
      patronId: patron.id,
      type: 'loan_receipt',
      to: patron.email,
      subject: `${institution.name}: loan receipt`,
      body: [
        `Dear ${patron.name},`,
        '',
        `You borrowed from ${desk.libraryName}:`,
        `  ${item.title} (${item.barcode}), due ${due.dueAt.toISOString()}`,
        '',
        institution.name,
      ].join('\n'),
      messageId: `loan-receipt-${loan.id}@shelfshare`,
      at: now,
    });
    return { id: loan.id, dueDate: due, fallback: selection.fallback, overridden };
  });

  const loan = await presentLoan(ctx.db, ownerId, loanId.id, now);
  return {
    loan,
    termsFallback: loanId.fallback,
    dueDate: { cappedBy: loanId.dueDate.cappedBy, movedFromClosedDay: loanId.dueDate.movedFromClosedDay },
    overridden: loanId.overridden,
    receiptUrl: receiptUrl(ownerId, loanId.id),
  };
}
