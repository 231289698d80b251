import { describe, expect, it } from 'vitest';
import { computeOverdueFine, type OverdueFineInput, type OverdueFineTerms } from './overdue-fine.ts';
import { berlin, EAST_LIBRARY, SCIENCE_LIBRARY } from './test-calendars.ts';

const DAILY: OverdueFineTerms = {
  overdueFinePerDayMinor: 50,
  overdueGraceDays: 0,
  overdueFineMaxMinor: null,
  loanPeriodUnit: 'days',
};
const HOURLY: OverdueFineTerms = { ...DAILY, overdueFinePerDayMinor: 100, loanPeriodUnit: 'hours' };

/** Due Monday 20 January 2025 at closing time in Berlin. */
const DUE_MONDAY = berlin('2025-01-20T20:00');

function fine(overrides: Partial<OverdueFineInput> & { now: Date }) {
  return computeOverdueFine({
    dueAt: DUE_MONDAY,
    terms: DAILY,
    ownerCalendar: SCIENCE_LIBRARY,
    ...overrides,
  });
}

describe('computeOverdueFine, daily loans (CIRC-11, CIRC-3)', () => {
  it('CIRC-11: no fine when returned before or at the due time', () => {
    expect(fine({ now: berlin('2025-01-20T12:00') })).toEqual({
      amountMinor: 0,
      overdueDays: 0,
      chargedDays: 0,
    });
    expect(fine({ now: DUE_MONDAY })).toEqual({ amountMinor: 0, overdueDays: 0, chargedDays: 0 });
  });

  it('CIRC-11: no fine when returned late on the due day itself (the book drop after closing)', () => {
    expect(fine({ now: berlin('2025-01-20T23:30') })).toEqual({
      amountMinor: 0,
      overdueDays: 0,
      chargedDays: 0,
    });
  });

  it('CIRC-11: each overdue open day after the due day, today included, is charged', () => {
    expect(fine({ now: berlin('2025-01-21T09:30') })).toEqual({
      amountMinor: 50,
      overdueDays: 1,
      chargedDays: 1,
    });
    expect(fine({ now: berlin('2025-01-22T18:00') })).toEqual({
      amountMinor: 100,
      overdueDays: 2,
      chargedDays: 2,
    });
  });

  it("CIRC-3: fines skip the owner's closed weekdays", () => {
    const dueFriday = berlin('2025-01-24T20:00');
    expect(fine({ dueAt: dueFriday, now: berlin('2025-01-26T12:00') })).toMatchObject({ overdueDays: 1 }); // Sat
    expect(fine({ dueAt: dueFriday, now: berlin('2025-01-27T12:00') })).toMatchObject({
      overdueDays: 2,
      amountMinor: 100,
    });
  });

  it("CIRC-3: fines skip the owner's closed days", () => {
    const dueMonday = berlin('2025-12-22T20:00');
    // Tue 23 open; 24, 25, 26 closed; Sat 27 open; Sun 28 closed; Mon 29 open.
    expect(fine({ dueAt: dueMonday, now: berlin('2025-12-29T10:00') })).toMatchObject({
      overdueDays: 3,
      amountMinor: 150,
    });
  });

  it("CIRC-3 / CIRC-11: the days are counted on the OWNER's calendar and in its time zone", () => {
    // Due at 18:00 New York on Friday 24 January; returned Saturday morning in Berlin time.
    const dueAt = new Date('2025-01-24T23:00:00Z');
    const now = new Date('2025-01-25T09:00:00Z');
    // The owner in Berlin: the due day is already Saturday there, so nothing is overdue yet.
    expect(fine({ dueAt, now })).toMatchObject({ overdueDays: 0 });
    // The owner in New York: Saturday is closed there.
    expect(fine({ dueAt, now, ownerCalendar: EAST_LIBRARY })).toMatchObject({ overdueDays: 0 });
    // By Monday one open day is overdue in both: Monday (New York skips Saturday; Berlin's due day was Saturday).
    const monday = new Date('2025-01-27T15:00:00Z');
    expect(fine({ dueAt, now: monday, ownerCalendar: EAST_LIBRARY })).toMatchObject({ overdueDays: 1 });
    expect(fine({ dueAt, now: monday })).toMatchObject({ overdueDays: 1 });
  });

  it('CIRC-11: a return just after midnight in the owner zone counts the new day', () => {
    expect(fine({ now: new Date('2025-01-20T23:30:00Z') })).toMatchObject({ overdueDays: 1 }); // 00:30 Tuesday in Berlin
    expect(
      fine({ now: new Date('2025-01-20T23:30:00Z'), ownerCalendar: { ...SCIENCE_LIBRARY, timeZone: 'UTC' } }),
    ).toMatchObject({
      overdueDays: 0,
    });
  });

  it('CIRC-11: within the grace days the fine is forgiven entirely', () => {
    const terms = { ...DAILY, overdueGraceDays: 2 };
    expect(fine({ terms, now: berlin('2025-01-21T10:00') })).toEqual({
      amountMinor: 0,
      overdueDays: 1,
      chargedDays: 0,
    });
    expect(fine({ terms, now: berlin('2025-01-22T10:00') })).toEqual({
      amountMinor: 0,
      overdueDays: 2,
      chargedDays: 0,
    });
  });

  it('CIRC-11: past the grace days every overdue day is charged, from the due date (grace forgives, it does not subtract)', () => {
    const terms = { ...DAILY, overdueGraceDays: 2 };
    expect(fine({ terms, now: berlin('2025-01-23T10:00') })).toEqual({
      amountMinor: 150,
      overdueDays: 3,
      chargedDays: 3,
    });
  });

  it("CIRC-3: grace days are counted in the owner's open days too", () => {
    const terms = { ...DAILY, overdueGraceDays: 1 };
    const dueSaturday = berlin('2025-01-25T14:00');
    expect(fine({ terms, dueAt: dueSaturday, now: berlin('2025-01-27T10:00') })).toMatchObject({
      chargedDays: 0,
    });
  });

  it('CIRC-11: the fine is capped by the maximum', () => {
    const terms = { ...DAILY, overdueFineMaxMinor: 120 };
    expect(fine({ terms, now: berlin('2025-01-22T10:00') })).toEqual({
      amountMinor: 100,
      overdueDays: 2,
      chargedDays: 2,
    });
    expect(fine({ terms, now: berlin('2025-01-24T10:00') })).toEqual({
      amountMinor: 120,
      overdueDays: 4,
      chargedDays: 4,
    });
  });

  it('CIRC-11: a maximum of zero means no overdue fine; no maximum means no cap', () => {
    expect(
      fine({ terms: { ...DAILY, overdueFineMaxMinor: 0 }, now: berlin('2025-02-20T10:00') }).amountMinor,
    ).toBe(0);
    const year = fine({ now: berlin('2026-01-20T10:00') });
    expect(year.overdueDays).toBe(365 - 52 - 3); // less Sundays and 24-26 December (1 January 2026 is not a closed day)
    expect(year.amountMinor).toBe(year.overdueDays * 50);
  });

  it('CIRC-11: terms without a fine per day charge nothing but still count the days', () => {
    expect(fine({ terms: { ...DAILY, overdueFinePerDayMinor: 0 }, now: berlin('2025-01-22T10:00') })).toEqual(
      {
        amountMinor: 0,
        overdueDays: 2,
        chargedDays: 2,
      },
    );
  });

  it('CIRC-11: amounts are whole minor units', () => {
    const result = fine({ terms: { ...DAILY, overdueFinePerDayMinor: 33 }, now: berlin('2025-01-23T10:00') });
    expect(Number.isInteger(result.amountMinor)).toBe(true);
    expect(result.amountMinor).toBe(99);
  });
});

describe('computeOverdueFine, hourly loans (CIRC-11, CIRC-3)', () => {
  const dueAt = berlin('2025-01-20T14:00');

  it('CIRC-11: an hourly loan returned a minute late is one day late', () => {
    expect(fine({ terms: HOURLY, dueAt, now: berlin('2025-01-20T14:01') })).toEqual({
      amountMinor: 100,
      overdueDays: 1,
      chargedDays: 1,
    });
  });

  it('CIRC-11: every started day after the due time counts', () => {
    expect(fine({ terms: HOURLY, dueAt, now: berlin('2025-01-21T13:59') })).toMatchObject({ overdueDays: 1 });
    expect(fine({ terms: HOURLY, dueAt, now: berlin('2025-01-21T14:00') })).toMatchObject({ overdueDays: 1 });
    expect(fine({ terms: HOURLY, dueAt, now: berlin('2025-01-21T14:01') })).toMatchObject({ overdueDays: 2 });
  });

  it("CIRC-3: a started day that begins on the owner's closed day is not charged", () => {
    const dueSaturday = berlin('2025-01-25T12:00');
    // Started days begin Sat 12:00 (open) and Sun 12:00 (closed).
    expect(fine({ terms: HOURLY, dueAt: dueSaturday, now: berlin('2025-01-27T10:00') })).toMatchObject({
      overdueDays: 1,
    });
    // A third begins Mon 12:00 (open).
    expect(fine({ terms: HOURLY, dueAt: dueSaturday, now: berlin('2025-01-27T12:30') })).toMatchObject({
      overdueDays: 2,
    });
  });

  it('CIRC-11: started days are local days, across a change to summer time', () => {
    const dueFriday = berlin('2025-03-28T12:00');
    // Fri 12:00, Sat 12:00, Sun 12:00 (closed), Mon 12:00 CEST: Monday 11:30 summer time is inside the third day.
    expect(fine({ terms: HOURLY, dueAt: dueFriday, now: berlin('2025-03-31T11:30') })).toMatchObject({
      overdueDays: 2,
    });
    expect(fine({ terms: HOURLY, dueAt: dueFriday, now: berlin('2025-03-31T12:30') })).toMatchObject({
      overdueDays: 3,
    });
  });

  it('CIRC-11: grace days and the maximum apply to hourly loans too', () => {
    const terms = { ...HOURLY, overdueGraceDays: 1, overdueFineMaxMinor: 250 };
    expect(fine({ terms, dueAt, now: berlin('2025-01-20T15:00') })).toEqual({
      amountMinor: 0,
      overdueDays: 1,
      chargedDays: 0,
    });
    expect(fine({ terms, dueAt, now: berlin('2025-01-21T15:00') })).toEqual({
      amountMinor: 200,
      overdueDays: 2,
      chargedDays: 2,
    });
    expect(fine({ terms, dueAt, now: berlin('2025-01-24T15:00') })).toEqual({
      amountMinor: 250,
      overdueDays: 5,
      chargedDays: 5,
    });
  });
});
