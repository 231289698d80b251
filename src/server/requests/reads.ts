import { type Actor, authorize, can, requirePatron } from '../auth/authorize.ts';
import { type Executor, patronName } from '../circulation/repository.ts';
import type { Db } from '../db/database.ts';
import { forbidden, notFound, unauthenticated } from '../shared/errors.ts';
import { holdShelfSlipUrl } from './fulfil.ts';
import { ACTIVE_STATUSES } from './queue.ts';

/** The scope of a library's lists (pick list, hold shelf, transits): its institution and itself. */
export async function libraryScope(db: Executor, libraryId: string) {
  const row = await db
    .selectFrom('libraries as l')
    .innerJoin('institutions as i', 'i.id', 'l.institution_id')
    .select(['l.id', 'l.institution_id', 'l.name', 'i.name as institution_name'])
    .select((eb) => eb.fn.coalesce('l.time_zone', 'i.time_zone').as('time_zone'))
    .where('l.id', '=', libraryId)
    .executeTakeFirst();
  if (!row) throw notFound('LIBRARY_NOT_FOUND', 'No such library.', { libraryId });
  return {
    scope: { institutionId: row.institution_id, libraryId: row.id },
    name: row.name,
    institutionName: row.institution_name,
    timeZone: row.time_zone,
  };
}

function requestQuery(db: Executor) {
  return db
    .selectFrom('requests as r')
    .innerJoin('bib_records as b', (j) =>
      j.onRef('b.institution_id', '=', 'r.institution_id').onRef('b.id', '=', 'r.bib_id'),
    )
    .innerJoin('patrons as p', (j) =>
      j.onRef('p.institution_id', '=', 'r.institution_id').onRef('p.id', '=', 'r.patron_id'),
    )
    .innerJoin('libraries as pl', 'pl.id', 'r.pickup_library_id')
    .leftJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 'r.institution_id').onRef('i.id', '=', 'r.item_id'),
    )
    .leftJoin('holdings as h', (j) =>
      j.onRef('h.institution_id', '=', 'i.institution_id').onRef('h.id', '=', 'i.holding_id'),
    )
    .leftJoin('locations as loc', 'loc.id', 'h.location_id')
    .leftJoin('libraries as hl', 'hl.id', 'h.library_id')
    .select([
      'r.id',
      'r.institution_id',
      'r.status',
      'r.request_type',
      'r.level',
      'r.queue_position',
      'r.volume',
      'r.placed_at',
      'r.placed_by',
      'r.hold_shelf_expires_at',
      'r.completed_loan_id',
      'r.cancel_reason',
      'r.closed_at',
      'r.pickup_institution_id',
      'b.id as bib_id',
      'b.title',
      'b.author',
      'p.id as patron_id',
      'p.first_name',
      'p.last_name',
      'p.preferred_name',
      'p.primary_identifier',
      'pl.id as pickup_library_id',
      'pl.name as pickup_library_name',
      'i.id as item_id',
      'i.barcode',
      'i.enumeration',
      'h.call_number',
      'loc.name as location_name',
      'hl.id as item_library_id',
      'hl.name as item_library_name',
    ]);
}
type RequestViewRow = Awaited<ReturnType<ReturnType<typeof requestQuery>['executeTakeFirstOrThrow']>>;

function present(r: RequestViewRow, now: Date) {
  return {
    id: r.id,
    institutionId: r.institution_id,
    status: r.status,
    requestType: r.request_type,
    level: r.level,
    queuePosition: r.queue_position,
    title: { id: r.bib_id, title: r.title, author: r.author },
    volume: r.volume,
    item:
      r.item_id && r.barcode !== null
        ? {
            id: r.item_id,
            barcode: r.barcode,
            callNumber: r.call_number ?? '',
            location: r.location_name ?? '',
            library: { id: r.item_library_id ?? '', name: r.item_library_name ?? '' },
          }
        : null,
    patron: { id: r.patron_id, name: patronName(r), identifier: r.primary_identifier },
    pickupLibrary: {
      id: r.pickup_library_id,
      name: r.pickup_library_name,
      institutionId: r.pickup_institution_id,
    },
    placedAt: r.placed_at.toISOString(),
    placedByStaff: r.placed_by !== null,
    holdShelfExpiresAt: r.hold_shelf_expires_at?.toISOString() ?? null,
    holdShelfExpired: r.hold_shelf_expires_at !== null && r.hold_shelf_expires_at < now,
    completedLoanId: r.completed_loan_id,
    cancelReason: r.cancel_reason,
    closedAt: r.closed_at?.toISOString() ?? null,
    ...(r.status === 'on_hold_shelf' ? { slipUrl: holdShelfSlipUrl(r.institution_id, r.id) } : {}),
  };
}
export type RequestView = ReturnType<typeof present>;

/** What placing a request knows when it commits: every fact its answer shows. */
export interface PlacedRequest {
  id: string;
  institutionId: string;
  requestType: RequestView['requestType'];
  level: RequestView['level'];
  queuePosition: number;
  volume: string;
  placedAt: Date;
  placedByStaff: boolean;
  title: { id: string; title: string; author: string };
  item: NonNullable<RequestView['item']> | null;
  patron: { id: string; name: string; identifier: string };
  pickupLibrary: { id: string; name: string; institutionId: string };
}

/**
 * A request just placed, as `presentRequest` would read it back (a new request waits, not
 * started, with nothing on the hold shelf and nothing closed), from the facts the placing
 * transaction already holds: one round trip fewer per request (docs/benchmarks.md). A test
 * compares the two (test/api/requests.test.ts).
 */
export function presentPlacedRequest(placed: PlacedRequest): RequestView {
  return {
    id: placed.id,
    institutionId: placed.institutionId,
    status: 'not_started',
    requestType: placed.requestType,
    level: placed.level,
    queuePosition: placed.queuePosition,
    title: placed.title,
    volume: placed.volume,
    item: placed.item,
    patron: placed.patron,
    pickupLibrary: placed.pickupLibrary,
    placedAt: placed.placedAt.toISOString(),
    placedByStaff: placed.placedByStaff,
    holdShelfExpiresAt: null,
    holdShelfExpired: false,
    completedLoanId: null,
    cancelReason: null,
    closedAt: null,
  };
}

export async function presentRequest(
  db: Executor,
  institutionId: string,
  requestId: string,
  now = new Date(),
) {
  const row = await requestQuery(db)
    .where('r.institution_id', '=', institutionId)
    .where('r.id', '=', requestId)
    .executeTakeFirst();
  if (!row) throw notFound('REQUEST_NOT_FOUND', 'No such request in this institution.', { requestId });
  return present(row, now);
}

/** One request; circulation.desk at its institution. */
export async function getRequest(db: Db, actor: Actor | null, institutionId: string, requestId: string) {
  authorize(actor, 'circulation.desk', { institutionId });
  return presentRequest(db, institutionId, requestId);
}

/** CIRC-7: a title's queue (all volumes), in order; circulation.desk. */
export async function titleQueue(db: Db, actor: Actor | null, institutionId: string, bibId: string) {
  authorize(actor, 'circulation.desk', { institutionId });
  const rows = await requestQuery(db)
    .where('r.institution_id', '=', institutionId)
    .where('r.bib_id', '=', bibId)
    .where('r.status', 'in', ACTIVE_STATUSES)
    .orderBy('r.volume')
    .orderBy('r.queue_position')
    .execute();
  const now = new Date();
  return rows.map((r) => present(r, now));
}

/** A patron's active requests; circulation.desk or patrons.read at the institution. */
export async function listPatronRequests(
  db: Db,
  actor: Actor | null,
  institutionId: string,
  patronId: string,
) {
  if (!actor) throw unauthenticated();
  const scope = { institutionId };
  if (!can(actor, 'circulation.desk', scope) && !can(actor, 'patrons.read', scope)) {
    throw forbidden('FORBIDDEN', 'You do not have the circulation.desk or patrons.read privilege here.', {
      privilege: 'patrons.read',
      scope,
    });
  }
  return activeRequestsOf(db, institutionId, patronId);
}

/** The signed-in patron's own active requests. */
export async function listMyRequests(db: Db, actor: Actor | null) {
  const patron = requirePatron(actor);
  return activeRequestsOf(db, patron.institutionId, patron.patronId);
}

async function activeRequestsOf(db: Db, institutionId: string, patronId: string) {
  const rows = await requestQuery(db)
    .where('r.institution_id', '=', institutionId)
    .where('r.patron_id', '=', patronId)
    .where('r.status', 'in', ACTIVE_STATUSES)
    .orderBy('r.placed_at')
    .execute();
  const now = new Date();
  return rows.map((r) => present(r, now));
}

/**
 * Pick from shelf: the waiting requests whose copy is on this library's shelves, one per copy
 * (the first in its queue), in call-number order for a walk through the stacks.
 */
export async function pickList(db: Db, libraryId: string) {
  const rows = await requestQuery(db)
    .where('r.status', '=', 'not_started')
    .where('i.in_place', '=', true)
    .where('i.withdrawn_at', 'is', null)
    .where('h.library_id', '=', libraryId)
    .distinctOn('r.item_id')
    .orderBy('r.item_id')
    .orderBy('r.queue_position')
    .execute();
  const now = new Date();
  return rows
    .map((r) => present(r, now))
    .sort(
      (a, b) =>
        (a.item?.callNumber ?? '').localeCompare(b.item?.callNumber ?? '') || a.id.localeCompare(b.id),
    );
}

/** CIRC-8: the requests on this pickup library's hold shelf, soonest expiry first. */
export async function holdShelf(db: Db, libraryId: string, now = new Date()) {
  const rows = await requestQuery(db)
    .where('r.pickup_library_id', '=', libraryId)
    .where('r.status', '=', 'on_hold_shelf')
    .orderBy('r.hold_shelf_expires_at')
    .orderBy('r.id')
    .execute();
  return rows.map((r) => present(r, now));
}

/**
 * CIRC-8: the expired hold shelf: requests closed (expired, or cancelled) while their item sat
 * on this library's hold shelf, whose item has not been scanned or lent since.
 */
export async function expiredHoldShelf(db: Db, libraryId: string, now = new Date()) {
  const rows = await requestQuery(db)
    .where('r.pickup_library_id', '=', libraryId)
    .where('r.status', 'in', ['expired', 'cancelled'])
    .where('r.hold_shelf_expires_at', 'is not', null)
    .where('r.shelf_cleared_at', 'is', null)
    .where('i.in_place', '=', true)
    .orderBy('r.closed_at')
    .orderBy('r.id')
    .execute();
  return rows.map((r) => present(r, now));
}

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

export function slipPage(title: string, body: string) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; color: #111; }
.slip { border: 1px dashed #555; padding: 1rem; margin-bottom: 1rem; page-break-inside: avoid; }
.big { font-size: 1.6rem; font-weight: bold; } dt { font-weight: bold; } dd { margin: 0 0 .4rem 0; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } .no-print { display: none; } .slip { page-break-after: always; } }
@page { size: auto; margin: 12mm; }
</style></head>
<body>
${body}
<p class="no-print"><button onclick="window.print()">Print</button></p>
</body></html>`;
}

/** Pick slips: barcode, call number, location, title, requester and pickup library (FN-2: with its institution). */
export async function pickSlipsHtml(db: Db, libraryId: string, requestId?: string) {
  const library = await libraryScope(db, libraryId);
  const list = (await pickList(db, libraryId)).filter((r) => !requestId || r.id === requestId);
  const institutions = await db.selectFrom('institutions').select(['id', 'name']).execute();
  const nameOf = new Map(institutions.map((i) => [i.id, i.name]));
  const e = escapeHtml;
  const slips = list.map(
    (r) => `<section class="slip">
<p class="big">${e(r.item?.barcode ?? '')}</p>
<dl>
<dt>Call number</dt><dd>${e(r.item?.callNumber ?? '')}</dd>
<dt>Location</dt><dd>${e(r.item?.location ?? '')}</dd>
<dt>Title</dt><dd>${e(r.title.title)}${r.volume ? ` (${e(r.volume)})` : ''}</dd>
<dt>Requester</dt><dd>${e(r.patron.name)} (${e(r.patron.identifier)})</dd>
<dt>Pickup</dt><dd>${e(nameOf.get(r.pickupLibrary.institutionId) ?? '')}, ${e(r.pickupLibrary.name)}</dd>
<dt>Request</dt><dd>${e(r.requestType)} placed ${e(r.placedAt.slice(0, 10))}</dd>
</dl></section>`,
  );
  return slipPage(
    'Pick slips',
    `<h1>Pick slips: ${e(library.institutionName)}, ${e(library.name)}</h1>\n${slips.join('\n') || '<p>Nothing to pick.</p>'}`,
  );
}

/** CIRC-12: the hold shelf slip: requester, title, barcode and when it expires, in the pickup library's time zone. */
export async function holdShelfSlipHtml(
  db: Db,
  actor: Actor | null,
  institutionId: string,
  requestId: string,
) {
  authorize(actor, 'circulation.desk', { institutionId });
  const r = await presentRequest(db, institutionId, requestId);
  if (r.status !== 'on_hold_shelf' || !r.holdShelfExpiresAt) {
    throw notFound('SLIP_NOT_FOUND', 'The request is not on the hold shelf.', { requestId });
  }
  const library = await libraryScope(db, r.pickupLibrary.id);
  const until = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: library.timeZone,
  }).format(new Date(r.holdShelfExpiresAt));
  const e = escapeHtml;
  return slipPage(
    'Hold shelf slip',
    `<section class="slip">
<h1>Hold shelf</h1>
<p class="big">${e(r.patron.name)}</p>
<dl>
<dt>Patron</dt><dd>${e(r.patron.identifier)}</dd>
<dt>Title</dt><dd>${e(r.title.title)}</dd>
<dt>Barcode</dt><dd>${e(r.item?.barcode ?? '')}</dd>
<dt>Pickup library</dt><dd>${e(library.institutionName)}, ${e(library.name)}</dd>
<dt>Hold until</dt><dd>${e(until)}</dd>
</dl></section>`,
  );
}
