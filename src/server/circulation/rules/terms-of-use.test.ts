import { describe, expect, it } from 'vitest';
import { selectTermsOfUse, type TermsOfUseRule } from './terms-of-use.ts';

const STUDENT = 'ug-student';
const STAFF = 'ug-staff';
const NORMAL = 'ip-normal';
const REFERENCE = 'ip-reference';
const BOOK = 'mt-book';
const DVD = 'mt-dvd';
const STACKS = 'loc-stacks';
const RESERVE = 'loc-reserve';

function rule(id: string, fields: Partial<TermsOfUseRule>): TermsOfUseRule {
  return {
    id,
    priority: 100,
    userGroupId: null,
    itemPolicyId: null,
    materialTypeId: null,
    locationId: null,
    termsOfUseId: `tou-${id}`,
    isFallback: false,
    ...fields,
  };
}

const FALLBACK = rule('fallback', { priority: 1000, isFallback: true });
const studentBook = { userGroupId: STUDENT, itemPolicyId: NORMAL, materialTypeId: BOOK, locationId: STACKS };

describe('selectTermsOfUse (CIRC-2)', () => {
  it('CIRC-2: a rule matching every criterion is selected', () => {
    const rules = [
      rule('exact', { userGroupId: STUDENT, itemPolicyId: NORMAL, materialTypeId: BOOK, locationId: STACKS }),
      FALLBACK,
    ];
    expect(selectTermsOfUse(rules, studentBook)).toEqual({
      ok: true,
      termsOfUseId: 'tou-exact',
      ruleId: 'exact',
      fallback: false,
    });
  });

  it('CIRC-2: a null criterion matches anything', () => {
    const rules = [rule('any-student', { userGroupId: STUDENT }), FALLBACK];
    expect(selectTermsOfUse(rules, studentBook)).toMatchObject({ ok: true, ruleId: 'any-student' });
    expect(
      selectTermsOfUse(rules, { ...studentBook, materialTypeId: DVD, locationId: RESERVE }),
    ).toMatchObject({
      ruleId: 'any-student',
    });
  });

  it('CIRC-2: a rule with a criterion that differs does not match', () => {
    for (const mismatch of [
      { userGroupId: STAFF },
      { itemPolicyId: REFERENCE },
      { materialTypeId: DVD },
      { locationId: RESERVE },
    ]) {
      const rules = [rule('other', mismatch), FALLBACK];
      expect(selectTermsOfUse(rules, studentBook)).toMatchObject({ ruleId: 'fallback', fallback: true });
    }
  });

  it('CIRC-2: of several matching rules the lowest priority number wins, however specific the others', () => {
    const rules = [
      rule('specific', {
        priority: 20,
        userGroupId: STUDENT,
        itemPolicyId: NORMAL,
        materialTypeId: BOOK,
        locationId: STACKS,
      }),
      rule('broad', { priority: 10, materialTypeId: BOOK }),
      FALLBACK,
    ];
    expect(selectTermsOfUse(rules, studentBook)).toMatchObject({ ruleId: 'broad' });
  });

  it('CIRC-2: on equal priority the more specific rule wins', () => {
    const rules = [
      rule('a-broad', { priority: 10, materialTypeId: BOOK }),
      rule('z-specific', { priority: 10, materialTypeId: BOOK, userGroupId: STUDENT }),
      FALLBACK,
    ];
    expect(selectTermsOfUse(rules, studentBook)).toMatchObject({ ruleId: 'z-specific' });
  });

  it('CIRC-2: on equal priority and specificity the rule with the smaller id wins, whatever the input order', () => {
    const a = rule('a', { priority: 10, materialTypeId: BOOK });
    const b = rule('b', { priority: 10, userGroupId: STUDENT });
    expect(selectTermsOfUse([b, a, FALLBACK], studentBook)).toMatchObject({ ruleId: 'a' });
    expect(selectTermsOfUse([a, b, FALLBACK], studentBook)).toMatchObject({ ruleId: 'a' });
  });

  it('CIRC-2: a rule with no criteria that is not the fallback matches everything', () => {
    const rules = [rule('catch-all', { priority: 500 }), FALLBACK];
    expect(selectTermsOfUse(rules, studentBook)).toMatchObject({ ruleId: 'catch-all', fallback: false });
  });

  it('CIRC-2: the fallback is used only when no other rule matches, whatever its priority', () => {
    const earlyFallback = rule('fallback', { priority: 1, isFallback: true });
    const rules = [rule('books', { priority: 50, materialTypeId: BOOK }), earlyFallback];
    expect(selectTermsOfUse(rules, studentBook)).toMatchObject({ ruleId: 'books' });
    expect(selectTermsOfUse(rules, { ...studentBook, materialTypeId: DVD })).toEqual({
      ok: true,
      termsOfUseId: 'tou-fallback',
      ruleId: 'fallback',
      fallback: true,
    });
  });

  it('CIRC-2: without a matching rule or a fallback the selection is refused with NO_TERMS_OF_USE', () => {
    const result = selectTermsOfUse([rule('dvd', { materialTypeId: DVD })], studentBook);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusal).toMatchObject({ code: 'NO_TERMS_OF_USE', overridable: false });
    expect(result.refusal.message).toMatch(/fallback/);
    expect(selectTermsOfUse([], studentBook)).toMatchObject({
      ok: false,
      refusal: { code: 'NO_TERMS_OF_USE' },
    });
  });

  it('does not reorder or change the rules it is given', () => {
    const rules = [rule('b', { priority: 20 }), rule('a', { priority: 10 }), FALLBACK];
    const copy = structuredClone(rules);
    selectTermsOfUse(rules, studentBook);
    expect(rules).toEqual(copy);
  });
});
