import { describe, expect, it } from 'vitest';
import {
  applicableLimits,
  collectLoanRefusals,
  LOAN_GUARDS,
  type LoanCheckInput,
  type LoanLimitCount,
  refuseWhenItemIsAlreadyOnLoan,
  refuseWhenItemIsUnknown,
  refuseWhenLoanLimitIsReached,
  refuseWhenPatronIsBlocked,
} from './loan-refusals.ts';

const PATRON = 'patron-ada';
const OTHER = 'patron-bob';
const STUDENT = 'ug-student';
const STAFF = 'ug-staff';
const BOOK = 'mt-book';
const DVD = 'mt-dvd';

type Overrides = {
  [K in keyof LoanCheckInput]?: LoanCheckInput[K] extends object
    ? Partial<LoanCheckInput[K]>
    : LoanCheckInput[K];
};

/** An on-shelf book and an active student in good standing: nothing to refuse. */
function input(overrides: Overrides = {}): LoanCheckInput {
  const { item, patron, ...rest } = overrides;
  return {
    today: '2025-01-06',
    terms: { loanable: true },
    requestedByAnotherPatron: false,
    limits: [],
    ...(rest as Partial<LoanCheckInput>),
    item: {
      exists: true,
      withdrawn: false,
      inPlace: true,
      processType: null,
      heldForPatronId: null,
      materialTypeId: BOOK,
      ...item,
    },
    patron: {
      id: PATRON,
      userGroupId: STUDENT,
      expiryDate: '2025-12-31',
      status: 'active',
      blocks: [],
      ...patron,
    },
  };
}

function codes(i: LoanCheckInput): string[] {
  return collectLoanRefusals(i).map((r) => r.code);
}

function only(i: LoanCheckInput) {
  const refusals = collectLoanRefusals(i);
  expect(refusals).toHaveLength(1);
  return refusals[0];
}

function limit(fields: Partial<LoanLimitCount>): LoanLimitCount {
  return {
    id: 'limit',
    scope: 'institution',
    userGroupId: null,
    materialTypeId: null,
    maxLoans: 10,
    currentLoans: 0,
    ...fields,
  };
}

describe('collectLoanRefusals (CIRC-4)', () => {
  it('CIRC-4: an on-shelf loanable item and a patron in good standing are not refused', () => {
    expect(collectLoanRefusals(input())).toEqual([]);
  });

  it('CIRC-4: an unknown item is refused, and only the patron rules are checked beside it', () => {
    const refusals = collectLoanRefusals(
      input({
        item: { exists: false, withdrawn: true, inPlace: false, processType: 'loan', materialTypeId: null },
        terms: null,
        requestedByAnotherPatron: true,
        patron: { blocks: [{ type: 'FINES', reason: '' }] },
        limits: [limit({ maxLoans: 0 })],
      }),
    );
    expect(refusals.map((r) => r.code)).toEqual(['ITEM_UNKNOWN', 'PATRON_BLOCKED']);
    expect(refusals[0]).toEqual({
      code: 'ITEM_UNKNOWN',
      message: 'No item with this barcode is known here.',
      overridable: false,
    });
  });

  it('CIRC-4: a withdrawn item is refused, and nobody may override it', () => {
    expect(only(input({ item: { withdrawn: true } }))).toMatchObject({
      code: 'ITEM_WITHDRAWN',
      overridable: false,
    });
  });

  it('CIRC-4 / INV-1: an item already on loan is refused, and nobody may override it', () => {
    const refusal = only(input({ item: { inPlace: false, processType: 'loan' } }));
    expect(refusal).toEqual({
      code: 'ITEM_ALREADY_ON_LOAN',
      message: 'The item is already on loan. Return it first.',
      overridable: false,
    });
  });

  it('CIRC-4: an item on the hold shelf or in transit for another patron is refused, and nobody may override it', () => {
    for (const [processType, words] of [
      ['hold_shelf', 'waiting on the hold shelf'],
      ['transit', 'in transit'],
      ['requested', 'picked from the shelf'],
    ] as const) {
      const refusal = only(input({ item: { inPlace: false, processType, heldForPatronId: OTHER } }));
      expect(refusal).toMatchObject({
        code: 'ITEM_HELD_FOR_ANOTHER_PATRON',
        overridable: false,
        details: { processType },
      });
      expect(refusal?.message).toBe(`The item is ${words} for another patron's request.`);
    }
  });

  it('CIRC-4 / FN-5: an item held for this patron is lent to them without refusal (it completes the request)', () => {
    for (const processType of ['hold_shelf', 'transit', 'requested'] as const) {
      expect(
        collectLoanRefusals(input({ item: { inPlace: false, processType, heldForPatronId: PATRON } })),
      ).toEqual([]);
    }
  });

  it('CIRC-1: a missing item in hand is refused, but overridable (it has been found)', () => {
    expect(only(input({ item: { inPlace: false, processType: 'missing' } }))).toEqual({
      code: 'ITEM_NOT_IN_PLACE',
      message: 'The item is marked missing.',
      overridable: true,
      privilege: 'circulation.override',
      details: { processType: 'missing' },
    });
  });

  it('CIRC-1: a lost, claimed-returned or technical item is refused, and nobody may override it', () => {
    for (const processType of ['lost', 'claimed_returned', 'technical'] as const) {
      expect(only(input({ item: { inPlace: false, processType } }))).toMatchObject({
        code: 'ITEM_NOT_IN_PLACE',
        overridable: false,
        details: { processType },
      });
    }
  });

  it('CIRC-9: an item in transit home (for no request) is refused until it is scanned in', () => {
    const refusal = only(input({ item: { inPlace: false, processType: 'transit', heldForPatronId: null } }));
    expect(refusal).toMatchObject({ code: 'ITEM_NOT_IN_PLACE', overridable: false });
    expect(refusal?.message).toMatch(/scan it in first/);
  });

  it('CIRC-1: an item on the hold shelf that no request holds is not in place', () => {
    expect(
      only(input({ item: { inPlace: false, processType: 'hold_shelf', heldForPatronId: null } })),
    ).toMatchObject({
      code: 'ITEM_NOT_IN_PLACE',
      overridable: false,
    });
  });

  it("CIRC-4: an on-shelf item targeted by another patron's open request is refused but overridable", () => {
    expect(only(input({ requestedByAnotherPatron: true }))).toMatchObject({
      code: 'ITEM_REQUESTED_BY_ANOTHER_PATRON',
      overridable: true,
      privilege: 'circulation.override',
    });
  });

  it('CIRC-4: the request-targets-the-item rule is about on-shelf items only', () => {
    const held = input({
      item: { inPlace: false, processType: 'hold_shelf', heldForPatronId: OTHER },
      requestedByAnotherPatron: true,
    });
    expect(codes(held)).toEqual(['ITEM_HELD_FOR_ANOTHER_PATRON']);
  });

  it('CIRC-2 / CIRC-4: an item the terms of use do not allow to lend is refused but overridable', () => {
    expect(only(input({ terms: { loanable: false } }))).toMatchObject({
      code: 'NOT_LOANABLE',
      overridable: true,
      privilege: 'circulation.override',
    });
  });

  it('CIRC-4 / PAT-1: an expired patron is refused from the expiry day on, overridably', () => {
    for (const expiryDate of ['2025-01-06', '2024-06-30']) {
      expect(only(input({ patron: { expiryDate } }))).toEqual({
        code: 'PATRON_EXPIRED',
        message: `The patron's account expired on ${expiryDate}.`,
        overridable: true,
        privilege: 'circulation.override',
        details: { expiryDate },
      });
    }
  });

  it('CIRC-4 / PAT-1: a patron expiring tomorrow, or never, is not expired', () => {
    expect(codes(input({ patron: { expiryDate: '2025-01-07' } }))).toEqual([]);
    expect(codes(input({ patron: { expiryDate: null } }))).toEqual([]);
  });

  it('CIRC-4 / PAT-7: a blocked patron gets one overridable refusal listing every block', () => {
    const blocks = [
      { type: 'FINES', reason: 'Unpaid fines over 20 EUR' },
      { type: 'HOME_BLOCK', reason: '' },
    ];
    expect(only(input({ patron: { blocks } }))).toEqual({
      code: 'PATRON_BLOCKED',
      message: 'The patron is blocked: FINES (Unpaid fines over 20 EUR); HOME_BLOCK.',
      overridable: true,
      privilege: 'circulation.override',
      details: { blocks },
    });
  });

  it('CIRC-4: an inactive patron record is refused, and nobody may override it', () => {
    expect(only(input({ patron: { status: 'inactive' } }))).toMatchObject({
      code: 'PATRON_INACTIVE',
      overridable: false,
    });
  });

  it('CIRC-4: every reason is listed at once, item first, then patron, then limits', () => {
    const all = input({
      item: { withdrawn: true },
      terms: { loanable: false },
      requestedByAnotherPatron: true,
      patron: { expiryDate: '2025-01-01', blocks: [{ type: 'FINES', reason: '' }], status: 'inactive' },
      limits: [limit({ maxLoans: 3, currentLoans: 3 })],
    });
    expect(codes(all)).toEqual([
      'ITEM_WITHDRAWN',
      'ITEM_REQUESTED_BY_ANOTHER_PATRON',
      'NOT_LOANABLE',
      'PATRON_EXPIRED',
      'PATRON_BLOCKED',
      'PATRON_INACTIVE',
      'LOAN_LIMIT_REACHED',
    ]);
  });

  it('CIRC-4: an overridable refusal names the privilege; one nobody may override names none', () => {
    const refusals = collectLoanRefusals(
      input({ item: { inPlace: false, processType: 'loan' }, terms: { loanable: false } }),
    );
    for (const r of refusals) expect(r.privilege).toBe(r.overridable ? 'circulation.override' : undefined);
  });

  it('CIRC-4: the guards run in their named order and can be used alone', () => {
    expect(LOAN_GUARDS[0]).toBe(refuseWhenItemIsUnknown);
    expect(LOAN_GUARDS.at(-1)).toBe(refuseWhenLoanLimitIsReached);
    expect(refuseWhenItemIsAlreadyOnLoan(input())).toEqual([]);
    expect(
      refuseWhenPatronIsBlocked(input({ patron: { blocks: [{ type: 'X', reason: '' }] } })),
    ).toHaveLength(1);
  });
});

describe('loan limits (CIRC-2, CIRC-4)', () => {
  it('CIRC-2: a limit applies when its user group and material type are null or equal', () => {
    const limits = [
      limit({ id: 'all' }),
      limit({ id: 'students', userGroupId: STUDENT }),
      limit({ id: 'staff', userGroupId: STAFF }),
      limit({ id: 'books', materialTypeId: BOOK }),
      limit({ id: 'dvds', materialTypeId: DVD }),
      limit({ id: 'student-books', userGroupId: STUDENT, materialTypeId: BOOK }),
      limit({ id: 'student-dvds', userGroupId: STUDENT, materialTypeId: DVD }),
      limit({ id: 'network', scope: 'network' }),
      limit({ id: 'network-staff', scope: 'network', userGroupId: STAFF }),
    ];
    expect(applicableLimits(limits, STUDENT, BOOK).map((l) => l.id)).toEqual([
      'all',
      'students',
      'books',
      'student-books',
      'network',
    ]);
    expect(applicableLimits(limits, STAFF, DVD).map((l) => l.id)).toEqual([
      'all',
      'staff',
      'dvds',
      'network',
      'network-staff',
    ]);
  });

  it('CIRC-2: an item of unknown material type meets only limits on every material type', () => {
    expect(
      applicableLimits(
        [limit({ id: 'books', materialTypeId: BOOK }), limit({ id: 'all' })],
        STUDENT,
        null,
      ).map((l) => l.id),
    ).toEqual(['all']);
  });

  it('CIRC-4: one loan below the limit is allowed', () => {
    expect(codes(input({ limits: [limit({ maxLoans: 5, currentLoans: 4 })] }))).toEqual([]);
  });

  it('CIRC-4: at the limit the loan is refused, overridably, naming the limit', () => {
    const refusal = only(
      input({
        limits: [
          limit({
            id: 'student-books',
            userGroupId: STUDENT,
            materialTypeId: BOOK,
            maxLoans: 5,
            currentLoans: 5,
          }),
        ],
      }),
    );
    expect(refusal).toEqual({
      code: 'LOAN_LIMIT_REACHED',
      message: 'The patron has 5 loans of this material type, the most allowed (5).',
      overridable: true,
      privilege: 'circulation.override',
      details: {
        limitId: 'student-books',
        scope: 'institution',
        userGroupId: STUDENT,
        materialTypeId: BOOK,
        maxLoans: 5,
        currentLoans: 5,
      },
    });
  });

  it('CIRC-4: a limit already exceeded, or of zero loans, refuses too', () => {
    expect(codes(input({ limits: [limit({ maxLoans: 2, currentLoans: 3 })] }))).toEqual([
      'LOAN_LIMIT_REACHED',
    ]);
    expect(codes(input({ limits: [limit({ maxLoans: 0, currentLoans: 0 })] }))).toEqual([
      'LOAN_LIMIT_REACHED',
    ]);
  });

  it("CIRC-2: a network-wide limit on the patron's loans across all members refuses with its own words", () => {
    const refusal = only(
      input({ limits: [limit({ id: 'net', scope: 'network', maxLoans: 40, currentLoans: 40 })] }),
    );
    expect(refusal?.message).toBe('The patron has 40 loans across the network, the most allowed (40).');
    expect(refusal?.details).toMatchObject({ limitId: 'net', scope: 'network' });
  });

  it('CIRC-4: every limit reached is its own refusal; limits that do not apply are ignored', () => {
    const limits = [
      limit({ id: 'all', maxLoans: 10, currentLoans: 10 }),
      limit({ id: 'books', materialTypeId: BOOK, maxLoans: 3, currentLoans: 3 }),
      limit({ id: 'dvds', materialTypeId: DVD, maxLoans: 1, currentLoans: 1 }),
      limit({ id: 'staff', userGroupId: STAFF, maxLoans: 1, currentLoans: 1 }),
      limit({ id: 'fine', userGroupId: STUDENT, maxLoans: 20, currentLoans: 10 }),
    ];
    const refusals = collectLoanRefusals(input({ limits }));
    expect(refusals.map((r) => r.details?.limitId)).toEqual(['all', 'books']);
    expect(refusals[0]?.message).toBe('The patron has 10 loans, the most allowed (10).');
  });
});
