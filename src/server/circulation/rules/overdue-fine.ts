import { DateTime } from 'luxon';
import { countOpenDaysBetween, dayAt, isOpenDay, type LibraryCalendar } from './calendar.ts';

/** The overdue-fine part of the terms of use (CIRC-2), money in minor units (CIRC-11). */
export interface OverdueFineTerms {
  overdueFinePerDayMinor: number;
  overdueGraceDays: number;
  overdueFineMaxMinor: number | null;
  loanPeriodUnit: 'days' | 'hours';
}

export interface OverdueFineInput {
  dueAt: Date;
  /** The return time, or now for the daily job (CIRC-11: both set the fine for (due date, now)). */
  now: Date;
  terms: OverdueFineTerms;
  /** CIRC-3: fines skip the closed days of the OWNER's library (the item's home library). */
  ownerCalendar: LibraryCalendar;
}

export interface OverdueFine {
  amountMinor: number;
  /** Overdue open days of the owner's library. */
  overdueDays: number;
  /** The days charged: 0 within the grace days, else all overdue days. */
  chargedDays: number;
}

/**
 * Hourly loans: the started 24-hour periods after the due time (late by a minute is one day),
 * each counted only when the owner's library is open on the local day it starts (CIRC-3).
 * Periods are calendar days in the owner's zone, so a DST change does not shift them.
 */
function startedOpenDaysLate(calendar: LibraryCalendar, dueAt: Date, now: Date): number {
  const due = DateTime.fromJSDate(dueAt).setZone(calendar.timeZone);
  let count = 0;
  for (let k = 0; ; k++) {
    const start = due.plus({ days: k });
    if (start.toMillis() >= now.getTime()) return count;
    if (isOpenDay(calendar, start.toISODate() as string)) count++;
  }
}

/**
 * CIRC-11 / CIRC-3: the overdue fine for (due date, now), in minor units.
 *
 * Daily loans: the overdue days are the owner's OPEN days after the due day up to and
 * including today, both in the owner's time zone (returned on the due day: none).
 * Hourly loans: every started day late counts, the due day included (see `startedOpenDaysLate`).
 *
 * Grace forgives, it does not subtract (the practice of Alma and FOLIO): returned within the
 * grace days (counted in the same open days), no fine; later, every overdue day is charged
 * from the due date. The amount is capped by the maximum when the terms set one.
 */
export function computeOverdueFine(input: OverdueFineInput): OverdueFine {
  const { dueAt, now, terms, ownerCalendar } = input;
  if (now <= dueAt) return { amountMinor: 0, overdueDays: 0, chargedDays: 0 };
  const zone = ownerCalendar.timeZone;
  const overdueDays =
    terms.loanPeriodUnit === 'hours'
      ? startedOpenDaysLate(ownerCalendar, dueAt, now)
      : countOpenDaysBetween(ownerCalendar, dayAt(zone, dueAt), dayAt(zone, now));
  const chargedDays = overdueDays <= terms.overdueGraceDays ? 0 : overdueDays;
  const uncapped = chargedDays * terms.overdueFinePerDayMinor;
  const amountMinor =
    terms.overdueFineMaxMinor === null ? uncapped : Math.min(uncapped, terms.overdueFineMaxMinor);
  return { amountMinor, overdueDays, chargedDays };
}
