import { describe, expect, it } from 'vitest';
import { decideRenewal, type RenewalInput, type RenewalTerms } from './renewal.ts';
import { berlin, SCIENCE_LIBRARY } from './test-calendars.ts';

const TERMS: RenewalTerms = {
  renewalsAllowed: 2,
  renewalPeriod: 14,
  loanPeriod: 14,
  loanPeriodUnit: 'days',
  fixedDueDate: null,
};

/** A loan made on Monday 6 January, due Monday 20 January at closing time (20:00 in Berlin). */
const DUE = new Date('2025-01-20T19:00:00Z');

function input(overrides: Partial<RenewalInput> = {}): RenewalInput {
  return {
    now: berlin('2025-01-20T10:00'),
    currentDueAt: DUE,
    renewalsUsed: 0,
    terms: TERMS,
    calendar: SCIENCE_LIBRARY,
    accountExpiry: null,
    patronBlocked: false,
    requestedBySomeoneElse: false,
    ...overrides,
  };
}

function codes(decision: ReturnType<typeof decideRenewal>): string[] {
  return decision.ok ? [] : decision.refusals.map((r) => r.code);
}

describe('decideRenewal: the new due date (CIRC-5)', () => {
  it('CIRC-5: renewing on the due day gives now + the renewal period, at closing time', () => {
    expect(decideRenewal(input())).toEqual({
      ok: true,
      dueAt: new Date('2025-02-03T19:00:00Z'),
      cappedBy: 'none',
      movedFromClosedDay: false,
    });
  });

  it('CIRC-5: an overdue loan renews from now, and a closed day moves the new due date (CIRC-3)', () => {
    const decision = decideRenewal(input({ now: berlin('2025-01-26T11:00') })); // in discovery on a Sunday; + 14 = Sunday
    expect(decision).toMatchObject({
      ok: true,
      dueAt: new Date('2025-02-10T19:00:00Z'),
      movedFromClosedDay: true,
    });
  });

  it('CIRC-5: the new due date is the later of the current one and now + the period: renewing at once gives nothing', () => {
    const decision = decideRenewal(input({ now: berlin('2025-01-06T10:05') }));
    expect(decision).toEqual({
      ok: false,
      refusals: [expect.objectContaining({ code: 'NO_LATER_DUE_DATE', overridable: false })],
      dueDateIfOverridden: null,
    });
  });

  it('CIRC-5: renewing early moves the due date only as far as now + the period', () => {
    const decision = decideRenewal(input({ now: berlin('2025-01-08T10:00') }));
    expect(decision).toMatchObject({ ok: true, dueAt: new Date('2025-01-22T19:00:00Z') });
  });

  it('CIRC-5: without a renewal period the loan period is used', () => {
    const decision = decideRenewal(input({ terms: { ...TERMS, renewalPeriod: null, loanPeriod: 21 } }));
    expect(decision).toMatchObject({ ok: true, dueAt: new Date('2025-02-10T19:00:00Z') });
  });

  it('CIRC-5: terms with only a fixed due date renew up to the fixed due date', () => {
    const terms = { ...TERMS, renewalPeriod: null, loanPeriod: null, fixedDueDate: '2025-03-14' };
    expect(decideRenewal(input({ terms }))).toMatchObject({
      ok: true,
      dueAt: new Date('2025-03-14T19:00:00Z'),
      cappedBy: 'none',
    });
  });

  it('CIRC-5: terms with neither a period nor a fixed due date give no later due date', () => {
    const terms = { ...TERMS, renewalPeriod: null, loanPeriod: null };
    expect(codes(decideRenewal(input({ terms })))).toEqual(['NO_LATER_DUE_DATE']);
  });

  it('CIRC-5: a fixed due date caps the new due date', () => {
    const decision = decideRenewal(input({ terms: { ...TERMS, fixedDueDate: '2025-01-31' } }));
    expect(decision).toMatchObject({
      ok: true,
      dueAt: new Date('2025-01-31T19:00:00Z'),
      cappedBy: 'fixed_due_date',
    });
  });

  it('CIRC-5: a fixed due date on or before the current due date leaves nothing to renew', () => {
    for (const fixedDueDate of ['2025-01-20', '2025-01-15']) {
      expect(codes(decideRenewal(input({ terms: { ...TERMS, fixedDueDate } })))).toEqual([
        'NO_LATER_DUE_DATE',
      ]);
    }
  });

  it("CIRC-5: the account's expiry caps the new due date at the end of the expiry day", () => {
    const decision = decideRenewal(input({ accountExpiry: '2025-01-28' }));
    expect(decision).toMatchObject({
      ok: true,
      dueAt: new Date('2025-01-28T19:00:00Z'),
      cappedBy: 'account_expiry',
    });
  });

  it('CIRC-5: an expiry before the current due date leaves nothing to renew', () => {
    const decision = decideRenewal(input({ now: berlin('2025-01-15T10:00'), accountExpiry: '2025-01-18' }));
    expect(codes(decision)).toEqual(['NO_LATER_DUE_DATE']);
  });

  it('CIRC-5: an hourly loan renews by hours within opening hours', () => {
    const decision = decideRenewal(
      input({
        now: berlin('2025-01-06T13:00'),
        currentDueAt: berlin('2025-01-06T14:00'),
        terms: { ...TERMS, loanPeriodUnit: 'hours', renewalPeriod: 4 },
      }),
    );
    expect(decision).toMatchObject({
      ok: true,
      dueAt: berlin('2025-01-06T17:00'),
      movedFromClosedDay: false,
    });
  });

  it('CIRC-5: an hourly loan due at closing time cannot be renewed that evening', () => {
    const decision = decideRenewal(
      input({
        now: berlin('2025-01-06T19:00'),
        currentDueAt: berlin('2025-01-06T20:00'),
        terms: { ...TERMS, loanPeriodUnit: 'hours', renewalPeriod: 4 },
      }),
    );
    expect(codes(decision)).toEqual(['NO_LATER_DUE_DATE']);
  });
});

describe('decideRenewal: refusals (CIRC-5, PAT-7)', () => {
  it('CIRC-5: refused when the renewals allowed are used up (overridable)', () => {
    const decision = decideRenewal(input({ renewalsUsed: 2 }));
    expect(decision).toEqual({
      ok: false,
      refusals: [
        {
          code: 'RENEWALS_EXHAUSTED',
          message: 'The loan has been renewed 2 times, the most the terms of use allow (2).',
          overridable: true,
          privilege: 'circulation.override',
          details: { renewalsUsed: 2, renewalsAllowed: 2 },
        },
      ],
      dueDateIfOverridden: {
        dueAt: new Date('2025-02-03T19:00:00Z'),
        cappedBy: 'none',
        movedFromClosedDay: false,
      },
    });
  });

  it('CIRC-5: one renewal left is still allowed', () => {
    expect(decideRenewal(input({ renewalsUsed: 1 })).ok).toBe(true);
  });

  it('CIRC-5: terms that allow no renewals say so', () => {
    const decision = decideRenewal(input({ terms: { ...TERMS, renewalsAllowed: 0 } }));
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.refusals[0]?.message).toBe('The terms of use allow no renewals of this item.');
  });

  it('CIRC-5 / PAT-7: refused when the patron is blocked (overridable)', () => {
    const decision = decideRenewal(input({ patronBlocked: true }));
    expect(decision).toMatchObject({
      ok: false,
      refusals: [{ code: 'PATRON_BLOCKED', overridable: true, privilege: 'circulation.override' }],
    });
  });

  it('CIRC-5 / CIRC-7: refused when another patron requested the item, and nobody may override it', () => {
    const decision = decideRenewal(input({ requestedBySomeoneElse: true }));
    expect(decision).toMatchObject({
      ok: false,
      refusals: [{ code: 'REQUESTED_BY_ANOTHER_PATRON', overridable: false }],
    });
    if (decision.ok) return;
    expect(decision.refusals[0]?.privilege).toBeUndefined();
  });

  it('CIRC-5 / PAT-1: refused when the account has expired, from the expiry day on (overridable)', () => {
    for (const accountExpiry of ['2025-01-20', '2025-01-01']) {
      const decision = decideRenewal(input({ accountExpiry }));
      expect(decision).toMatchObject({
        ok: false,
        refusals: [{ code: 'ACCOUNT_EXPIRED', overridable: true, details: { expiryDate: accountExpiry } }],
        // An override renews for the normal period: an expired account sets no cap.
        dueDateIfOverridden: { dueAt: new Date('2025-02-03T19:00:00Z'), cappedBy: 'none' },
      });
    }
  });

  it('CIRC-5: every refusal is listed at once, in a stable order', () => {
    const decision = decideRenewal(
      input({
        renewalsUsed: 5,
        patronBlocked: true,
        requestedBySomeoneElse: true,
        accountExpiry: '2025-01-19',
      }),
    );
    expect(codes(decision)).toEqual([
      'RENEWALS_EXHAUSTED',
      'PATRON_BLOCKED',
      'REQUESTED_BY_ANOTHER_PATRON',
      'ACCOUNT_EXPIRED',
    ]);
  });

  it('CIRC-5: no later due date is listed along with the other refusals', () => {
    const decision = decideRenewal(
      input({ patronBlocked: true, terms: { ...TERMS, fixedDueDate: '2025-01-20' } }),
    );
    expect(codes(decision)).toEqual(['PATRON_BLOCKED', 'NO_LATER_DUE_DATE']);
    expect(decision).toMatchObject({ dueDateIfOverridden: null });
  });
});
