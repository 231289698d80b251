import type { ExpressionBuilder } from 'kysely';
import { constant, constants } from '../db/constants.ts';
import type { Database } from '../db/schema.ts';

/** Any query with the requests table in scope as `r`. */
type WithRequests = Database & { r: Database['requests'] };

/**
 * CIRC-8: a closed request (expired or cancelled) that left its copy on the hold shelf, until
 * the copy is scanned or lent (`shelf_cleared_at`). The one statement of it for every place
 * that asks: the item lock's flag, clearing the shelf, and whether a copy is free to target.
 */
export function leftOnExpiredHoldShelf(eb: ExpressionBuilder<WithRequests, 'r'>) {
  return eb.and([
    eb('r.status', 'in', constants(['expired', 'cancelled'])),
    eb('r.hold_shelf_expires_at', 'is not', null),
    eb('r.shelf_cleared_at', 'is', null),
  ]);
}

/**
 * CIRC-7: a request that keeps its copy from being targeted by another: a waiting request
 * already targeted at it, or a closed one that left it on an expired hold shelf (CIRC-8).
 */
export function claimsItsCopy(eb: ExpressionBuilder<WithRequests, 'r'>) {
  return eb.or([eb('r.status', '=', constant('not_started')), leftOnExpiredHoldShelf(eb)]);
}
