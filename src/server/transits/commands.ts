import { type Actor, authorize } from '../auth/authorize.ts';
import { lockItemById, recordHistory } from '../circulation/repository.ts';
import type { Db } from '../db/database.ts';
import { fillTargets, holdingRequest, lockQueue } from '../requests/queue.ts';
import { escapeHtml, libraryScope, slipPage } from '../requests/reads.ts';
import { notFound, refused } from '../shared/errors.ts';

/**
 * CIRC-9: cancel an open transit safely, in one transaction (queue, item). The item is put in
 * place where it is now; its next scan decides afresh where it goes (CIRC-6). A request the
 * transit was carrying the item for goes back to waiting for that copy (not_started, still
 * targeted at it), so it reappears on the pick list of the copy's library.
 */
export async function cancelTransit(
  db: Db,
  actor: Actor | null,
  now: Date,
  institutionId: string,
  transitId: string,
  reason: string,
) {
  const staff = authorize(actor, 'circulation.desk', { institutionId });
  const found = await db
    .selectFrom('transits as t')
    .innerJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 't.institution_id').onRef('i.id', '=', 't.item_id'),
    )
    .select(['t.item_id', 'i.bib_id'])
    .where('t.institution_id', '=', institutionId)
    .where('t.id', '=', transitId)
    .executeTakeFirst();
  if (!found) throw notFound('TRANSIT_NOT_FOUND', 'No such transit in this institution.', { transitId });
  await db.transaction().execute(async (trx) => {
    await lockQueue(trx, institutionId, found.bib_id);
    const item = await lockItemById(trx, institutionId, found.item_id);
    const transit = await trx
      .selectFrom('transits')
      .selectAll()
      .where('institution_id', '=', institutionId)
      .where('id', '=', transitId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (transit.status !== 'open') {
      throw refused('TRANSIT_NOT_OPEN', `The transit is already ${transit.status}.`, {
        status: transit.status,
      });
    }
    await trx
      .updateTable('transits')
      .set({ status: 'cancelled', cancelled_at: now, cancelled_by: staff.staffId, cancel_reason: reason })
      .where('institution_id', '=', institutionId)
      .where('id', '=', transitId)
      .execute();
    await trx
      .updateTable('items')
      .set({ in_place: true, process_type: null, updated_at: now })
      .where('institution_id', '=', institutionId)
      .where('id', '=', item.id)
      .execute();
    const where = {
      actingInstitutionId: institutionId,
      libraryId: null,
      deskId: null,
      operatorStaffId: staff.staffId,
    };
    const holding = await holdingRequest(trx, institutionId, item.id);
    if (holding && holding.status === 'in_transit') {
      await trx
        .updateTable('requests')
        .set({ status: 'not_started', updated_at: now })
        .where('institution_id', '=', institutionId)
        .where('id', '=', holding.id)
        .execute();
    }
    await recordHistory(trx, {
      institutionId,
      itemId: item.id,
      at: now,
      event: 'transit',
      ...where,
      patronId: holding?.patronId ?? null,
      loanId: null,
      details: {
        action: 'cancelled',
        transitId,
        reason,
        toLibraryId: transit.to_library_id,
        requestId: holding?.id ?? null,
      },
    });
    await fillTargets(trx, { institutionId, bibId: item.bibId, volume: item.enumeration }, where, now);
  });
}

/** CIRC-9 / BEY-2: the open transits to (or from) a library, late ones marked. */
export async function listTransits(db: Db, libraryId: string, direction: 'to' | 'from', now = new Date()) {
  const rows = await db
    .selectFrom('transits as t')
    .innerJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 't.institution_id').onRef('i.id', '=', 't.item_id'),
    )
    .innerJoin('bib_records as b', (j) =>
      j.onRef('b.institution_id', '=', 'i.institution_id').onRef('b.id', '=', 'i.bib_id'),
    )
    .innerJoin('libraries as fl', 'fl.id', 't.from_library_id')
    .innerJoin('libraries as tl', 'tl.id', 't.to_library_id')
    .select([
      't.id',
      't.institution_id',
      't.reason',
      't.request_id',
      't.status',
      't.sent_at',
      't.expected_arrival_at',
      'i.id as item_id',
      'i.barcode',
      'b.title',
      'fl.id as from_id',
      'fl.name as from_name',
      'tl.id as to_id',
      'tl.name as to_name',
    ])
    .where(direction === 'to' ? 't.to_library_id' : 't.from_library_id', '=', libraryId)
    .where('t.status', '=', 'open')
    .orderBy('t.expected_arrival_at')
    .orderBy('t.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    institutionId: r.institution_id,
    reason: r.reason,
    requestId: r.request_id,
    status: r.status,
    item: { id: r.item_id, barcode: r.barcode, title: r.title },
    from: { id: r.from_id, name: r.from_name },
    to: { id: r.to_id, name: r.to_name },
    sentAt: r.sent_at.toISOString(),
    expectedArrivalAt: r.expected_arrival_at.toISOString(),
    late: r.expected_arrival_at < now,
    slipUrl: `/api/circulation/transits/${r.institution_id}/${r.id}/slip`,
  }));
}

/** CIRC-12: the transit slip: where the item goes, why, and (for a request) for whom. */
export async function transitSlipHtml(db: Db, actor: Actor | null, institutionId: string, transitId: string) {
  authorize(actor, 'circulation.desk', { institutionId });
  const t = await db
    .selectFrom('transits as t')
    .innerJoin('items as i', (j) =>
      j.onRef('i.institution_id', '=', 't.institution_id').onRef('i.id', '=', 't.item_id'),
    )
    .innerJoin('bib_records as b', (j) =>
      j.onRef('b.institution_id', '=', 'i.institution_id').onRef('b.id', '=', 'i.bib_id'),
    )
    .leftJoin('requests as r', (j) =>
      j.onRef('r.institution_id', '=', 't.institution_id').onRef('r.id', '=', 't.request_id'),
    )
    .leftJoin('patrons as p', (j) =>
      j.onRef('p.institution_id', '=', 'r.institution_id').onRef('p.id', '=', 'r.patron_id'),
    )
    .select([
      't.from_library_id',
      't.to_library_id',
      't.reason',
      't.sent_at',
      't.expected_arrival_at',
      't.status',
    ])
    .select([
      'i.barcode',
      'b.title',
      'p.first_name',
      'p.last_name',
      'p.preferred_name',
      'p.primary_identifier',
    ])
    .where('t.institution_id', '=', institutionId)
    .where('t.id', '=', transitId)
    .executeTakeFirst();
  if (!t) throw notFound('TRANSIT_NOT_FOUND', 'No such transit in this institution.', { transitId });
  const to = await libraryScope(db, t.to_library_id);
  const from = await libraryScope(db, t.from_library_id);
  const e = escapeHtml;
  const REASONS = {
    request: 'For a request',
    return_to_owner: 'Return to owner',
    home_library: 'Home library',
  };
  const requester =
    t.last_name !== null ? `${t.preferred_name || t.first_name || ''} ${t.last_name}`.trim() : null;
  return slipPage(
    'Transit slip',
    `<section class="slip">
<h1>Transit</h1>
<p class="big">To: ${e(to.institutionName)}, ${e(to.name)}</p>
<dl>
<dt>Reason</dt><dd>${e(REASONS[t.reason])}</dd>
${requester ? `<dt>Requester</dt><dd>${e(requester)} (${e(t.primary_identifier ?? '')})</dd>` : ''}
<dt>Title</dt><dd>${e(t.title)}</dd>
<dt>Barcode</dt><dd>${e(t.barcode)}</dd>
<dt>From</dt><dd>${e(from.institutionName)}, ${e(from.name)}</dd>
<dt>Sent</dt><dd>${e(t.sent_at.toISOString())}</dd>
<dt>Expected</dt><dd>${e(t.expected_arrival_at.toISOString().slice(0, 10))}</dd>
</dl></section>`,
  );
}
