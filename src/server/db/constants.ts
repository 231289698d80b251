import { type RawBuilder, sql } from 'kysely';

/**
 * A constant written into the statement's text instead of sent as a parameter (decision 65).
 *
 * Statements are prepared (decision 64), and PostgreSQL then plans them once for any values (a
 * generic plan) when that plan is no worse than planning each call. A partial index such as
 * `loans_patron_open ... WHERE status <> 'returned'` is only usable by a plan that knows the
 * status, so with the status as a parameter every call was planned afresh: 1-2 ms of planning
 * for a patron's loan list that runs in 3. With the status in the text, the generic plan uses
 * the index and planning is skipped. Only for fixed values of the code, never for input.
 */
export function constant<const T extends string>(value: T): RawBuilder<T> {
  return sql.lit(value) as RawBuilder<T>;
}

/** `constant` for each of a fixed list of values (for `in`). */
export function constants<const T extends string>(values: readonly T[]): RawBuilder<T>[] {
  return values.map((v) => constant(v));
}
