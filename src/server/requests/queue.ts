import { type Insertable, type SelectQueryBuilder, sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import {
  activeBlocks,
  type Executor,
  type HistoryEntry,
  historyRow,
  type LockedItem,
  lockItemById,
  lockPatron,
  patronLockStatement,
  presentLockedPatron,
  recordHistory,
  toTermsRule,
  writeLetter,
} from '../circulation/repository.ts';
import type { TermsOfUseRule } from '../circulation/rules/index.ts';
import { compiledOnce, compiledPerShape } from '../db/compiled.ts';
import { constant, constants } from '../db/constants.ts';
import { pipelined } from '../db/pipeline.ts';
import type { Database, LetterType, PickupLocationPolicy, RequestStatus } from '../db/schema.ts';
import { notFound } from '../shared/errors.ts';
import {
  ACTIVE_STATUSES,
  claimsItsCopy,
  HOLDING_STATUSES,
  leftOnExpiredHoldShelf,
  lockQueueStatement,
  queueAndHoldingRequests,
  REQUEST_COLUMNS,
} from './conditions.ts';

/**
 * The request queue of a title (CIRC-7): per (owner, bibliographic record, volume), with the
 * places 1..n held by active requests. Every use case that changes a queue first locks it
 * (`lockQueue`: an advisory lock keyed by the bibliographic record, decision 77), then the
 * item, then the patron (architecture.md, Boundaries), so two copies never fill one request and
 * one patron never gets two places.
 */

/** The statuses of a queue's requests, and those in which a request holds its item (INV-1). */
export { ACTIVE_STATUSES, HOLDING_STATUSES };

export interface QueueTitle {
  id: string;
  institutionId: string;
  title: string;
  author: string;
  workKey: string;
  withdrawn: boolean;
}

export async function lockQueue(trx: Executor, institutionId: string, bibId: string): Promise<QueueTitle> {
  return presentQueueTitle((await lockQueueStatement(trx, { institutionId, bibId })).rows, bibId);
}

/** The title `lockQueueStatement` locked; 404 TITLE_NOT_FOUND when none. */
function presentQueueTitle(
  rows: Awaited<ReturnType<typeof lockQueueStatement>>['rows'],
  bibId: string,
): QueueTitle {
  const [row] = rows;
  if (!row) throw notFound('TITLE_NOT_FOUND', 'No such title in this institution.', { bibId });
  return {
    id: row.id,
    institutionId: row.institution_id,
    title: row.title,
    author: row.author,
    workKey: row.work_key,
    withdrawn: row.withdrawn_at !== null,
  };
}

export interface RequestRow {
  id: string;
  institutionId: string;
  patronId: string;
  bibId: string;
  workKey: string;
  volume: string;
  itemId: string | null;
  requestType: 'hold' | 'page';
  level: 'title' | 'item';
  pickupInstitutionId: string;
  pickupLibraryId: string;
  status: RequestStatus;
  queuePosition: number | null;
  holdShelfExpiresAt: Date | null;
}

function toRequestRow(r: {
  id: string;
  institution_id: string;
  patron_id: string;
  bib_id: string;
  work_key: string;
  volume: string;
  item_id: string | null;
  request_type: 'hold' | 'page';
  level: 'title' | 'item';
  pickup_institution_id: string;
  pickup_library_id: string;
  status: RequestStatus;
  queue_position: number | null;
  hold_shelf_expires_at: Date | null;
}): RequestRow {
  return {
    id: r.id,
    institutionId: r.institution_id,
    patronId: r.patron_id,
    bibId: r.bib_id,
    workKey: r.work_key,
    volume: r.volume,
    itemId: r.item_id,
    requestType: r.request_type,
    level: r.level,
    pickupInstitutionId: r.pickup_institution_id,
    pickupLibraryId: r.pickup_library_id,
    status: r.status,
    queuePosition: r.queue_position,
    holdShelfExpiresAt: r.hold_shelf_expires_at,
  };
}

/** One request by id (locked: its queue is locked first by the caller). */
export async function loadRequest(
  trx: Executor,
  institutionId: string,
  requestId: string,
): Promise<RequestRow> {
  const row = await trx
    .selectFrom('requests')
    .select(REQUEST_COLUMNS)
    .where('institution_id', '=', institutionId)
    .where('id', '=', requestId)
    .executeTakeFirst();
  if (!row) throw notFound('REQUEST_NOT_FOUND', 'No such request in this institution.', { requestId });
  return toRequestRow(row);
}

/** The active requests of a title's queue (all volumes unless one is named), in queue order. */
export async function loadQueue(
  trx: Executor,
  institutionId: string,
  bibId: string,
  volume?: string,
): Promise<RequestRow[]> {
  const { rows } = await selectQueue(trx, volume === undefined ? 'title' : 'volume', {
    institutionId,
    bibId,
    volume: volume ?? null,
  });
  return rows.map(toRequestRow);
}

/**
 * The active queue of a copy's title for its volume, as `loadQueue` reads it, the copy found by
 * id in the statement itself: for a batch written after the copy's lock (a renewal's, decision
 * 72), where the copy's title is not known before the lock. `presentQueue` gives its rows.
 */
export function queueOfItemStatement(trx: Executor, institutionId: string, itemId: string) {
  return selectQueueOfItem.statement(trx, { institutionId, itemId });
}

const selectQueueOfItem = compiledOnce((trx, v: { institutionId: string; itemId: string }) => {
  const ofTheItem = (column: 'bib_id' | 'enumeration') =>
    trx
      .selectFrom('items')
      .select(column)
      .where('institution_id', '=', v.institutionId)
      .where('id', '=', v.itemId);
  return trx
    .selectFrom('requests')
    .select(REQUEST_COLUMNS)
    .where('institution_id', '=', v.institutionId)
    .where('bib_id', '=', ofTheItem('bib_id'))
    .where('volume', '=', ofTheItem('enumeration'))
    .where('status', 'in', constants(ACTIVE_STATUSES))
    .orderBy('queue_position');
});

export function presentQueue(rows: Parameters<typeof toRequestRow>[0][]): RequestRow[] {
  return rows.map(toRequestRow);
}

const selectQueue = compiledPerShape(
  (trx, v: { institutionId: string; bibId: string; volume: string | null }, of: 'title' | 'volume') => {
    const query = trx
      .selectFrom('requests')
      .select(REQUEST_COLUMNS)
      .where('institution_id', '=', v.institutionId)
      .where('bib_id', '=', v.bibId)
      .where('status', 'in', constants(ACTIVE_STATUSES));
    return (of === 'volume' ? query.where('volume', '=', v.volume as string) : query).orderBy(
      'queue_position',
    );
  },
);

/**
 * A title's active queue for one volume (as `loadQueue`) and the request holding the item (as
 * `holdingRequest`), in one statement: a loan reads both under the queue lock.
 */
const selectQueueAndHolding = compiledOnce(
  (trx, v: { institutionId: string; bibId: string; volume: string; itemId: string }) =>
    trx.selectNoFrom(() => jsonArrayFrom(queueAndHoldingRequests(v)).as('requests')),
);

export async function loadQueueAndHolding(
  trx: Executor,
  institutionId: string,
  queue: { bibId: string; volume: string },
  itemId: string,
): Promise<QueueAndHolding> {
  const [row] = (
    await selectQueueAndHolding(trx, { institutionId, bibId: queue.bibId, volume: queue.volume, itemId })
  ).rows;
  return queueAndHoldingOf(row?.requests ?? [], queue, itemId);
}

/**
 * The queue and the holding request among the rows of `queueAndHoldingRequests` read as JSON
 * (in the item lock's statement, or `loadQueueAndHolding`): the hold shelf's expiry comes as text.
 */
export function queueAndHoldingOf(
  json: readonly JsonRequestRow[],
  queue: { bibId: string; volume: string },
  itemId: string,
): QueueAndHolding {
  const rows = json.map((r) =>
    toRequestRow({
      ...r,
      hold_shelf_expires_at: r.hold_shelf_expires_at === null ? null : new Date(r.hold_shelf_expires_at),
    }),
  );
  const holds = (r: RequestRow) =>
    r.itemId === itemId && (HOLDING_STATUSES as readonly RequestStatus[]).includes(r.status);
  return {
    queue: rows.filter((r) => r.bibId === queue.bibId && r.volume === queue.volume),
    holding: rows.find(holds) ?? null,
    // At most one: requests_one_title_target_per_item.
    targeting:
      rows.find((r) => r.itemId === itemId && r.status === 'not_started' && r.level === 'title') ?? null,
  };
}

/**
 * A title's queue for one volume, the request holding a copy, and the waiting title request
 * aimed at that copy (CIRC-7), all read under the title's queue lock.
 */
export interface QueueAndHolding {
  queue: RequestRow[];
  holding: RequestRow | null;
  targeting: RequestRow | null;
}

/** A row of `queueAndHoldingRequests` as JSON gives it: its timestamp as text. */
export type JsonRequestRow = Omit<Parameters<typeof toRequestRow>[0], 'hold_shelf_expires_at'> & {
  hold_shelf_expires_at: string | Date | null;
};

/** The request holding the item (picked, in transit for it, or on the shelf with it), if any. */
export async function holdingRequest(
  trx: Executor,
  institutionId: string,
  itemId: string,
): Promise<RequestRow | null> {
  const row = await trx
    .selectFrom('requests')
    .select(REQUEST_COLUMNS)
    .where('institution_id', '=', institutionId)
    .where('item_id', '=', itemId)
    .where('status', 'in', HOLDING_STATUSES)
    .executeTakeFirst();
  return row ? toRequestRow(row) : null;
}

/** The next free place at the end of a title's queue. */
export async function nextQueuePosition(
  trx: Executor,
  institutionId: string,
  bibId: string,
  volume: string,
): Promise<number> {
  const row = await trx
    .selectFrom('requests')
    .select((eb) => eb.fn.max('queue_position').as('last'))
    .where('institution_id', '=', institutionId)
    .where('bib_id', '=', bibId)
    .where('volume', '=', volume)
    .where('queue_position', 'is not', null)
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

/** INV-3: the queue closes up after a request leaves it: places 1..n, in the order they were. */
export async function renumberQueue(trx: Executor, institutionId: string, bibId: string, volume: string) {
  await sql`UPDATE requests r SET queue_position = s.rn
    FROM (SELECT id, row_number() OVER (ORDER BY queue_position, placed_at, id)::int AS rn FROM requests
      WHERE institution_id = ${institutionId} AND bib_id = ${bibId} AND volume = ${volume}
        AND queue_position IS NOT NULL) s
    WHERE r.institution_id = ${institutionId} AND r.id = s.id AND r.queue_position <> s.rn`.execute(trx);
}

/**
 * Closes a request (completed, cancelled or expired): it leaves the queue, which closes up.
 * A request closed while its item was on the hold shelf stays on the expired hold shelf list
 * (`shelf_cleared_at` null) until the item is scanned or lent (CIRC-8).
 */
export async function closeRequest(
  trx: Executor,
  request: RequestRow,
  close:
    | { status: 'completed'; loanId: string; itemId: string }
    | { status: 'cancelled'; reason: string }
    | { status: 'expired' },
  now: Date,
): Promise<void> {
  await trx
    .updateTable('requests')
    .set({
      status: close.status,
      queue_position: null,
      closed_at: now,
      updated_at: now,
      ...(close.status === 'completed' ? { completed_loan_id: close.loanId, item_id: close.itemId } : {}),
      ...(close.status === 'cancelled' ? { cancel_reason: close.reason } : {}),
    })
    .where('institution_id', '=', request.institutionId)
    .where('id', '=', request.id)
    .execute();
  await renumberQueue(trx, request.institutionId, request.bibId, request.volume);
}

/** CIRC-8: the item was scanned or lent: it is no longer on any expired hold shelf list. */
export async function clearHoldShelf(trx: Executor, institutionId: string, itemId: string, now: Date) {
  await trx
    .updateTable('requests as r')
    .set({ shelf_cleared_at: now })
    .where('r.institution_id', '=', institutionId)
    .where('r.item_id', '=', itemId)
    .where(leftOnExpiredHoldShelf)
    .execute();
}

/**
 * CIRC-7: the copies of a title and volume a title request may be targeted at now: in place,
 * not withdrawn, not already targeted by another waiting request, not left on a hold shelf
 * after its request closed, with the library holding each.
 */
export async function availableCopies(
  trx: Executor,
  institutionId: string,
  bibId: string,
  volume: string,
): Promise<{ itemId: string; barcode: string; homeLibraryId: string }[]> {
  const rows = await trx
    .selectFrom('items as i')
    .innerJoin('holdings as h', (j) =>
      j.onRef('h.institution_id', '=', 'i.institution_id').onRef('h.id', '=', 'i.holding_id'),
    )
    .select(['i.id', 'i.barcode', 'h.library_id'])
    .where('i.institution_id', '=', institutionId)
    .where('i.bib_id', '=', bibId)
    .where('i.enumeration', '=', volume)
    .where('i.in_place', '=', true)
    .where('i.withdrawn_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('requests as r')
            .select('r.id')
            .whereRef('r.institution_id', '=', 'i.institution_id')
            .whereRef('r.item_id', '=', 'i.id')
            .where(claimsItsCopy),
        ),
      ),
    )
    .orderBy('i.barcode')
    .execute();
  return rows.map((r) => ({ itemId: r.id, barcode: r.barcode, homeLibraryId: r.library_id }));
}

export interface Where {
  actingInstitutionId: string | null;
  libraryId: string | null;
  deskId: string | null;
  operatorStaffId: string | null;
}

/** CIRC-13: a request change in the item's history. */
export async function recordRequestHistory(trx: Executor, ...entry: Parameters<typeof requestHistoryEntry>) {
  await recordHistory(trx, requestHistoryEntry(...entry));
}

/** CIRC-13: the item history entry of a change to a request (`recordRequestHistory`). */
export function requestHistoryEntry(
  request: Pick<RequestRow, 'institutionId' | 'id' | 'patronId'>,
  itemId: string,
  where: Where,
  now: Date,
  details: Record<string, unknown>,
  event: 'request' | 'hold_shelf' | 'missing' | 'transit' = 'request',
): HistoryEntry {
  return {
    institutionId: request.institutionId,
    itemId,
    at: now,
    event,
    ...where,
    patronId: request.patronId,
    loanId: null,
    details: { requestId: request.id, ...details },
  };
}

/**
 * CIRC-7: targets the title's waiting, untargeted title requests at the copies available now,
 * in queue order (a freed copy goes to the first in line). Returns the requests targeted.
 */
export async function fillTargets(
  trx: Executor,
  queue: { institutionId: string; bibId: string; volume: string },
  where: Where,
  now: Date,
): Promise<{ requestId: string; itemId: string }[]> {
  const waiting = await trx
    .selectFrom('requests')
    .select(['id', 'patron_id', 'pickup_library_id'])
    .where('institution_id', '=', queue.institutionId)
    .where('bib_id', '=', queue.bibId)
    .where('volume', '=', queue.volume)
    .where('status', '=', 'not_started')
    .where('level', '=', 'title')
    .where('item_id', 'is', null)
    .orderBy('queue_position')
    .execute();
  const targeted: { requestId: string; itemId: string }[] = [];
  for (const r of waiting) {
    const copies = await availableCopies(trx, queue.institutionId, queue.bibId, queue.volume);
    const copy = copies.find((c) => c.homeLibraryId === r.pickup_library_id) ?? copies[0];
    if (!copy) break;
    await trx
      .updateTable('requests')
      .set({ item_id: copy.itemId, updated_at: now })
      .where('institution_id', '=', queue.institutionId)
      .where('id', '=', r.id)
      .execute();
    await recordRequestHistory(
      trx,
      { institutionId: queue.institutionId, id: r.id, patronId: r.patron_id },
      copy.itemId,
      where,
      now,
      { action: 'targeted' },
    );
    targeted.push({ requestId: r.id, itemId: copy.itemId });
  }
  return targeted;
}

/**
 * CIRC-7: other patrons' waiting title requests targeted at this copy lose it (the copy was
 * lent, filled another request, or went missing) and are targeted afresh.
 */
const releaseTargetsStatement = compiledPerShape(
  (
    trx,
    v: { institutionId: string; itemId: string; exceptRequestId: string | null; now: Date },
    except: 'except' | 'all',
  ) => {
    const query = trx
      .updateTable('requests')
      .set({ item_id: null, updated_at: v.now })
      .where('institution_id', '=', v.institutionId)
      .where('item_id', '=', v.itemId)
      .where('status', '=', 'not_started')
      .where('level', '=', 'title');
    return (except === 'except' ? query.where('id', '<>', v.exceptRequestId as string) : query).returning(
      'id',
    );
  },
);

export async function releaseTargets(
  trx: Executor,
  institutionId: string,
  itemId: string,
  exceptRequestId: string | null,
  now: Date,
): Promise<string[]> {
  const rows = await releaseTargetsStatement(trx, exceptRequestId ? 'except' : 'all', {
    institutionId,
    itemId,
    exceptRequestId,
    now,
  });
  return rows.rows.map((r) => r.id);
}

/** CIRC-12: a letter about a request to its patron, from the owner, in the use case's transaction. */
export async function writeRequestLetter(
  trx: Executor,
  letter: {
    institutionId: string;
    patronId: string;
    type: LetterType;
    subject: string;
    lines: string[];
    messageId: string;
    now: Date;
  },
) {
  const patron = await lockPatron(trx, letter.institutionId, letter.patronId, letter.now, {
    lock: false,
    blocks: false,
  });
  const owner = await trx
    .selectFrom('institutions')
    .select('name')
    .where('id', '=', letter.institutionId)
    .executeTakeFirstOrThrow();
  await writeLetter(trx, {
    institutionId: letter.institutionId,
    patronId: letter.patronId,
    type: letter.type,
    to: patron.email,
    subject: `${owner.name}: ${letter.subject}`,
    body: [`Dear ${patron.name},`, '', ...letter.lines, '', owner.name].join('\n'),
    messageId: letter.messageId,
    at: letter.now,
  });
}

const selectRequestSetting = compiledPerShape(
  (db, v: { targetId: string; pickupLibraryId: string }, target: 'item' | 'title') => {
    const requested: SelectQueryBuilder<
      Database,
      'items' | 'bib_records',
      { institution_id: string; bib_id: string; enumeration: string | null }
    > =
      target === 'item'
        ? db
            .selectFrom('items')
            .select(['institution_id', 'bib_id', 'enumeration'])
            .where('id', '=', v.targetId)
        : db
            .selectFrom('bib_records')
            .select(['institution_id', 'id as bib_id', sql<string | null>`null`.as('enumeration')])
            .where('id', '=', v.targetId);
    return db
      .selectFrom(requested.as('t'))
      .innerJoin('institutions as o', 'o.id', 't.institution_id')
      .select(['t.institution_id', 't.bib_id', 't.enumeration', 'o.time_zone'])
      .select((eb) => [
        jsonObjectFrom(
          eb
            .selectFrom('libraries as l')
            .select(['l.id', 'l.institution_id', 'l.name'])
            .where('l.id', '=', v.pickupLibraryId),
        ).as('pickup'),
        jsonArrayFrom(
          eb
            .selectFrom('terms_of_use_rules as r')
            .select([
              'r.id',
              'r.priority',
              'r.user_group_id',
              'r.item_policy_id',
              'r.material_type_id',
              'r.location_id',
              'r.terms_of_use_id',
              'r.is_fallback',
            ])
            .whereRef('r.institution_id', '=', 'o.id'),
        ).as('rules'),
        jsonArrayFrom(
          eb
            .selectFrom('terms_of_use as tu')
            .select(['tu.id', 'tu.requests_allowed', 'tu.pickup_location_policy'])
            .whereRef('tu.institution_id', '=', 'o.id'),
        ).as('terms'),
      ]);
  },
);

/**
 * What placing a request reads before its transaction, in one statement (each statement costs
 * a round trip: docs/benchmarks.md): the requested item (its owner, title and volume) or title
 * (its owner), the pickup library (null when unknown), and the owner's time zone (CIRC-7 /
 * CIRC-10: "today" at the owner), terms-of-use rules and the terms they select (CIRC-2). All
 * of it is configuration or an unlocked peek used to lock the queue; what the request must not
 * see change is read again under the locks (`lockToPlaceRequest`). Null when the item or title
 * is unknown.
 */
export async function loadRequestSetting(
  db: Executor,
  target: { itemId: string } | { bibId: string },
  pickupLibraryId: string,
) {
  const [row] = (
    await selectRequestSetting(db, 'itemId' in target ? 'item' : 'title', {
      targetId: 'itemId' in target ? target.itemId : target.bibId,
      pickupLibraryId,
    })
  ).rows;
  if (!row) return null;
  const rules: TermsOfUseRule[] = row.rules.map(toTermsRule);
  return {
    ownerId: row.institution_id,
    bibId: row.bib_id,
    /** The item's volume (an item request); null for a title request, which names its own. */
    enumeration: row.enumeration,
    timeZone: row.time_zone,
    pickup: row.pickup
      ? { id: row.pickup.id, institutionId: row.pickup.institution_id, name: row.pickup.name }
      : null,
    rules,
    terms: row.terms as {
      id: string;
      requests_allowed: boolean;
      pickup_location_policy: PickupLocationPolicy;
    }[],
  };
}

/** Whose request for what: the title and volume, or the one item of an item request. */
type PlacingKey = {
  institutionId: string;
  bibId: string;
  volume: string;
  itemId: string | null;
  patronId: string;
  now: Date;
};

/**
 * What placing a request decides on, read in one statement after all three locks (the title's
 * queue, the item of an item request, the patron), so in a snapshot that sees whatever the
 * locks waited for: the patron's active blocks (as `lockPatron` reads them; PAT-7), the
 * patron's active request for the work and volume if any (INV-4), the copies of the title and
 * volume (or the one item), not withdrawn, in barcode order, each with whether it is available
 * (as `availableCopies` decides it, CIRC-7) and on loan to the patron, and the next free place
 * at the end of the queue (as `nextQueuePosition`, INV-3).
 */
const placingState = compiledPerShape((trx, key: PlacingKey, level: 'item' | 'title') => {
  const { institutionId, bibId, volume, patronId } = key;
  return trx.selectNoFrom((eb) => [
    jsonArrayFrom(activeBlocks(eb, institutionId, patronId, key.now)).as('blocks'),
    jsonObjectFrom(
      eb
        .selectFrom('requests')
        .select('id')
        .where('institution_id', '=', institutionId)
        .where('patron_id', '=', patronId)
        // The work of the title as the queue lock left it (read after that lock).
        .where('work_key', '=', (w) =>
          w
            .selectFrom('bib_records')
            .select('work_key')
            .where('institution_id', '=', institutionId)
            .where('id', '=', bibId),
        )
        .where('volume', '=', volume)
        .where('status', 'in', constants(ACTIVE_STATUSES))
        .limit(1),
    ).as('existing'),
    jsonArrayFrom(
      eb
        .selectFrom('items as i')
        .innerJoin('holdings as h', (j) =>
          j.onRef('h.institution_id', '=', 'i.institution_id').onRef('h.id', '=', 'i.holding_id'),
        )
        // Where the copy is shelved, by name: the placed request's answer shows its copy.
        .innerJoin('locations as loc', 'loc.id', 'h.location_id')
        .innerJoin('libraries as hl', 'hl.id', 'h.library_id')
        .select([
          'i.id',
          'i.barcode',
          'i.item_policy_id',
          'i.material_type_id',
          'h.location_id',
          'h.library_id',
          'h.call_number',
          'loc.name as location_name',
          'hl.name as library_name',
        ])
        .select((c) => [
          c
            .and([
              c('i.bib_id', '=', bibId),
              c('i.enumeration', '=', volume),
              c('i.in_place', '=', true),
              c.not(
                c.exists(
                  c
                    .selectFrom('requests as r')
                    .select('r.id')
                    .whereRef('r.institution_id', '=', 'i.institution_id')
                    .whereRef('r.item_id', '=', 'i.id')
                    .where(claimsItsCopy),
                ),
              ),
            ])
            .as('available'),
          c
            .exists(
              c
                .selectFrom('loans as l')
                .select('l.id')
                .whereRef('l.institution_id', '=', 'i.institution_id')
                .whereRef('l.item_id', '=', 'i.id')
                .where('l.patron_id', '=', patronId)
                .where('l.status', '<>', constant('returned')),
            )
            .as('on_loan_to_patron'),
        ])
        .where('i.institution_id', '=', institutionId)
        .where('i.withdrawn_at', 'is', null)
        .where((w) =>
          level === 'item'
            ? w('i.id', '=', key.itemId as string)
            : w.and([w('i.bib_id', '=', bibId), w('i.enumeration', '=', volume)]),
        )
        .orderBy('i.barcode'),
    ).as('copies'),
    eb
      .selectFrom('requests')
      .select((c) => c.fn.max('queue_position').as('last'))
      .where('institution_id', '=', institutionId)
      .where('bib_id', '=', bibId)
      .where('volume', '=', volume)
      .where('queue_position', 'is not', null)
      .as('last_position'),
  ]);
});

function placingStateStatement(trx: Executor, key: PlacingKey) {
  return placingState.statement(trx, key.itemId !== null ? 'item' : 'title', key);
}

function presentPlacingState(result: Awaited<ReturnType<typeof placingState>>) {
  const [row] = result.rows;
  if (!row) throw new Error('the placing state statement returned no row');
  return {
    blocks: row.blocks.map((b) => ({ type: b.block_type, reason: b.reason })),
    existingRequestId: row.existing?.id ?? null,
    copies: row.copies.map((c) => ({
      itemId: c.id,
      barcode: c.barcode,
      itemPolicyId: c.item_policy_id,
      materialTypeId: c.material_type_id,
      locationId: c.location_id,
      homeLibraryId: c.library_id,
      callNumber: c.call_number,
      locationName: c.location_name,
      libraryName: c.library_name,
      available: Boolean(c.available),
      onLoanToPatron: Boolean(c.on_loan_to_patron),
    })),
    nextPosition: Number(row.last_position ?? 0) + 1,
  };
}

export type PlacingState = ReturnType<typeof presentPlacingState>;

/**
 * CIRC-7: what placing a request locks and reads, in the fixed order: the title's queue, the
 * item of an item request, the patron (blocks not read with the lock: the state has them),
 * then the state (`placingStateStatement`) after all three. For a title request the three go
 * in one write (decision 72): each starts after the one before it, so the order holds and the
 * state sees what the locks waited for. An item request locks its item by itself first (the
 * item lock runs again when a catalogue change made it miss the row, `lockItemById`), so its
 * patron lock never comes before it.
 */
export async function lockToPlaceRequest(trx: Executor, key: PlacingKey) {
  const { institutionId, bibId, itemId, patronId } = key;
  const queueLock = lockQueueStatement.statement(trx, { institutionId, bibId });
  let title: QueueTitle | null = null;
  let item: LockedItem | null = null;
  if (itemId !== null) {
    title = presentQueueTitle((await trx.executeQuery(queueLock)).rows, bibId);
    item = await lockItemById(trx, institutionId, itemId);
  }
  const patronLock = patronLockStatement(trx, institutionId, patronId);
  const state = placingStateStatement(trx, key);
  const results =
    title === null
      ? await pipelined(trx, [queueLock, patronLock, state] as const)
      : ([null, ...(await pipelined(trx, [patronLock, state] as const))] as const);
  const [titleRows, patronFound, stateFound] = results;
  return {
    title: title ?? presentQueueTitle(titleRows?.rows ?? [], bibId),
    item,
    patron: presentLockedPatron(patronId, patronFound, undefined),
    state: presentPlacingState(stateFound),
  };
}

/**
 * CIRC-7 / CIRC-13: a new request (its id made by the caller) and, when it names or is
 * targeted at a copy, the `placed` entry in that item's history (as `recordRequestHistory`
 * writes it), in one statement (a data-modifying CTE) instead of two.
 */
export async function insertRequest(
  trx: Executor,
  request: Insertable<Database['requests']> & { id: string; institution_id: string; patron_id: string },
  history: { itemId: string; where: Where; details: Record<string, unknown> } | null,
  now: Date,
  /** The transaction's last write: COMMIT goes with it (`pipelined`, decision 68). */
  options: { commit?: boolean } = {},
): Promise<void> {
  const statement = !history
    ? trx.insertInto('requests').values(request).compile()
    : trx
        .with('request', (db) => db.insertInto('requests').values(request).returning('id'))
        .insertInto('item_history')
        .values(
          historyRow({
            institutionId: request.institution_id,
            itemId: history.itemId,
            at: now,
            event: 'request',
            ...history.where,
            patronId: request.patron_id,
            loanId: null,
            details: { requestId: request.id, ...history.details },
          }),
        )
        .compile();
  await pipelined(trx, [statement], options);
}
