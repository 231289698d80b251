import type { CompiledQuery } from 'kysely';
import { authorize } from '../auth/authorize.ts';
import { pipelined } from '../db/pipeline.ts';
import { refundLostFeesOnReturn } from '../fees/repository.ts';
import { renderLetter } from '../letters/templates.ts';
import { holdShelfSlipUrl, putOnHoldShelf, sendToPickup } from '../requests/fulfil.ts';
import { clearHoldShelf, loadQueueAndHolding, loadRequest, queueAndHoldingOf } from '../requests/queue.ts';
import { nextRequestFor } from '../requests/rules.ts';
import {
  openTransit,
  receiveTransit,
  receiveTransitStatement,
  transitSlipUrl,
} from '../transits/repository.ts';
import { actingAtDesk, type CirculationContext, clock } from './context.ts';
import { presentLoan } from './present.ts';
import {
  closeLoanAsReturned,
  deskPlace,
  insertLetterStatement,
  letterRow,
  libraryNames,
  lockAtDeskToReturn,
  lockPatron,
  overdueFeesStatement,
  recordHistoryWithItemState,
  retryingDeskLocks,
} from './repository.ts';
import {
  computeOverdueFine,
  decideReturn,
  describeNextStep,
  type ReturnDecisionInput,
} from './rules/index.ts';

export interface ReturnInput {
  deskId: string;
  itemBarcode: string;
}

/**
 * CIRC-6 / CIRC-11 / CIRC-9: return (or scan in) an item at a desk, in one transaction. Locks
 * the title's request queue, then the item, its open loan, the loan's patron and its open
 * transit (architecture.md; in one write, decision 72), closes the
 * item's open loan and sets its single overdue fee on the OWNER's calendar (the item's
 * holding library), then decides the next step with `decideReturn`:
 * - an item in transit for an active request keeps its destination (CIRC-9): received on the
 *   hold shelf when scanned there, else the transit stays open and the scan is recorded;
 * - any other open transit is received here and the item is decided afresh;
 * - a picked item, or one on the hold shelf, goes on to its request's pickup library;
 * - else the next request in the queue that this copy can fill: the hold shelf here, or a
 *   transit to its pickup library; else home (transit), else reshelve.
 * Repeating a scan duplicates nothing (FN-8): a kept transit and an item already on the shelf
 * stay as they are. The history records one return or scan_in event naming the next step.
 */
export async function returnItem(ctx: CirculationContext, input: ReturnInput) {
  const now = clock(ctx);
  // The desk's institution and library (which never change), to authorize before any lock.
  const at = await deskPlace(ctx.db, input.deskId);
  const actor = authorize(ctx.actor, 'circulation.desk', {
    institutionId: at.institutionId,
    libraryId: at.libraryId,
    deskId: at.deskId,
  });
  const ownerId = at.institutionId;

  const result = await retryingDeskLocks((attempt) =>
    ctx.db.transaction().execute(async (trx) => {
      // One write (decisions 70 and 72): the desk, the owner's currency and return receipt; the
      // title's queue lock and the item's, with the request holding it and the title's queue
      // (under the queue lock); the item's open loan, its patron and its open transit, locked in
      // that order, and what a fine is computed from. Nothing below changes an active request
      // before they are used.
      const { setting, item, requests, loan, patron, transit, fineBasis } = await lockAtDeskToReturn(
        trx,
        at,
        { barcode: input.itemBarcode },
        attempt,
      );
      const { desk } = setting;
      const place = actingAtDesk(desk, actor);
      const where = {
        institutionId: ownerId,
        itemId: item.id,
        at: now,
        ...place,
        loanId: loan?.id ?? null,
        patronId: loan?.patron_id ?? null,
      };
      // Writes nothing below reads (the loan closed, the receipt) travel with the transaction's
      // last write and its COMMIT; a step that reads or writes more sends them first, in order.
      const pending: CompiledQuery[] = [];
      const sendPending = async () => {
        if (pending.length > 0) await pipelined(trx, pending.splice(0));
      };
      let fine: { amountMinor: number; currency: string; overdueDays: number; chargedDays: number } | null =
        null;
      let returnDetails: Record<string, unknown> = {};
      if (loan) {
        // Both come with every open loan (`lockAtDeskToReturn`): a loan is never left open.
        if (!patron || !fineBasis) throw new Error(`loan ${loan.id} came without its patron or fine basis`);
        const { terms, ownerCalendar } = fineBasis;
        pending.push(
          closeLoanAsReturned.statement(trx, {
            institutionId: ownerId,
            loanId: loan.id,
            now,
            deskId: desk.id,
            deskInstitutionId: desk.institutionId,
            staffId: actor.staffId,
          }),
        );
        // CIRC-11: a lost item that comes back refunds (and waives) its lost fees per the terms.
        if (loan.status === 'lost') {
          await sendPending();
          await refundLostFeesOnReturn(trx, {
            institutionId: ownerId,
            loanId: loan.id,
            terms,
            staffId: actor.staffId,
            now,
          });
        }
        const computed = computeOverdueFine({
          dueAt: loan.due_at,
          // CIRC-11: a claimed-returned loan stopped accruing when it was claimed.
          now:
            loan.status === 'claimed_returned' && loan.claimed_returned_at ? loan.claimed_returned_at : now,
          terms: {
            overdueFinePerDayMinor: Number(terms.overdue_fine_per_day_minor),
            overdueGraceDays: terms.overdue_grace_days,
            overdueFineMaxMinor:
              terms.overdue_fine_max_minor === null ? null : Number(terms.overdue_fine_max_minor),
            loanPeriodUnit: terms.loan_period_unit,
          },
          // CIRC-3 / CIRC-11: fines skip the owner's closed days (the item's home library).
          ownerCalendar,
        });
        const currency = setting.currency;
        fine = { ...computed, currency };
        if (computed.amountMinor > 0)
          pending.push(
            overdueFeesStatement(
              trx,
              [
                {
                  institutionId: ownerId,
                  patronId: loan.patron_id,
                  loanId: loan.id,
                  itemId: loan.item_id,
                  currency,
                  amountMinor: computed.amountMinor,
                },
              ],
              now,
            ),
          );
        const owner = setting.letter.institution.name;
        // CIRC-6 / CIRC-12: the owner sends the return receipt, wherever the item came back.
        const receipt = {
          institutionId: ownerId,
          patronId: patron.id,
          type: 'return_receipt' as const,
          to: patron.email,
          subject: `${owner}: return receipt`,
          body: [
            `Dear ${patron.name},`,
            '',
            `We received back at ${desk.libraryName}:`,
            `  ${item.title} (${item.barcode})`,
            ...(computed.amountMinor > 0
              ? ['', `An overdue fine applies for ${computed.chargedDays} day(s).`]
              : []),
            '',
            owner,
          ].join('\n'),
          messageId: `return-receipt-${loan.id}@shelfshare`,
          at: now,
        };
        pending.push(
          insertLetterStatement(trx, letterRow(receipt, renderLetter(setting.letter, patron.name, receipt))),
        );
        returnDetails = {
          dueAt: loan.due_at.toISOString(),
          fineMinor: computed.amountMinor,
          overdueDays: computed.overdueDays,
        };
      }

      // CIRC-8: a scanned item leaves any expired hold shelf list.
      if (item.onExpiredHoldShelf) {
        await sendPending();
        await clearHoldShelf(trx, ownerId, item.id, now);
      }
      // The request holding the item and the title's queue (read afresh if the copy moved).
      const queueOf = { bibId: item.bibId, volume: item.enumeration };
      const { queue, holding } = requests
        ? queueAndHoldingOf(requests, queueOf, item.id)
        : await sendPending().then(() => loadQueueAndHolding(trx, ownerId, queueOf, item.id));
      let receivedTransitId: string | null = null;
      let openTransitForRequest: { requestId: string; toLibraryId: string } | null = null;
      if (transit && transit.reason === 'request' && holding && holding.id === transit.requestId) {
        // CIRC-9: an item in transit for a request keeps its destination.
        openTransitForRequest = { requestId: holding.id, toLibraryId: transit.toLibraryId };
      }
      // CIRC-9: any other transit ends here and the item is decided afresh (received below,
      // unless a repeated scan at its origin decides the same journey again).
      const otherTransit = transit && !openTransitForRequest ? transit : null;
      if (!openTransitForRequest && holding) {
        // Picked, or on the hold shelf: it goes on to its request's pickup library.
        openTransitForRequest = { requestId: holding.id, toLibraryId: holding.pickupLibraryId };
      }
      let nextRequest: ReturnDecisionInput['nextRequest'] = null;
      if (!openTransitForRequest) {
        const next = nextRequestFor(queue, item);
        if (next) {
          nextRequest = {
            requestId: next.id,
            patronId: next.patronId,
            pickupLibraryId: next.pickupLibraryId,
            pickupInstitutionId: next.pickupInstitutionId,
          };
        }
      }
      const decision = decideReturn({
        item: { owningInstitutionId: ownerId, homeLibraryId: item.homeLibraryId },
        scannedAt: { institutionId: desk.institutionId, libraryId: desk.libraryId },
        nextRequest,
        openTransitForRequest,
      });

      // The item's new state is written with its history entry, in one statement (below).
      let itemState: { in_place: boolean; process_type: 'transit' | null } | null = null;
      const setItem = (inPlace: boolean, processType: 'transit' | null) => {
        itemState = { in_place: inPlace, process_type: processType };
      };
      let slipUrl: string | null = null;
      let transitId: string | null = null;
      let keptDestination = false;
      // FN-8: scanned again where it was sent from, for the same journey, the transit stays.
      const repeated =
        otherTransit !== null &&
        decision.kind === 'transit' &&
        decision.reason !== 'request' &&
        decision.reason === otherTransit.reason &&
        decision.toLibraryId === otherTransit.toLibraryId &&
        otherTransit.fromLibraryId === desk.libraryId;
      if (otherTransit && !repeated) {
        pending.push(
          receiveTransitStatement(trx, otherTransit, { deskId: desk.id, staffId: actor.staffId, now }),
        );
        receivedTransitId = otherTransit.id;
      }
      let holdShelfExpiresAt: Date | null = null;
      const from = { libraryId: desk.libraryId, deskId: desk.id, staffId: actor.staffId };
      if (decision.kind === 'hold_shelf') {
        await sendPending();
        if (transit && !receivedTransitId) {
          await receiveTransit(trx, transit, { deskId: desk.id, staffId: actor.staffId, now });
          receivedTransitId = transit.id;
        }
        const request = await loadRequest(trx, ownerId, decision.requestId);
        holdShelfExpiresAt = (await putOnHoldShelf(trx, request, item, place, now)).expiresAt;
        slipUrl = holdShelfSlipUrl(ownerId, request.id);
      } else if (decision.kind === 'transit' && decision.reason === 'request') {
        if (transit && !receivedTransitId && transit.requestId === decision.requestId) {
          keptDestination = true;
          transitId = transit.id;
        } else {
          await sendPending();
          const request = await loadRequest(trx, ownerId, decision.requestId);
          transitId = (await sendToPickup(trx, request, item, from, place, now)).transitId;
        }
        slipUrl = transitSlipUrl(ownerId, transitId);
      } else if (decision.kind === 'transit' && repeated && otherTransit) {
        transitId = otherTransit.id;
        slipUrl = transitSlipUrl(ownerId, transitId);
      } else if (decision.kind === 'transit') {
        await sendPending();
        transitId = (
          await openTransit(trx, {
            institutionId: ownerId,
            itemId: item.id,
            fromLibraryId: desk.libraryId,
            toLibraryId: decision.toLibraryId,
            reason: decision.reason,
            requestId: null,
            deskId: desk.id,
            staffId: actor.staffId,
            now,
          })
        ).id;
        setItem(false, 'transit');
        slipUrl = transitSlipUrl(ownerId, transitId);
      } else {
        setItem(true, null);
      }

      const requestId = 'requestId' in decision ? decision.requestId : null;
      const requesters: Record<string, string> = {};
      if (requestId) {
        const request = await loadRequest(trx, ownerId, requestId);
        requesters[requestId] = (
          await lockPatron(trx, ownerId, request.patronId, now, { lock: false, blocks: false })
        ).name;
      }
      // The names of the libraries the next step mentions: the item's home and this desk's are
      // in hand; another (a pickup library) is read.
      const known = { [item.homeLibraryId]: item.homeLibraryName, [desk.libraryId]: desk.libraryName };
      const nextLibraryId = decision.kind === 'transit' ? decision.toLibraryId : decision.libraryId;
      let text = describeNextStep(decision, {
        libraries:
          nextLibraryId in known ? known : { ...known, ...(await libraryNames(trx, [nextLibraryId])) },
        requesters,
      });
      if (keptDestination) text = `${text} (still in transit for its request: keep it travelling)`;
      // The transaction's last write, after the pending ones: its COMMIT travels with it (decision 68).
      await recordHistoryWithItemState(
        trx,
        itemState,
        {
          ...where,
          event: loan ? 'return' : 'scan_in',
          details: {
            ...returnDetails,
            nextStep: decision.kind,
            ...('reason' in decision ? { reason: decision.reason } : {}),
            ...(requestId ? { requestId } : {}),
            ...(transitId ? { transitId } : {}),
            ...(receivedTransitId ? { receivedTransitId } : {}),
            ...(keptDestination ? { keptDestination: true } : {}),
          },
        },
        { commit: true, after: pending },
      );
      return {
        loanId: loan?.id ?? null,
        fine,
        decision,
        text,
        item,
        slipUrl,
        transitId,
        receivedTransitId,
        keptDestination,
        holdShelfExpiresAt,
      };
    }),
  );

  return {
    loan: result.loanId ? await presentLoan(ctx.db, ownerId, result.loanId, now) : null,
    item: { id: result.item.id, barcode: result.item.barcode, title: result.item.title },
    fine: result.fine,
    nextStep: {
      kind: result.decision.kind,
      ...('reason' in result.decision ? { reason: result.decision.reason } : {}),
      ...('toLibraryId' in result.decision ? { libraryId: result.decision.toLibraryId } : {}),
      ...('libraryId' in result.decision ? { libraryId: result.decision.libraryId } : {}),
      ...('requestId' in result.decision ? { requestId: result.decision.requestId } : {}),
      ...(result.transitId ? { transitId: result.transitId } : {}),
      ...(result.receivedTransitId ? { receivedTransitId: result.receivedTransitId } : {}),
      ...(result.keptDestination ? { keptDestination: true } : {}),
      ...(result.holdShelfExpiresAt ? { holdShelfExpiresAt: result.holdShelfExpiresAt.toISOString() } : {}),
      slipUrl: result.slipUrl,
      text: result.text,
    },
  };
}
