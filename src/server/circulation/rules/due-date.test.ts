import { describe, expect, it } from 'vitest';
import { computeDueDate, type DueDateInput, type LoanPeriodTerms } from './due-date.ts';
import {
  alwaysClosed,
  berlin,
  EAST_LIBRARY,
  newYork,
  SCIENCE_LIBRARY,
  UNCONFIGURED_LIBRARY,
} from './test-calendars.ts';

const FOURTEEN_DAYS: LoanPeriodTerms = { loanPeriodUnit: 'days', loanPeriod: 14, fixedDueDate: null };
const FOUR_HOURS: LoanPeriodTerms = { loanPeriodUnit: 'hours', loanPeriod: 4, fixedDueDate: null };

function due(input: Partial<DueDateInput> & { now: Date }) {
  const result = computeDueDate({
    terms: FOURTEEN_DAYS,
    calendar: SCIENCE_LIBRARY,
    accountExpiry: null,
    ...input,
  });
  if (!result.ok) throw new Error(`refused: ${result.refusal.code}`);
  return result;
}

describe('computeDueDate, daily loans (CIRC-3)', () => {
  it('CIRC-3: a loan of n days is due at closing time n days after today in the lending library', () => {
    expect(due({ now: berlin('2025-01-06T10:00') })).toEqual({
      ok: true,
      dueAt: new Date('2025-01-20T19:00:00Z'),
      cappedBy: 'none',
      movedFromClosedDay: false,
    });
  });

  it('CIRC-3: a due date on a closed weekday moves to the next open day', () => {
    const result = due({ now: berlin('2025-01-05T12:00'), terms: { ...FOURTEEN_DAYS, loanPeriod: 7 } }); // Sunday + 7
    expect(result.dueAt).toEqual(new Date('2025-01-13T19:00:00Z'));
    expect(result.movedFromClosedDay).toBe(true);
  });

  it('CIRC-3: a due date on a closed day moves to the next open day, closing early on a Saturday', () => {
    const result = due({ now: berlin('2025-12-11T15:00') }); // +14 = Thursday 25 December
    expect(result.dueAt).toEqual(new Date('2025-12-27T13:00:00Z'));
    expect(result.movedFromClosedDay).toBe(true);
  });

  it("CIRC-3: today is the lending library's day: late evening in UTC is already tomorrow in Berlin", () => {
    const now = new Date('2025-01-06T23:30:00Z');
    expect(due({ now }).dueAt).toEqual(new Date('2025-01-21T19:00:00Z'));
    expect(due({ now, calendar: EAST_LIBRARY }).dueAt).toEqual(newYork('2025-01-20T18:00'));
  });

  it('CIRC-3: the closing time is local, across a change to summer time', () => {
    expect(due({ now: berlin('2025-03-20T10:00') }).dueAt).toEqual(new Date('2025-04-03T18:00:00Z'));
    expect(due({ now: berlin('2025-10-20T10:00') }).dueAt).toEqual(new Date('2025-11-03T19:00:00Z'));
  });

  it('CIRC-3: a library without opening hours makes a loan due at 23:59:59 local', () => {
    const result = due({ now: berlin('2025-01-01T10:00'), calendar: UNCONFIGURED_LIBRARY });
    expect(result.dueAt).toEqual(berlin('2025-01-15T23:59:59'));
    expect(result.movedFromClosedDay).toBe(false);
  });

  it('CIRC-3: without hours a closed day still moves the due date', () => {
    const result = due({
      now: berlin('2025-01-05T10:00'),
      calendar: UNCONFIGURED_LIBRARY,
      terms: { ...FOURTEEN_DAYS, loanPeriod: 7 },
    });
    expect(result.dueAt).toEqual(berlin('2025-01-13T23:59:59'));
    expect(result.movedFromClosedDay).toBe(true);
  });

  it('CIRC-3: a library closed for a whole year keeps the due day itself at 23:59:59', () => {
    const result = due({ now: berlin('2025-01-01T10:00'), calendar: alwaysClosed('2025-01-01', 800) });
    expect(result.dueAt).toEqual(berlin('2025-01-15T23:59:59'));
    expect(result.movedFromClosedDay).toBe(false);
  });
});

describe('computeDueDate, fixed due dates (CIRC-2, CIRC-3)', () => {
  it('CIRC-2: a fixed due date earlier than the loan period caps it', () => {
    const result = due({
      now: berlin('2025-01-20T10:00'),
      terms: { ...FOURTEEN_DAYS, fixedDueDate: '2025-01-31' },
    });
    expect(result).toEqual({
      ok: true,
      dueAt: new Date('2025-01-31T19:00:00Z'),
      cappedBy: 'fixed_due_date',
      movedFromClosedDay: false,
    });
  });

  it('CIRC-2: a fixed due date later than the loan period changes nothing', () => {
    const result = due({
      now: berlin('2025-01-06T10:00'),
      terms: { ...FOURTEEN_DAYS, fixedDueDate: '2025-06-30' },
    });
    expect(result.dueAt).toEqual(new Date('2025-01-20T19:00:00Z'));
    expect(result.cappedBy).toBe('none');
  });

  it('CIRC-2: a fixed due date alone (no loan period) is the due date, at closing time', () => {
    const result = due({
      now: berlin('2025-01-06T10:00'),
      terms: { loanPeriodUnit: 'days', loanPeriod: null, fixedDueDate: '2025-03-14' },
    });
    expect(result).toEqual({
      ok: true,
      dueAt: new Date('2025-03-14T19:00:00Z'),
      cappedBy: 'none',
      movedFromClosedDay: false,
    });
  });

  it('CIRC-3: a fixed due date on a closed day moves to the next open day', () => {
    const result = due({
      now: berlin('2025-01-06T10:00'),
      terms: { loanPeriodUnit: 'days', loanPeriod: null, fixedDueDate: '2025-02-02' },
    });
    expect(result.dueAt).toEqual(new Date('2025-02-03T19:00:00Z'));
    expect(result.movedFromClosedDay).toBe(true);
  });

  it('CIRC-3: a fixed due date today is due at closing time tonight', () => {
    const result = due({
      now: berlin('2025-01-31T10:00'),
      terms: { ...FOURTEEN_DAYS, fixedDueDate: '2025-01-31' },
    });
    expect(result.dueAt).toEqual(new Date('2025-01-31T19:00:00Z'));
    expect(result.cappedBy).toBe('fixed_due_date');
  });

  it('CIRC-2: a fixed due date that has passed refuses the loan (FIXED_DUE_DATE_PASSED, not overridable)', () => {
    for (const now of [berlin('2025-02-01T10:00'), berlin('2025-01-31T20:30')]) {
      const result = computeDueDate({
        now,
        terms: { ...FOURTEEN_DAYS, fixedDueDate: '2025-01-31' },
        calendar: SCIENCE_LIBRARY,
        accountExpiry: null,
      });
      expect(result).toMatchObject({
        ok: false,
        refusal: { code: 'FIXED_DUE_DATE_PASSED', overridable: false },
      });
    }
  });

  it('CIRC-2: terms with neither a loan period nor a fixed due date refuse the loan (NO_LOAN_PERIOD)', () => {
    for (const loanPeriod of [null, 0, -3, 1.5]) {
      const result = computeDueDate({
        now: berlin('2025-01-06T10:00'),
        terms: { loanPeriodUnit: 'days', loanPeriod, fixedDueDate: null },
        calendar: SCIENCE_LIBRARY,
        accountExpiry: null,
      });
      expect(result).toMatchObject({ ok: false, refusal: { code: 'NO_LOAN_PERIOD', overridable: false } });
    }
  });
});

describe("computeDueDate, the account's expiry (CIRC-3)", () => {
  it('CIRC-3: a loan never runs past the account expiry: due at closing time on the expiry day', () => {
    const result = due({ now: berlin('2025-01-06T10:00'), accountExpiry: '2025-01-10' });
    expect(result).toEqual({
      ok: true,
      dueAt: new Date('2025-01-10T19:00:00Z'),
      cappedBy: 'account_expiry',
      movedFromClosedDay: false,
    });
  });

  it('CIRC-3: an expiry on a closed day caps at 23:59:59 local that day, never moved later', () => {
    const result = due({ now: berlin('2025-01-06T10:00'), accountExpiry: '2025-01-12' });
    expect(result.dueAt).toEqual(berlin('2025-01-12T23:59:59'));
    expect(result.cappedBy).toBe('account_expiry');
    expect(result.movedFromClosedDay).toBe(false);
  });

  it('CIRC-3: an expiry after the due date changes nothing', () => {
    const result = due({ now: berlin('2025-01-06T10:00'), accountExpiry: '2025-01-21' });
    expect(result.cappedBy).toBe('none');
    expect(result.dueAt).toEqual(new Date('2025-01-20T19:00:00Z'));
  });

  it('CIRC-3: an expiry on the due day itself changes nothing', () => {
    const result = due({ now: berlin('2025-01-06T10:00'), accountExpiry: '2025-01-20' });
    expect(result.cappedBy).toBe('none');
  });

  it('CIRC-3: an expiry earlier than a fixed due date wins over it', () => {
    const result = due({
      now: berlin('2025-01-06T10:00'),
      terms: { ...FOURTEEN_DAYS, fixedDueDate: '2025-01-15' },
      accountExpiry: '2025-01-09',
    });
    expect(result.cappedBy).toBe('account_expiry');
    expect(result.dueAt).toEqual(new Date('2025-01-09T19:00:00Z'));
  });

  it('CIRC-3: a fixed due date earlier than the expiry wins over it', () => {
    const result = due({
      now: berlin('2025-01-06T10:00'),
      terms: { ...FOURTEEN_DAYS, fixedDueDate: '2025-01-09' },
      accountExpiry: '2025-01-15',
    });
    expect(result.cappedBy).toBe('fixed_due_date');
    expect(result.dueAt).toEqual(new Date('2025-01-09T19:00:00Z'));
  });

  it('CIRC-3: the expiry caps a fixed due date used alone', () => {
    const result = due({
      now: berlin('2025-01-06T10:00'),
      terms: { loanPeriodUnit: 'days', loanPeriod: null, fixedDueDate: '2025-03-14' },
      accountExpiry: '2025-02-28',
    });
    expect(result).toMatchObject({ dueAt: new Date('2025-02-28T19:00:00Z'), cappedBy: 'account_expiry' });
  });

  it('CIRC-3: an account already expired (today or before) sets no cap: only an override of PATRON_EXPIRED lends then', () => {
    for (const accountExpiry of ['2025-01-06', '2024-12-31']) {
      const result = due({ now: berlin('2025-01-06T10:00'), accountExpiry });
      expect(result).toMatchObject({ dueAt: new Date('2025-01-20T19:00:00Z'), cappedBy: 'none' });
    }
  });
});

describe('computeDueDate, hourly loans (CIRC-3)', () => {
  it('CIRC-3: an hourly loan is due hours after now when the library is open then', () => {
    expect(due({ now: berlin('2025-01-06T10:00'), terms: FOUR_HOURS })).toEqual({
      ok: true,
      dueAt: berlin('2025-01-06T14:00'),
      cappedBy: 'none',
      movedFromClosedDay: false,
    });
  });

  it('CIRC-3: an hourly loan due exactly at closing time stays', () => {
    expect(due({ now: berlin('2025-01-06T16:00'), terms: FOUR_HOURS }).dueAt).toEqual(
      berlin('2025-01-06T20:00'),
    );
  });

  it('CIRC-3: an hourly loan that would fall after closing is due at closing time that day', () => {
    const result = due({ now: berlin('2025-01-06T18:00'), terms: FOUR_HOURS });
    expect(result.dueAt).toEqual(berlin('2025-01-06T20:00'));
    expect(result.movedFromClosedDay).toBe(true);
  });

  it('CIRC-3: an hourly loan that would fall before opening next morning is due at closing time the evening before', () => {
    const result = due({ now: berlin('2025-01-06T19:00'), terms: { ...FOUR_HOURS, loanPeriod: 12 } });
    expect(result.dueAt).toEqual(berlin('2025-01-06T20:00'));
    expect(result.movedFromClosedDay).toBe(true);
  });

  it('CIRC-3: an hourly loan that would fall on a closed day is due at the last closing time before it', () => {
    const result = due({ now: berlin('2025-01-11T12:00'), terms: { ...FOUR_HOURS, loanPeriod: 24 } }); // Sat -> Sun
    expect(result.dueAt).toEqual(berlin('2025-01-11T14:00'));
    expect(result.movedFromClosedDay).toBe(true);
  });

  it('CIRC-3: an hourly loan made after closing is due at the next closing time', () => {
    const result = due({ now: berlin('2025-01-06T21:00'), terms: { ...FOUR_HOURS, loanPeriod: 1 } });
    expect(result.dueAt).toEqual(berlin('2025-01-07T20:00'));
    expect(result.movedFromClosedDay).toBe(true);
  });

  it('CIRC-3: an hourly loan made on a closed day is due at the next open day closing time', () => {
    const result = due({ now: berlin('2025-01-12T12:00'), terms: { ...FOUR_HOURS, loanPeriod: 2 } });
    expect(result.dueAt).toEqual(berlin('2025-01-13T20:00'));
  });

  it('CIRC-3: an hourly loan of several days lands within opening hours', () => {
    expect(due({ now: berlin('2025-01-06T10:00'), terms: { ...FOUR_HOURS, loanPeriod: 48 } }).dueAt).toEqual(
      berlin('2025-01-08T10:00'),
    );
  });

  it('CIRC-3: hours are elapsed time, across a change to summer time', () => {
    const result = due({
      now: berlin('2025-03-29T12:00'),
      terms: { ...FOUR_HOURS, loanPeriod: 24 },
      calendar: UNCONFIGURED_LIBRARY,
    });
    expect(result.dueAt).toEqual(new Date('2025-03-30T11:00:00Z')); // 13:00 summer time
  });

  it('CIRC-3: hourly loans in a library without hours are due at 23:59:59 when they run into a closed day', () => {
    const result = due({
      now: berlin('2025-01-11T20:00'),
      terms: { ...FOUR_HOURS, loanPeriod: 6 },
      calendar: UNCONFIGURED_LIBRARY,
    });
    expect(result.dueAt).toEqual(berlin('2025-01-11T23:59:59'));
  });

  it('CIRC-3: a library that never opens leaves an hourly loan at now + hours', () => {
    const now = berlin('2025-01-06T10:00');
    const result = due({ now, terms: FOUR_HOURS, calendar: alwaysClosed('2024-01-01', 1200) });
    expect(result.dueAt).toEqual(berlin('2025-01-06T14:00'));
    expect(result.movedFromClosedDay).toBe(false);
  });

  it('CIRC-2: a fixed due date caps an hourly loan at its closing time', () => {
    const result = due({
      now: berlin('2025-01-06T10:00'),
      terms: { ...FOUR_HOURS, loanPeriod: 48, fixedDueDate: '2025-01-06' },
    });
    expect(result).toMatchObject({ dueAt: berlin('2025-01-06T20:00'), cappedBy: 'fixed_due_date' });
  });

  it('CIRC-3: the account expiry caps an hourly loan', () => {
    const result = due({
      now: berlin('2025-01-06T10:00'),
      terms: { ...FOUR_HOURS, loanPeriod: 72 },
      accountExpiry: '2025-01-07',
    });
    expect(result).toMatchObject({ dueAt: berlin('2025-01-07T20:00'), cappedBy: 'account_expiry' });
  });
});
