import { authorize, type StaffActor } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import { presentQueue, queueOfItemStatement } from '../requests/queue.ts';
import { nextRequestFor } from '../requests/rules.ts';
import { notFound, refused } from '../shared/errors.ts';
import {
  approvedBy,
  type CirculationContext,
  clock,
  type OverrideInput,
  type PatronContext,
  presentRefusal,
  resolveOverrider,
  resolveOverrides,
} from './context.ts';
import { presentLoanFacts } from './present.ts';
import {
  type HistoryEntry,
  loadRenewalSetting,
  lockToRenew,
  renewLoanWithHistory,
  retryingDeskLocks,
} from './repository.ts';
import { decideRenewal } from './rules/index.ts';

export const loanNotFound = (loanId: string) =>
  notFound('LOAN_NOT_FOUND', 'No such loan in this institution.', { loanId });

interface Renewer {
  db: Db;
  now: Date;
  /** Staff may override (with the privilege); a patron in discovery never does. */
  staff: StaffActor | null;
  override?: OverrideInput;
  /** A patron renews only their own loans. */
  onlyPatronId?: string;
}

/**
 * CIRC-5 / PAT-7: renew a loan, in one transaction locking the item, then the loan, then the
 * patron. decideRenewal collects every refusal; staff with `circulation.override` may override
 * the overridable ones (recorded in the item history). The new due date uses the calendar of
 * the library whose desk made the loan (CIRC-3).
 */
async function renew(r: Renewer, institutionId: string, loanId: string) {
  const { db, now } = r;
  // The loan's item, patron, terms and calendar, before the transaction (docs/benchmarks.md).
  const found = await loadRenewalSetting(db, institutionId, loanId);
  if (!found || (r.onlyPatronId !== undefined && found.patronId !== r.onlyPatronId))
    throw loanNotFound(loanId);

  const overrider = await resolveOverrider(db, r.staff, r.override);
  const renewed = await retryingDeskLocks((attempt) =>
    db.transaction().execute(async (trx) => {
      // The item, the loan and the patron locked, and the title's queue read after them, in one
      // write (decision 72).
      const { item, loan, patron, queue } = await lockToRenew(
        trx,
        institutionId,
        { itemId: found.itemId, loanId, patronId: found.patronId, now },
        queueOfItemStatement(trx, institutionId, found.itemId),
        attempt,
      );
      if (!loan) throw new Error(`loan ${loanId} vanished under its renewal`);
      if (loan.status !== 'active') {
        throw refused('LOAN_NOT_ACTIVE', 'Only an active loan can be renewed.', { status: loan.status });
      }
      const waiting = nextRequestFor(presentQueue(queue), item);
      const decision = decideRenewal({
        now,
        currentDueAt: loan.due_at,
        renewalsUsed: loan.renewals_used,
        terms: found.terms,
        calendar: found.calendar,
        accountExpiry: patron.expiryDate,
        patronBlocked: patron.blocks.length > 0,
        // CIRC-5 / CIRC-7: a waiting request of another patron that this copy would fill.
        requestedBySomeoneElse: waiting !== null && waiting.patronId !== loan.patron_id,
      });
      let dueAt: Date;
      let overridden: string[] = [];
      if (decision.ok) {
        dueAt = decision.dueAt;
      } else {
        const scope = { institutionId, libraryId: loan.desk_library_id };
        if (!r.staff) {
          throw refused(
            'RENEWAL_REFUSED',
            `The renewal is refused: ${decision.refusals.map((x) => x.message).join(' ')}`,
            {
              reasons: decision.refusals.map(presentRefusal),
            },
          );
        }
        overridden = resolveOverrides(decision.refusals, r.override, overrider, scope, 'RENEWAL_REFUSED');
        if (!decision.dueDateIfOverridden)
          throw new Error('unreachable: NO_LATER_DUE_DATE is never overridable');
        dueAt = decision.dueDateIfOverridden.dueAt;
      }
      const where = {
        institutionId,
        itemId: item.id,
        at: now,
        actingInstitutionId: r.staff ? institutionId : null,
        libraryId: null,
        deskId: null,
        operatorStaffId: r.staff?.staffId ?? null,
        patronId: patron.id,
        loanId,
      };
      const history: HistoryEntry[] = [
        ...(overridden.length > 0
          ? [
              {
                ...where,
                event: 'override' as const,
                details: {
                  action: 'renew',
                  codes: overridden,
                  note: r.override?.note ?? null,
                  ...approvedBy(overrider, r.staff),
                  reasons: decision.ok ? [] : decision.refusals.map(presentRefusal),
                },
              },
            ]
          : []),
        {
          ...where,
          event: 'renew',
          details: {
            previousDueAt: loan.due_at.toISOString(),
            dueAt: dueAt.toISOString(),
            renewalsUsed: loan.renewals_used + 1,
            by: r.staff ? 'staff' : 'patron',
            overridden,
          },
        },
      ];
      // The new due date and the history (CIRC-13) in one statement, the transaction's last: its
      // COMMIT travels with it (decision 68); nothing below can fail.
      await renewLoanWithHistory(
        trx,
        { institutionId, loanId, dueAt, renewalsUsed: loan.renewals_used + 1 },
        history,
        { commit: true },
      );
      // The renewed loan as the desk shows it, from the facts in hand (no read back).
      return presentLoanFacts(
        {
          ...loan,
          due_at: dueAt,
          renewals_used: loan.renewals_used + 1,
          renewals_allowed: found.terms.renewalsAllowed,
          item: { id: item.id, barcode: item.barcode, title: item.title, author: item.author },
          patron: { id: patron.id, name: patron.name },
          desk: { id: loan.desk_id, name: found.deskName, institutionId: loan.desk_institution_id },
          library: { id: loan.desk_library_id, name: found.libraryName },
        },
        now,
      );
    }),
  );
  return { loan: renewed };
}

/** CIRC-5 by staff holding circulation.desk at the owner. */
export function renewLoanByStaff(
  ctx: CirculationContext,
  institutionId: string,
  loanId: string,
  input: { override?: OverrideInput } = {},
) {
  const staff = authorize(ctx.actor, 'circulation.desk', { institutionId });
  return renew({ db: ctx.db, now: clock(ctx), staff, override: input.override }, institutionId, loanId);
}

/** CIRC-5 by the patron signed in to discovery: only their own loans, never overriding. */
export function renewLoanByPatron(ctx: PatronContext, institutionId: string, loanId: string) {
  if (ctx.actor.institutionId !== institutionId) throw loanNotFound(loanId);
  return renew(
    { db: ctx.db, now: clock(ctx), staff: null, onlyPatronId: ctx.actor.patronId },
    institutionId,
    loanId,
  );
}
