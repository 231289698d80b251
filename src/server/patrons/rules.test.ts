import { describe, expect, it } from 'vitest';
import {
  buildSearchText,
  canonicalJson,
  escapeLike,
  expiryDateWhenExpiring,
  isExpired,
  refuseWhenPurgedBeforeExpiry,
  searchQueryWords,
  todayIn,
  withOnePreferred,
} from './rules.ts';

describe('PAT-1 patron search text', () => {
  it('folds names and identifiers, last name first', () => {
    expect(
      buildSearchText({
        lastName: "Brontë-O'Connell",
        firstName: 'Zoë',
        middleName: '',
        preferredName: 'Zo',
        primaryIdentifier: 'N-0001',
        identifiers: [{ value: '2100 0042' }],
      }),
    ).toBe('bronte o connell zoe zo n 0001 2100 0042');
    // Other scripts are kept (folded the same way as queries are).
    expect(buildSearchText({ lastName: '王', firstName: 'Дмитрий', primaryIdentifier: 'X1' })).toBe(
      ['王', ...searchQueryWords('ДМИТРИЙ'), 'x1'].join(' '),
    );
  });

  it('splits a query into distinct folded words and escapes LIKE wildcards', () => {
    expect(searchQueryWords('  ZOË  zoe Lindqvist ')).toEqual(['zoe', 'lindqvist']);
    expect(searchQueryWords('---')).toEqual([]);
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
  });
});

describe('PAT-1 expiry', () => {
  it("takes today's date in the institution's time zone", () => {
    const instant = new Date('2027-01-01T03:30:00Z');
    expect(todayIn('Europe/London', instant)).toBe('2027-01-01');
    expect(todayIn('America/Toronto', instant)).toBe('2026-12-31');
  });

  it('counts a record as expired from its expiry date on', () => {
    expect(isExpired(null, '2027-01-01')).toBe(false);
    expect(isExpired('2027-01-02', '2027-01-01')).toBe(false);
    expect(isExpired('2027-01-01', '2027-01-01')).toBe(true);
    expect(isExpired('2026-12-31', '2027-01-01')).toBe(true);
  });

  it('expires today unless an earlier expiry date already passed', () => {
    expect(expiryDateWhenExpiring('2030-01-01', '2027-01-01')).toBe('2027-01-01');
    expect(expiryDateWhenExpiring(null, '2027-01-01')).toBe('2027-01-01');
    expect(expiryDateWhenExpiring('2026-05-01', '2027-01-01')).toBe('2026-05-01');
  });

  it('refuses a purge date before the expiry date, naming the field that was changed', () => {
    expect(refuseWhenPurgedBeforeExpiry({ expiryDate: '2027-01-01', purgeDate: '2028-01-01' })).toEqual([]);
    expect(refuseWhenPurgedBeforeExpiry({ expiryDate: null, purgeDate: '2020-01-01' })).toEqual([]);
    expect(refuseWhenPurgedBeforeExpiry({ expiryDate: '2027-01-01', purgeDate: '2026-01-01' })).toEqual([
      { field: 'purgeDate', message: 'cannot be before the expiry date 2027-01-01' },
    ]);
    expect(
      refuseWhenPurgedBeforeExpiry({ expiryDate: '2027-01-01', purgeDate: '2026-01-01' }, 'expiryDate')[0]
        ?.field,
    ).toBe('expiryDate');
  });
});

describe('PAT-1 contact lists', () => {
  it('makes exactly one entry preferred: the marked one, else the first', () => {
    type Entry = { a: number; preferred?: boolean };
    expect(withOnePreferred<Entry>([{ a: 1 }, { a: 2 }]).map((e) => e.preferred)).toEqual([true, false]);
    expect(withOnePreferred<Entry>([{ a: 1 }, { a: 2, preferred: true }]).map((e) => e.preferred)).toEqual([
      false,
      true,
    ]);
    expect(withOnePreferred([])).toEqual([]);
  });

  it('compares JSON whatever the key order', () => {
    expect(canonicalJson([{ b: 1, a: 2 }])).toBe(canonicalJson([{ a: 2, b: 1 }]));
  });
});
