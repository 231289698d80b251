import { describe, expect, it } from 'vitest';
import { linkedAccountRules, loanLimits, termsOfUse, termsOfUseRules } from './resources.ts';

describe('terms of use (CIRC-2)', () => {
  it('needs a loan period or a fixed due date when loanable', () => {
    expect(termsOfUse.check?.({ loanable: true })).toEqual([
      { field: 'loanPeriod', message: expect.any(String) },
    ]);
    expect(termsOfUse.check?.({ loanable: true, loanPeriod: 14 })).toEqual([]);
    expect(termsOfUse.check?.({ loanable: true, fixedDueDate: '2027-06-30' })).toEqual([]);
    expect(termsOfUse.check?.({ loanable: false })).toEqual([]);
  });

  it('needs a renewal period when renewals are allowed', () => {
    expect(termsOfUse.check?.({ loanPeriod: 14, renewalsAllowed: 2 })).toEqual([
      { field: 'renewalPeriod', message: expect.any(String) },
    ]);
    expect(termsOfUse.check?.({ loanPeriod: 14, renewalsAllowed: 2, renewalPeriod: 14 })).toEqual([]);
  });
});

describe('terms-of-use rules (CIRC-2)', () => {
  it('keeps the fallback free of criteria and refuses to delete it', () => {
    expect(termsOfUseRules.check?.({ isFallback: true, userGroupId: 'g' })).toHaveLength(1);
    expect(termsOfUseRules.check?.({ isFallback: true })).toEqual([]);
    expect(termsOfUseRules.refuseDelete?.({ isFallback: true })).toEqual(expect.any(String));
    expect(termsOfUseRules.refuseDelete?.({ isFallback: false })).toBeNull();
  });
});

describe('loan limits (CIRC-2)', () => {
  it('counts all loans for a network-wide limit', () => {
    expect(loanLimits.check?.({ scope: 'network', materialTypeId: 'dvd' })).toHaveLength(1);
    expect(loanLimits.check?.({ scope: 'institution', materialTypeId: 'dvd' })).toEqual([]);
  });
});

describe('linked-account rules (PAT-4)', () => {
  const fields = (r: Record<string, unknown>) => (linkedAccountRules.check?.(r) ?? []).map((p) => p.field);

  it('asks for the date or the days its expiry mode needs', () => {
    expect(fields({ isDefault: true, expiryMode: 'fixed' })).toEqual(['expiryFixedDate']);
    expect(fields({ isDefault: true, expiryMode: 'relative' })).toEqual(['expiryRelativeDays']);
    expect(fields({ isDefault: true, expiryMode: 'same_as_home' })).toEqual([]);
  });

  it('names a source institution, other than its own, unless it is the default rule', () => {
    expect(fields({ expiryMode: 'same_as_home' })).toEqual(['sourceInstitutionId']);
    expect(fields({ expiryMode: 'same_as_home', sourceInstitutionId: 'a', institutionId: 'a' })).toEqual([
      'sourceInstitutionId',
    ]);
    expect(fields({ expiryMode: 'same_as_home', sourceInstitutionId: 'a', institutionId: 'b' })).toEqual([]);
    expect(fields({ expiryMode: 'same_as_home', isDefault: true, sourceInstitutionId: 'a' })).toEqual([
      'isDefault',
    ]);
  });
});
