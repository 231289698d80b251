import { isExpired } from '../../patrons/rules.ts';
import { dayAt, type LibraryCalendar } from './calendar.ts';
import { accountExpiryCap, applyCaps, type DueDate, dueAfterPeriod, fixedDueDateAt } from './due-date.ts';
import { overridableRefusal, type Refusal, refusal } from './refusal.ts';

/** The renewal part of the terms of use (CIRC-2). */
export interface RenewalTerms {
  renewalsAllowed: number;
  /** Null: renew by the loan period (when given), as the terms' loan period is the natural default. */
  renewalPeriod: number | null;
  loanPeriod?: number | null;
  loanPeriodUnit: 'days' | 'hours';
  fixedDueDate: string | null;
}

export interface RenewalInput {
  now: Date;
  currentDueAt: Date;
  renewalsUsed: number;
  terms: RenewalTerms;
  /** The calendar the loan's due dates use (CIRC-3: the library whose desk made the loan). */
  calendar: LibraryCalendar;
  /** 'YYYY-MM-DD' or null: the account the loan hangs on. */
  accountExpiry: string | null;
  /** Any active block of the account, including blocks carried from the home record (PAT-7). */
  patronBlocked: boolean;
  /** Another patron's open request is waiting for this item (or its title, targeted at it). */
  requestedBySomeoneElse: boolean;
}

export type RenewalRefusalCode =
  | 'RENEWALS_EXHAUSTED'
  | 'PATRON_BLOCKED'
  | 'REQUESTED_BY_ANOTHER_PATRON'
  | 'ACCOUNT_EXPIRED'
  | 'NO_LATER_DUE_DATE';

export type RenewalDecision =
  | ({ ok: true } & DueDate)
  | {
      ok: false;
      /** Every reason at once (CIRC-5, as CIRC-4). */
      refusals: Refusal<RenewalRefusalCode>[];
      /** The due date a staff override would give; null when there is no later due date to give. */
      dueDateIfOverridden: DueDate | null;
    };

/**
 * CIRC-5: the new due date, the later of the current due date and now + the renewal period
 * (placed on the calendar like a loan's), capped by the fixed due date and the account's
 * expiry; null when that is not later than the current due date.
 */
export function renewedDueDate(
  input: Omit<RenewalInput, 'renewalsUsed' | 'patronBlocked' | 'requestedBySomeoneElse'>,
): DueDate | null {
  const { now, currentDueAt, terms, calendar } = input;
  const period = terms.renewalPeriod ?? terms.loanPeriod ?? null;
  const fixed = terms.fixedDueDate === null ? null : fixedDueDateAt(calendar, terms.fixedDueDate);
  let fromNow: DueDate | null = null;
  if (period !== null && Number.isInteger(period) && period > 0) {
    fromNow = { ...dueAfterPeriod(calendar, now, terms.loanPeriodUnit, period), cappedBy: 'none' };
  } else if (fixed) {
    // Terms with only a fixed due date renew up to it (e.g. after the date was moved on).
    fromNow = { ...fixed, cappedBy: 'none' };
  }
  if (!fromNow || fromNow.dueAt <= currentDueAt) return null;
  const capped = applyCaps(fromNow, fixed, accountExpiryCap(calendar, now, input.accountExpiry));
  return capped.dueAt > currentDueAt ? capped : null;
}

/**
 * CIRC-5 / PAT-7: whether a loan may be renewed, and its new due date. All refusals are
 * collected at once. Overridable by staff with `circulation.override` (patrons renewing in
 * discovery never override): RENEWALS_EXHAUSTED, PATRON_BLOCKED, ACCOUNT_EXPIRED. Never:
 * REQUESTED_BY_ANOTHER_PATRON (CIRC-7: the next request is never jumped) and
 * NO_LATER_DUE_DATE (there is nothing to give).
 */
export function decideRenewal(input: RenewalInput): RenewalDecision {
  const { now, renewalsUsed, terms, calendar } = input;
  const refusals: Refusal<RenewalRefusalCode>[] = [];
  if (renewalsUsed >= terms.renewalsAllowed) {
    refusals.push(
      overridableRefusal(
        'RENEWALS_EXHAUSTED',
        terms.renewalsAllowed === 0
          ? 'The terms of use allow no renewals of this item.'
          : `The loan has been renewed ${renewalsUsed} times, the most the terms of use allow (${terms.renewalsAllowed}).`,
        { renewalsUsed, renewalsAllowed: terms.renewalsAllowed },
      ),
    );
  }
  if (input.patronBlocked) {
    refusals.push(overridableRefusal('PATRON_BLOCKED', 'The patron is blocked.'));
  }
  if (input.requestedBySomeoneElse) {
    refusals.push(
      refusal('REQUESTED_BY_ANOTHER_PATRON', 'Another patron has requested this item; it must come back.'),
    );
  }
  const today = dayAt(calendar.timeZone, now);
  if (isExpired(input.accountExpiry, today)) {
    refusals.push(
      overridableRefusal('ACCOUNT_EXPIRED', `The patron's account expired on ${input.accountExpiry}.`, {
        expiryDate: input.accountExpiry,
      }),
    );
  }
  const dueDate = renewedDueDate(input);
  if (!dueDate) {
    refusals.push(
      refusal(
        'NO_LATER_DUE_DATE',
        'Renewing would not move the due date later (the fixed due date or the account expiry comes first, or the loan was renewed just now).',
        { currentDueAt: input.currentDueAt.toISOString() },
      ),
    );
  }
  if (dueDate && refusals.length === 0) return { ok: true, ...dueDate };
  return { ok: false, refusals, dueDateIfOverridden: dueDate };
}
