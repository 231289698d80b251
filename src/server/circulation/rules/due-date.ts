import {
  closingTime,
  dayAt,
  endOfDay,
  isOpenAt,
  type LibraryCalendar,
  nextOpenDay,
  OPEN_DAY_SEARCH_LIMIT,
  plusDays,
} from './calendar.ts';
import { type Refusal, refusal } from './refusal.ts';

/** The loan-period part of the terms of use (CIRC-2). */
export interface LoanPeriodTerms {
  loanPeriodUnit: 'days' | 'hours';
  /** A positive whole number of `loanPeriodUnit`, or null when the terms set only a fixed due date. */
  loanPeriod: number | null;
  /** 'YYYY-MM-DD' */
  fixedDueDate: string | null;
}

export type DueDateCap = 'none' | 'fixed_due_date' | 'account_expiry';

export interface DueDate {
  dueAt: Date;
  /** What shortened the loan period, if anything (a fixed due date used alone is 'none'). */
  cappedBy: DueDateCap;
  /** Whether the due date moved because the library is closed then (a closed day, or outside hours for hourly loans). */
  movedFromClosedDay: boolean;
}

export type DueDateRefusalCode = 'NO_LOAN_PERIOD' | 'FIXED_DUE_DATE_PASSED';

export type DueDateResult = ({ ok: true } & DueDate) | { ok: false; refusal: Refusal<DueDateRefusalCode> };

export interface DueDateInput {
  now: Date;
  terms: LoanPeriodTerms;
  /** CIRC-3: the calendar of the library whose desk lends (not the owner's, for FN-5 loans). */
  calendar: LibraryCalendar;
  /** The patron account's expiry date 'YYYY-MM-DD' (the account at the owner), or null. */
  accountExpiry: string | null;
}

interface Placed {
  dueAt: Date;
  moved: boolean;
}

function isPeriod(n: number | null): n is number {
  return n !== null && Number.isInteger(n) && n > 0;
}

/**
 * CIRC-3, daily loans: due at the end of the day `days` days after today in the library's
 * zone: its closing time; a closed day moves to the next open day.
 */
function dueAfterDays(calendar: LibraryCalendar, now: Date, days: number): Placed {
  return dueOnDay(calendar, plusDays(dayAt(calendar.timeZone, now), days));
}

/** The end of a due day, moved to the next open day when the library is closed that day (CIRC-3). */
function dueOnDay(calendar: LibraryCalendar, day: string): Placed {
  const open = nextOpenDay(calendar, day);
  // Closed for a whole year: nothing to move to, so the day itself (23:59:59 local).
  if (open === null) return { dueAt: endOfDay(calendar, day), moved: false };
  return { dueAt: endOfDay(calendar, open), moved: open !== day };
}

/** The latest closing time at or before an instant, within the search window. */
function lastClosingAtOrBefore(calendar: LibraryCalendar, instant: Date): Date | null {
  let day = dayAt(calendar.timeZone, instant);
  for (let i = 0; i <= OPEN_DAY_SEARCH_LIMIT; i++, day = plusDays(day, -1)) {
    const closes = closingTime(calendar, day);
    if (closes && closes <= instant) return closes;
  }
  return null;
}

/** The first closing time after an instant, within the search window. */
function firstClosingAfter(calendar: LibraryCalendar, instant: Date): Date | null {
  let day = dayAt(calendar.timeZone, instant);
  for (let i = 0; i <= OPEN_DAY_SEARCH_LIMIT; i++, day = plusDays(day, 1)) {
    const closes = closingTime(calendar, day);
    if (closes && closes > instant) return closes;
  }
  return null;
}

/**
 * CIRC-3, hourly loans: due `hours` after now. When the library is closed at that moment
 * (after closing, before opening, or on a closed day), the due time moves BACK to the last
 * closing time before it, so a short loan comes back before the desk closes (the common
 * practice of reserve desks); only when that closing time is not after now (the loan was made
 * while the library was closed) does it move FORWARD to the next closing time.
 */
function dueAfterHours(calendar: LibraryCalendar, now: Date, hours: number): Placed {
  const candidate = new Date(now.getTime() + hours * 3_600_000);
  if (isOpenAt(calendar, candidate)) return { dueAt: candidate, moved: false };
  const back = lastClosingAtOrBefore(calendar, candidate);
  if (back && back > now) return { dueAt: back, moved: true };
  const forward = firstClosingAfter(calendar, candidate);
  return forward ? { dueAt: forward, moved: true } : { dueAt: candidate, moved: false };
}

/** A loan (or renewal) period counted from now on the library's calendar (CIRC-3). */
export function dueAfterPeriod(
  calendar: LibraryCalendar,
  now: Date,
  unit: 'days' | 'hours',
  period: number,
): { dueAt: Date; movedFromClosedDay: boolean } {
  const placed = unit === 'days' ? dueAfterDays(calendar, now, period) : dueAfterHours(calendar, now, period);
  return { dueAt: placed.dueAt, movedFromClosedDay: placed.moved };
}

/**
 * CIRC-2/CIRC-3: a fixed due date is due at the end of that day; like any due date, on a
 * closed day it moves to the next open day.
 */
export function fixedDueDateAt(
  calendar: LibraryCalendar,
  fixedDueDate: string,
): { dueAt: Date; movedFromClosedDay: boolean } {
  const placed = dueOnDay(calendar, fixedDueDate);
  return { dueAt: placed.dueAt, movedFromClosedDay: placed.moved };
}

/**
 * CIRC-3: loans never run past the account's expiry: the latest due date is the end of the
 * expiry day (its closing time, or 23:59:59 local when the library is closed that day: a cap
 * is never moved later). Null when there is no expiry, or when the account has already
 * expired (expiry on or before today, as PAT-1 counts it): then the loan or renewal was made
 * by overriding PATRON_EXPIRED / ACCOUNT_EXPIRED, and it runs its normal period.
 */
export function accountExpiryCap(
  calendar: LibraryCalendar,
  now: Date,
  accountExpiry: string | null,
): Date | null {
  if (accountExpiry === null || accountExpiry <= dayAt(calendar.timeZone, now)) return null;
  return endOfDay(calendar, accountExpiry);
}

/** Applies the fixed due date and the account's expiry as caps: the earliest wins. */
export function applyCaps(
  base: DueDate,
  fixed: { dueAt: Date; movedFromClosedDay: boolean } | null,
  expiryCap: Date | null,
): DueDate {
  let result = base;
  if (fixed && fixed.dueAt < result.dueAt) {
    result = { dueAt: fixed.dueAt, cappedBy: 'fixed_due_date', movedFromClosedDay: fixed.movedFromClosedDay };
  }
  if (expiryCap && expiryCap < result.dueAt) {
    result = { dueAt: expiryCap, cappedBy: 'account_expiry', movedFromClosedDay: false };
  }
  return result;
}

/**
 * CIRC-3: the due date of a new loan, on the calendar and in the time zone of the library
 * whose desk lends. Days: the end of the day `loanPeriod` days after today (closing time; a
 * closed day moves to the next open day). Hours: now + hours, kept within opening hours (see
 * `dueAfterHours`). A fixed due date caps the period (the earlier wins) and is used alone when
 * the terms set no period; the account's expiry caps both. Refused when the terms set neither
 * a period nor a fixed due date, or when the fixed due date has already passed.
 */
export function computeDueDate(input: DueDateInput): DueDateResult {
  const { now, terms, calendar } = input;
  const fixed = terms.fixedDueDate === null ? null : fixedDueDateAt(calendar, terms.fixedDueDate);
  if (fixed && fixed.dueAt <= now) {
    return {
      ok: false,
      refusal: refusal(
        'FIXED_DUE_DATE_PASSED',
        `The fixed due date of the terms of use (${terms.fixedDueDate}) has passed. An administrator must update the terms of use.`,
        { fixedDueDate: terms.fixedDueDate },
      ),
    };
  }
  let base: DueDate;
  if (isPeriod(terms.loanPeriod)) {
    base = { ...dueAfterPeriod(calendar, now, terms.loanPeriodUnit, terms.loanPeriod), cappedBy: 'none' };
  } else if (fixed) {
    base = { ...fixed, cappedBy: 'none' };
  } else {
    return {
      ok: false,
      refusal: refusal(
        'NO_LOAN_PERIOD',
        'The terms of use set neither a loan period nor a fixed due date. An administrator must complete them.',
      ),
    };
  }
  return { ok: true, ...applyCaps(base, fixed, accountExpiryCap(calendar, now, input.accountExpiry)) };
}
