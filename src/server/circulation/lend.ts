import { authorize } from '../auth/authorize.ts';
import { renderLetter } from '../letters/templates.ts';
import {
  clearHoldShelf,
  closeRequest,
  fillTargets,
  loadQueueAndHolding,
  queueAndHoldingOf,
  type RequestRow,
  recordRequestHistory,
  releaseTargets,
  requestHistoryEntry,
} from '../requests/queue.ts';
import { refused } from '../shared/errors.ts';
import { newRowId } from '../shared/ids.ts';
import { loadOpenTransit, receiveTransit } from '../transits/repository.ts';
import {
  actingAtDesk,
  approvedBy,
  type CirculationContext,
  clock,
  type OverrideInput,
  presentRefusal,
  resolveOverrider,
  resolveOverrides,
} from './context.ts';
import { presentLoanFacts, receiptUrl } from './present.ts';
import {
  countLimits,
  deskPlace,
  type LendingTerms,
  letterRow,
  lockAtDesk,
  retryingDeskLocks,
  writeLoan,
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
  // The desk's institution and library (which never change), to authorize before any lock.
  const at = await deskPlace(ctx.db, input.deskId);
  const scope = { institutionId: at.institutionId, libraryId: at.libraryId, deskId: at.deskId };
  const actor = authorize(ctx.actor, 'circulation.desk', scope);
  const ownerId = at.institutionId;
  const overrider = await resolveOverrider(ctx.db, actor, input.override);

  const lent = await retryingDeskLocks((attempt) =>
    ctx.db.transaction().execute(async (trx) => {
      // One write (docs/benchmarks.md): the desk, its calendar, the owner's rules, terms, limits
      // and letter; then the fixed lock order: the title's request queue, the item, the patron.
      // CIRC-4 / CIRC-7: with the item, the request holding it and the title's waiting queue
      // (in the lock's statement, under the queue lock; read afresh if the copy moved since).
      // CIRC-2: with the patron, the blocks and the active loans the limits count.
      const { setting, item, requests, patron } = await lockAtDesk(
        trx,
        at,
        { letterType: 'loan_receipt', barcode: input.itemBarcode },
        { id: input.patronId, now, options: { activeLoans: true } },
        attempt,
      );
      const { desk, calendar, rules } = setting;
      const queueOf = { bibId: item.bibId, volume: item.enumeration };
      const { queue, holding, targeting } = requests
        ? queueAndHoldingOf(requests, queueOf, item.id)
        : await loadQueueAndHolding(trx, ownerId, queueOf, item.id);
      const today = dayAt(calendar.timeZone, now);
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
      const termsById = (id: string) => {
        const found = setting.terms.find((t) => t.id === id);
        if (!found) throw new Error(`terms of use ${id} of a rule are not the institution's`);
        return found;
      };
      const selected = termsById(selection.termsOfUseId);

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
        limits: countLimits(setting.limits, patron.activeLoans, ownerId),
      });
      const dueUnder = (t: LendingTerms) =>
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
        terms = termsById(fallbackRule.termsOfUseId);
        due = dueUnder(terms);
      }
      if (!due.ok) refusals.push(due.refusal);
      const overridden = resolveOverrides(refusals, input.override, overrider, scope, 'LOAN_REFUSED');
      if (!due.ok) throw new Error('unreachable: a due-date refusal is never overridable');

      // The loan's id is made here so that its history and receipt go in the same statement.
      const loanId = newRowId();
      const place = actingAtDesk(desk, actor);
      const where = {
        institutionId: ownerId,
        itemId: item.id,
        at: now,
        ...place,
        patronId: patron.id,
        loanId,
      };
      const receipt = {
        institutionId: ownerId,
        patronId: patron.id,
        type: 'loan_receipt' as const,
        to: patron.email,
        subject: `${setting.letter.institution.name}: loan receipt`,
        body: [
          `Dear ${patron.name},`,
          '',
          `You borrowed from ${desk.libraryName}:`,
          `  ${item.title} (${item.barcode}), due ${due.dueAt.toISOString()}`,
          '',
          setting.letter.institution.name,
        ].join('\n'),
        messageId: `loan-receipt-${loanId}@shelfshare`,
        at: now,
      };
      // The borrower's request in transit for this copy: its transit ends here (CIRC-9).
      if (own?.status === 'in_transit') {
        const transit = await loadOpenTransit(trx, ownerId, item.id);
        if (transit) await receiveTransit(trx, transit, { deskId: desk.id, staffId: actor.staffId, now });
      }
      // CIRC-4: lent over another patron's request aimed at this copy (of any volume: a copy
      // recatalogued to another volume keeps its requests), that request loses the copy and is
      // targeted afresh below. Its history goes before the loan's, in the order things happened.
      // Read with the item under the title's queue lock, it is released in the loan's write;
      // when the copy locked is not the one peeked (its title's queue unlocked), in a statement
      // of its own that finds it by condition, as a concurrent change could slip past the read.
      let released: RequestRow | null = null;
      if (requests) released = targeting && targeting.id !== own?.id ? targeting : null;
      else {
        for (const requestId of await releaseTargets(trx, ownerId, item.id, own?.id ?? null, now)) {
          const request = queue.find((r) => r.id === requestId);
          if (request)
            await recordRequestHistory(trx, request, item.id, place, now, { action: 'retargeted' });
        }
      }
      // What the loan's write leaves to do: the borrower's request to complete, the title's
      // waiting requests to fill, an expired hold shelf to clear. When nothing, the write is the
      // transaction's last and its COMMIT travels with it (decision 68).
      const writeIsLast = !own && queue.length === 0 && !item.onExpiredHoldShelf;
      // CIRC-4 / CIRC-13 / CIRC-12: the loan, the item on loan, the released request, the
      // history (the override first, when staff overrode a refusal) and the loan receipt, in one
      // statement.
      await writeLoan(
        trx,
        {
          releasedRequestId: released?.id ?? null,
          loan: {
            id: loanId,
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
          },
          history: [
            ...(released
              ? [requestHistoryEntry(released, item.id, place, now, { action: 'retargeted' })]
              : []),
            ...(overridden.length > 0
              ? [
                  {
                    ...where,
                    event: 'override' as const,
                    details: {
                      action: 'loan',
                      codes: overridden,
                      note: input.override?.note ?? null,
                      ...approvedBy(overrider, actor),
                      reasons: refusals.map(presentRefusal),
                    },
                  },
                ]
              : []),
            {
              ...where,
              event: 'loan',
              details: {
                dueAt: due.dueAt.toISOString(),
                termsOfUseId: terms.id,
                termsFallback: selection.fallback,
                cappedBy: due.cappedBy,
                movedFromClosedDay: due.movedFromClosedDay,
                overridden,
                ...(own ? { completedRequestId: own.id } : {}),
              },
            },
          ],
          letter: letterRow(receipt, renderLetter(setting.letter, patron.name, receipt)),
          now,
        },
        { commit: writeIsLast },
      );
      // CIRC-7 / FN-5: the loan completes the borrower's request (INV-3: with this loan).
      if (own) await closeRequest(trx, own, { status: 'completed', loanId, itemId: item.id }, now);
      // CIRC-7: the title's waiting title requests take the copies still available. Nobody in
      // the queue of this title and volume: nobody to fill.
      if (queue.length > 0) {
        await fillTargets(
          trx,
          { institutionId: ownerId, bibId: item.bibId, volume: item.enumeration },
          place,
          now,
        );
      }
      // CIRC-8: lending the item takes it off any expired hold shelf list.
      if (item.onExpiredHoldShelf) await clearHoldShelf(trx, ownerId, item.id, now);
      // The new loan as the desk shows it, from the facts in hand (no read back).
      const loan = presentLoanFacts(
        {
          id: loanId,
          institution_id: ownerId,
          loaned_at: now,
          due_at: due.dueAt,
          status: 'active',
          renewals_used: 0,
          renewals_allowed: terms.renewals_allowed,
          returned_at: null,
          item: { id: item.id, barcode: item.barcode, title: item.title, author: item.author },
          patron: { id: patron.id, name: patron.name },
          desk: { id: desk.id, name: desk.name, institutionId: desk.institutionId },
          library: { id: desk.libraryId, name: desk.libraryName },
        },
        now,
      );
      return { id: loanId, loan, dueDate: due, fallback: selection.fallback, overridden };
    }),
  );

  return {
    loan: lent.loan,
    termsFallback: lent.fallback,
    dueDate: { cappedBy: lent.dueDate.cappedBy, movedFromClosedDay: lent.dueDate.movedFromClosedDay },
    overridden: lent.overridden,
    receiptUrl: receiptUrl(ownerId, lent.id),
  };
}
