import { type Expression, type ExpressionBuilder, expressionBuilder, sql } from 'kysely';
import { compiledOnce } from '../db/compiled.ts';
import { constant, constants } from '../db/constants.ts';
import type { Database } from '../db/schema.ts';

/** The states of a request in a title's queue: waiting, picked, travelling or on the hold shelf. */
export const ACTIVE_STATUSES = ['not_started', 'in_process', 'in_transit', 'on_hold_shelf'] as const;
/** The states in which a request holds its copy. */
export const HOLDING_STATUSES = ['in_process', 'in_transit', 'on_hold_shelf'] as const;

/** The columns of a request that the circulation engine works with (`RequestRow`). */
export const REQUEST_COLUMNS = [
  'id',
  'institution_id',
  'patron_id',
  'bib_id',
  'work_key',
  'volume',
  'item_id',
  'request_type',
  'level',
  'pickup_institution_id',
  'pickup_library_id',
  'status',
  'queue_position',
  'hold_shelf_expires_at',
] as const;

/**
 * CIRC-4 / CIRC-7: a title's active queue for one volume and the active requests aimed at or
 * holding one copy (of any volume: a copy recatalogued to another volume keeps its requests),
 * in queue order, as a subquery. Read it under the title's queue lock: every writer of a
 * title's requests holds that lock, so a statement after the one that took it sees them all,
 * the item lock's own statement included (`lockAtDesk`).
 */
export function queueAndHoldingRequests(v: {
  institutionId: string;
  bibId: string | Expression<string>;
  volume: string | Expression<string>;
  itemId: string | Expression<string>;
}) {
  return expressionBuilder<Database, never>()
    .selectFrom('requests')
    .select(REQUEST_COLUMNS)
    .where('institution_id', '=', v.institutionId)
    .where((eb) =>
      eb.or([
        eb.and([
          eb('bib_id', '=', v.bibId),
          eb('volume', '=', v.volume),
          eb('status', 'in', constants(ACTIVE_STATUSES)),
        ]),
        eb.and([eb('item_id', '=', v.itemId), eb('status', 'in', constants(ACTIVE_STATUSES))]),
      ]),
    )
    .orderBy('queue_position');
}

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

/**
 * The key space of the queue locks: the first half of `pg_advisory_xact_lock(int4, int4)`'s key
 * (the project's other advisory locks, the migrations', the demo seed's and a catalogue
 * import's, take one `bigint`, a separate space).
 */
export const QUEUE_LOCK_SPACE = 7210010;

/**
 * The queue lock of the title whose `bib_records` row the statement reads: a transaction-scoped
 * advisory lock keyed by the record's institution and id (decision 77). A row lock (`FOR
 * UPDATE`) serialised the same way but wrote the locker into the row: a WAL record and, after
 * each checkpoint, the record's whole page, for every lend, return, scan in and request (a
 * quarter of the steady load's WAL, docs/benchmarks.md). Two titles whose keys collide only wait
 * for each other. It sits in the select list so that it is taken for the matching row alone (a
 * filter's place among the others is the planner's). The row comes from the statement's
 * snapshot, taken before any wait for the lock: its columns are the catalogue's, whose edits
 * take no queue lock and touch no request, so a read just before an edit commits ends as if the
 * operation had run before the edit; what the lock guards (the queue's requests) is read by the
 * statements after it.
 */
const takeQueueLock =
  sql<string>`pg_advisory_xact_lock(${sql.lit(QUEUE_LOCK_SPACE)}, hashtext(bib_records.institution_id::text || bib_records.id::text))`.as(
    'queue_locked',
  );

/**
 * The first lock of the fixed order: the title's request queue (`takeQueueLock`), with the
 * title's record. Here, beside the queue's conditions, for `lockQueue`.
 */
export const lockQueueStatement = compiledOnce((trx, v: { institutionId: string; bibId: string }) =>
  trx
    .selectFrom('bib_records')
    .select(['id', 'institution_id', 'title', 'author', 'work_key', 'withdrawn_at'])
    .where('institution_id', '=', v.institutionId)
    .where('id', '=', v.bibId)
    .select(takeQueueLock),
);

/**
 * The same lock, of the title of the copy with this barcode as this statement sees it (none
 * when there is no such copy): a desk operation takes it without looking the copy up first,
 * and checks against the item lock after it that the copy is still of this title.
 */
export const lockQueueOfBarcodeStatement = compiledOnce(
  (trx, v: { institutionId: string; barcode: string }) =>
    trx
      .selectFrom('bib_records')
      .select(['id', 'institution_id', 'title', 'work_key', 'withdrawn_at'])
      .where('institution_id', '=', v.institutionId)
      .where('id', '=', (eb) =>
        eb
          .selectFrom('items')
          .select('bib_id')
          .where('institution_id', '=', v.institutionId)
          .where('barcode', '=', v.barcode),
      )
      .select(takeQueueLock),
);
