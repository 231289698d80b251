import { type Refusal, refusal } from './refusal.ts';

/** One row of `terms_of_use_rules` (CIRC-2). A null criterion matches anything. */
export interface TermsOfUseRule {
  id: string;
  priority: number;
  userGroupId: string | null;
  itemPolicyId: string | null;
  materialTypeId: string | null;
  locationId: string | null;
  termsOfUseId: string;
  isFallback: boolean;
}

/** What the rules are matched on: the patron's user group and the item's policy, material type and location. */
export interface TermsOfUseCriteria {
  userGroupId: string;
  itemPolicyId: string;
  materialTypeId: string;
  locationId: string;
}

export type TermsOfUseSelection =
  | { ok: true; termsOfUseId: string; ruleId: string; fallback: boolean }
  | { ok: false; refusal: Refusal<'NO_TERMS_OF_USE'> };

const CRITERIA = ['userGroupId', 'itemPolicyId', 'materialTypeId', 'locationId'] as const;

function matches(rule: TermsOfUseRule, criteria: TermsOfUseCriteria): boolean {
  return CRITERIA.every((c) => rule[c] === null || rule[c] === criteria[c]);
}

function specificity(rule: TermsOfUseRule): number {
  return CRITERIA.filter((c) => rule[c] !== null).length;
}

/** Lowest priority number first; then the more specific rule; then id order, so the choice is stable. */
function compareRules(a: TermsOfUseRule, b: TermsOfUseRule): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const bySpecificity = specificity(b) - specificity(a);
  if (bySpecificity !== 0) return bySpecificity;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * CIRC-2: the terms of use for a patron and an item. The matching non-fallback rule with the
 * lowest priority number wins (ties: the more specific rule, i.e. more criteria set, then id
 * order); when none matches, the institution's fallback rule; when there is no fallback
 * either (the configuration requires one), a refusal `NO_TERMS_OF_USE`.
 */
export function selectTermsOfUse(
  rules: readonly TermsOfUseRule[],
  criteria: TermsOfUseCriteria,
): TermsOfUseSelection {
  const best = rules.filter((r) => !r.isFallback && matches(r, criteria)).sort(compareRules)[0];
  if (best) return { ok: true, termsOfUseId: best.termsOfUseId, ruleId: best.id, fallback: false };
  const fallback = rules.filter((r) => r.isFallback).sort(compareRules)[0];
  if (fallback) return { ok: true, termsOfUseId: fallback.termsOfUseId, ruleId: fallback.id, fallback: true };
  return {
    ok: false,
    refusal: refusal(
      'NO_TERMS_OF_USE',
      'No terms of use apply to this patron and item, and the institution has no fallback rule. An administrator must add one.',
    ),
  };
}
