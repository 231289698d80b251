import type { Executor } from '../circulation/repository.ts';
import { compiledOnce } from '../db/compiled.ts';
import { constant } from '../db/constants.ts';
import type { TransitReason } from '../db/schema.ts';

/**
 * Data access of transits (CIRC-9). The use cases that move items (return / scan in, lend,
 * cancel) call these inside their one transaction, after locking the item.
 */

const DAY_MS = 86_400_000;

/** Where a transit's printable slip is. */
export const transitSlipUrl = (institutionId: string, transitId: string) =>
  `/api/circulation/transits/${institutionId}/${transitId}/slip`;

export interface OpenTransit {
  id: string;
  institutionId: string;
  itemId: string;
  fromLibraryId: string;
  toLibraryId: string;
  reason: TransitReason;
  requestId: string | null;
  sentAt: Date;
  expectedArrivalAt: Date;
}

/** The item's open transit, locked (CIRC-9: at most one, INV-1). */
const lockOpenTransit = compiledOnce((trx, v: { institutionId: string; itemId: string }) =>
  trx
    .selectFrom('transits')
    .selectAll()
    .where('institution_id', '=', v.institutionId)
    .where('item_id', '=', v.itemId)
    .where('status', '=', constant('open'))
    .forUpdate(),
);

/**
 * The open transit of the copy with this barcode, locked: for a statement written after the
 * copy's own lock in one batch (a return's, decision 72). The copy is found again by its
 * barcode, which cannot change while its row is locked.
 */
export const lockOpenTransitOfBarcode = compiledOnce((trx, v: { institutionId: string; barcode: string }) =>
  trx
    .selectFrom('transits')
    .selectAll()
    .where('institution_id', '=', v.institutionId)
    .where('item_id', '=', (eb) =>
      eb
        .selectFrom('items')
        .select('id')
        .where('institution_id', '=', v.institutionId)
        .where('barcode', '=', v.barcode),
    )
    .where('status', '=', constant('open'))
    .forUpdate(),
);

type TransitRow = Awaited<ReturnType<typeof lockOpenTransit>>['rows'][number];

export function presentOpenTransit(row: TransitRow): OpenTransit {
  return {
    id: row.id,
    institutionId: row.institution_id,
    itemId: row.item_id,
    fromLibraryId: row.from_library_id,
    toLibraryId: row.to_library_id,
    reason: row.reason,
    requestId: row.request_id,
    sentAt: row.sent_at,
    expectedArrivalAt: row.expected_arrival_at,
  };
}

export async function loadOpenTransit(
  trx: Executor,
  institutionId: string,
  itemId: string,
): Promise<OpenTransit | null> {
  const [row] = (await lockOpenTransit(trx, { institutionId, itemId })).rows;
  return row ? presentOpenTransit(row) : null;
}

/** NET-6: days from one library to another in the transit-time table; 1 day when not configured. */
export async function transitDays(
  trx: Executor,
  fromLibraryId: string,
  toLibraryId: string,
): Promise<number> {
  const row = await trx
    .selectFrom('transit_times')
    .select('days')
    .where('from_library_id', '=', fromLibraryId)
    .where('to_library_id', '=', toLibraryId)
    .executeTakeFirst();
  return row ? row.days : 1;
}

/**
 * CIRC-9: opens a transit of the item, with its expected arrival from the transit-time table.
 * The partial unique index `transits_one_open_per_item` is the last guard of INV-1.
 */
export async function openTransit(
  trx: Executor,
  t: {
    institutionId: string;
    itemId: string;
    fromLibraryId: string;
    toLibraryId: string;
    reason: TransitReason;
    requestId: string | null;
    deskId: string | null;
    staffId: string | null;
    now: Date;
  },
): Promise<{ id: string; expectedArrivalAt: Date }> {
  const days = await transitDays(trx, t.fromLibraryId, t.toLibraryId);
  const expectedArrivalAt = new Date(t.now.getTime() + days * DAY_MS);
  const row = await trx
    .insertInto('transits')
    .values({
      institution_id: t.institutionId,
      item_id: t.itemId,
      from_library_id: t.fromLibraryId,
      to_library_id: t.toLibraryId,
      reason: t.reason,
      request_id: t.requestId,
      sent_at: t.now,
      expected_arrival_at: expectedArrivalAt,
      sent_desk_id: t.deskId,
      sent_by: t.staffId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, expectedArrivalAt };
}

/** CIRC-9: the transit arrived (or the item turned up elsewhere and is decided afresh). */
export async function receiveTransit(
  trx: Executor,
  transit: { institutionId: string; id: string },
  at: { deskId: string | null; staffId: string | null; now: Date },
): Promise<void> {
  await trx.executeQuery(receiveTransitStatement(trx, transit, at));
}

/** `receiveTransit`'s statement, to be sent with others (`pipelined`). */
export function receiveTransitStatement(
  trx: Executor,
  transit: { institutionId: string; id: string },
  at: { deskId: string | null; staffId: string | null; now: Date },
) {
  return receiveOpenTransit.statement(trx, {
    institutionId: transit.institutionId,
    transitId: transit.id,
    ...at,
  });
}

const receiveOpenTransit = compiledOnce(
  (
    trx,
    v: { institutionId: string; transitId: string; deskId: string | null; staffId: string | null; now: Date },
  ) =>
    trx
      .updateTable('transits')
      .set({ status: 'received', received_at: v.now, received_desk_id: v.deskId, received_by: v.staffId })
      .where('institution_id', '=', v.institutionId)
      .where('id', '=', v.transitId)
      .where('status', '=', constant('open')),
);
