/**
 * A refusal by a circulation rule, as data (architecture.md, Boundaries): the use case collects
 * them, checks the overrides, and answers 422 with all of them at once (CIRC-4).
 */
export interface Refusal<Code extends string = string> {
  /** Stable code, e.g. `ITEM_ALREADY_ON_LOAN`. */
  code: Code;
  /** Plain English for the desk. */
  message: string;
  /** Whether staff holding `privilege` may lend (or renew) anyway; each override is recorded. */
  overridable: boolean;
  /** The privilege that may override; present exactly when `overridable`. */
  privilege?: 'circulation.override';
  /** Facts behind the refusal (the blocks, the limit reached...), for the UI and the history. */
  details?: Record<string, unknown>;
}

/** A refusal nobody may override. */
export function refusal<Code extends string>(
  code: Code,
  message: string,
  details?: Record<string, unknown>,
): Refusal<Code> {
  return details ? { code, message, overridable: false, details } : { code, message, overridable: false };
}

/** A refusal that staff with `circulation.override` may override (CIRC-4). */
export function overridableRefusal<Code extends string>(
  code: Code,
  message: string,
  details?: Record<string, unknown>,
): Refusal<Code> {
  const base = { code, message, overridable: true, privilege: 'circulation.override' as const };
  return details ? { ...base, details } : base;
}
