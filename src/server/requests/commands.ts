import { sql } from 'kysely';
import type { Actor, PatronActor } from '../auth/authorize.ts';
import { authorize } from '../auth/authorize.ts';
import { presentRefusal } from '../circulation/context.ts';
import { type Executor, lockItemById, patronName } from '../circulation/repository.ts';
import { dayAt, selectTermsOfUse } from '../circulation/rules/index.ts';
import type { Db } from '../db/database.ts';
import { badRequest, conflict, notFound, refused } from '../shared/errors.ts';
import { newRowId } from '../shared/ids.ts';
import {
  closeRequest,
  fillTargets,
  insertRequest,
  loadRequest,
  loadRequestSetting,
  lockQueue,
  lockToPlaceRequest,
  type PlacingState,
  type RequestRow,
  recordRequestHistory,
  releaseTargets,
  type Where,
  writeRequestLetter,
} from './queue.ts';
import { presentPlacedRequest, type RequestView } from './reads.ts';
import { type CopyForRequest, chooseTarget, collectRequestRefusals, requestableCopies } from './rules.ts';

/** Who acts: staff (authorized per use case) or the signed-in patron for themselves. */
export type Requester = { kind: 'staff'; actor: Actor | null } | { kind: 'patron'; actor: PatronActor };

export interface PlaceRequestInput {
  /** Staff only: the patron at the owning institution the request is for. */
  patronId?: string;
  /** A title request (CIRC-7)... */
  bibId?: string;
  /** ...or an item request. */
  itemId?: string;
  requestType: 'hold' | 'page';
  pickupLibraryId: string;
  /** A title request's volume (the items' enumeration); '' for a single-volume title. */
  volume?: string;
  /** CIRC-7 / CIRC-10: YYYY-MM-DD, not before today at the owner; the waiting request expires after it. */
  notNeededAfter?: string;
}

const noPlace: Where = { actingInstitutionId: null, libraryId: null, deskId: null, operatorStaffId: null };

/**
 * CIRC-7 / CIRC-2: place a hold (title or item) or a page, in one transaction that locks the
 * title's queue, the item (item requests) and the patron. One active request per patron per
 * work and volume (409 REQUEST_ALREADY_EXISTS; the database's unique index is the last guard,
 * INV-4); every refusal at once as 422 REQUEST_REFUSED; a title request is targeted at an
 * available copy when there is one, which puts it on the pick-from-shelf list of that copy's
 * library. The request belongs to the owner of the inventory (INV-6). Answers the request as
 * `presentRequest` reads it, built from what the transaction read (`presentPlacedRequest`).
 */
export async function placeRequest(
  db: Db,
  now: Date,
  by: Requester,
  input: PlaceRequestInput,
): Promise<RequestView> {
  if ((input.bibId === undefined) === (input.itemId === undefined)) {
    throw badRequest('VALIDATION_FAILED', 'Name either a title (bibId) or an item (itemId).', {
      fields: [{ field: 'bibId', message: 'name either bibId or itemId' }],
    });
  }
  // The item or title, the pickup library, the owner's time zone and its terms-of-use rules
  // (CIRC-2: configuration, read before the transaction as a loan reads them), in one statement
  // (docs/benchmarks.md). The title it names is the queue locked below.
  const setting = await loadRequestSetting(
    db,
    input.itemId !== undefined ? { itemId: input.itemId } : { bibId: input.bibId as string },
    input.pickupLibraryId,
  );
  if (!setting) {
    if (input.itemId !== undefined)
      throw notFound('ITEM_NOT_FOUND', 'No such item.', { itemId: input.itemId });
    throw notFound('TITLE_NOT_FOUND', 'No such title.', { bibId: input.bibId });
  }
  const { ownerId, bibId, pickup } = setting;
  const volume = setting.enumeration ?? input.volume ?? '';
  if (!pickup)
    throw notFound('LIBRARY_NOT_FOUND', 'No such pickup library.', { libraryId: input.pickupLibraryId });
  const today = dayAt(setting.timeZone, now);
  if (input.notNeededAfter !== undefined && input.notNeededAfter < today) {
    throw badRequest('VALIDATION_FAILED', 'Invalid input: notNeededAfter: is in the past', {
      fields: [{ field: 'notNeededAfter', message: 'is in the past' }],
    });
  }

  let patronId: string;
  let placedBy: string | null = null;
  if (by.kind === 'staff') {
    const actor = authorize(by.actor, 'circulation.desk', {
      institutionId: ownerId,
      ...(pickup.institutionId === ownerId ? { libraryId: pickup.id } : {}),
    });
    if (!input.patronId) {
      throw badRequest('VALIDATION_FAILED', 'Invalid input: patronId: is required', {
        fields: [{ field: 'patronId', message: 'is required' }],
      });
    }
    patronId = input.patronId;
    placedBy = actor.staffId;
  } else {
    if (by.actor.institutionId !== ownerId) {
      // FN-2: requests on other members' inventory come with the network issues.
      throw refused('REQUEST_REFUSED', 'Requests on another institution’s inventory are not offered yet.', {
        reasons: [
          {
            code: 'OTHER_INSTITUTION',
            message: 'Requests on another institution’s inventory are not offered yet.',
            overridable: false,
          },
        ],
      });
    }
    patronId = by.actor.patronId;
  }

  return db.transaction().execute(async (trx) => {
    // The fixed lock order: the title's request queue, the item, the patron; then INV-4 /
    // CIRC-7 / CIRC-2: the patron's blocks, active request for the work, the copies and the
    // next place in the queue, in one statement after the three locks, so that it sees
    // whatever another request, loan or return of this title or patron committed meanwhile.
    const {
      title,
      item,
      patron: locked,
      state,
    } = await lockToPlaceRequest(trx, {
      institutionId: ownerId,
      bibId,
      volume,
      itemId: input.itemId ?? null,
      patronId,
      now,
    });
    const patron = { ...locked, blocks: state.blocks };
    if (state.existingRequestId) {
      throw conflict(
        'REQUEST_ALREADY_EXISTS',
        'The patron already has an active request for this work and volume (CIRC-7).',
        { requestId: state.existingRequestId },
      );
    }
    const check = {
      today,
      requestType: input.requestType,
      level: item ? ('item' as const) : ('title' as const),
      ownerInstitutionId: ownerId,
      pickup: { institutionId: pickup.institutionId, libraryId: pickup.id },
      patron,
      titleWithdrawn: title.withdrawn,
      itemWithdrawn: item?.withdrawn ?? false,
      copies: copiesForRequest(state.copies, setting, patron.userGroupId),
    };
    const refusals = collectRequestRefusals(check);
    if (refusals.length > 0) {
      throw refused(
        'REQUEST_REFUSED',
        `The request is refused: ${refusals.map((r) => r.message).join(' ')}`,
        {
          reasons: refusals.map(presentRefusal),
        },
      );
    }
    const target = item ? item.id : (chooseTarget(requestableCopies(check), pickup.id)?.itemId ?? null);
    // An item request's item is among the copies: a withdrawn one was refused above.
    const targetCopy = target === null ? null : state.copies.find((c) => c.itemId === target);
    if (targetCopy === undefined)
      throw new Error(`the request's copy ${target} is not among the copies read`);
    const position = state.nextPosition;
    // The request's id is made here so that its history entry goes in the same statement.
    const id = newRowId();
    // CIRC-13: a request naming or targeted at a copy is in that copy's history.
    await insertRequest(
      trx,
      {
        id,
        institution_id: ownerId,
        patron_id: patron.id,
        bib_id: bibId,
        work_key: title.workKey,
        volume,
        item_id: target,
        request_type: input.requestType,
        level: item ? 'item' : 'title',
        pickup_institution_id: pickup.institutionId,
        pickup_library_id: pickup.id,
        queue_position: position,
        placed_at: now,
        placed_by: placedBy,
        not_needed_after: input.notNeededAfter ?? null,
        updated_at: now,
      },
      target
        ? {
            itemId: target,
            where: { ...noPlace, actingInstitutionId: ownerId, operatorStaffId: placedBy },
            details: { action: 'placed', requestType: input.requestType, queuePosition: position },
          }
        : null,
      now,
      // The transaction's last write: its COMMIT travels with it (decision 68).
      { commit: true },
    );
    return presentPlacedRequest({
      id,
      institutionId: ownerId,
      requestType: input.requestType,
      level: item ? 'item' : 'title',
      queuePosition: position,
      volume,
      placedAt: now,
      placedByStaff: placedBy !== null,
      title: { id: title.id, title: title.title, author: title.author },
      item: targetCopy && {
        id: targetCopy.itemId,
        barcode: targetCopy.barcode,
        callNumber: targetCopy.callNumber,
        location: targetCopy.locationName,
        library: { id: targetCopy.homeLibraryId, name: targetCopy.libraryName },
      },
      patron: { id: patron.id, name: patron.name, identifier: patron.identifier },
      pickupLibrary: { id: pickup.id, name: pickup.name, institutionId: pickup.institutionId },
    });
  });
}

/**
 * The copies of a title and volume (or the one item) with their availability and what the
 * owner's terms of use for this patron say of each (CIRC-2).
 */
function copiesForRequest(
  copies: PlacingState['copies'],
  setting: NonNullable<Awaited<ReturnType<typeof loadRequestSetting>>>,
  userGroupId: string,
): (CopyForRequest & { barcode: string })[] {
  return copies.map((c) => {
    const selection = selectTermsOfUse(setting.rules, {
      userGroupId,
      itemPolicyId: c.itemPolicyId,
      materialTypeId: c.materialTypeId,
      locationId: c.locationId,
    });
    const terms = selection.ok ? setting.terms.find((t) => t.id === selection.termsOfUseId) : undefined;
    if (selection.ok && !terms) {
      throw new Error(`terms of use ${selection.termsOfUseId} of a rule are not the institution's`);
    }
    return {
      itemId: c.itemId,
      barcode: c.barcode,
      homeLibraryId: c.homeLibraryId,
      available: c.available,
      requestsAllowed: terms?.requests_allowed ?? false,
      pickupPolicy: terms?.pickup_location_policy ?? 'own_library',
      onLoanToPatron: c.onLoanToPatron,
    };
  });
}

/** The request's title, read without a lock so that the queue can be locked first. */
async function requestKey(db: Db, institutionId: string, requestId: string) {
  const row = await db
    .selectFrom('requests')
    .select(['bib_id', 'patron_id', 'pickup_library_id', 'item_id'])
    .where('institution_id', '=', institutionId)
    .where('id', '=', requestId)
    .executeTakeFirst();
  if (!row) throw notFound('REQUEST_NOT_FOUND', 'No such request in this institution.', { requestId });
  return row;
}

const notActive = (request: RequestRow) =>
  refused(
    'REQUEST_NOT_ACTIVE',
    `The request is ${request.status.replace(/_/g, ' ')}; it can no longer change.`,
    {
      status: request.status,
    },
  );

/**
 * CIRC-7: cancel a request with a reason (staff, or the patron their own). The queue closes
 * up; a picked item goes back in place (and may be targeted by the next in line); an item in
 * transit keeps travelling and is decided afresh on arrival (CIRC-9); an item on the hold
 * shelf stays on the expired hold shelf list until staff scan it (CIRC-8). The patron gets the
 * request_cancelled letter.
 */
export async function cancelRequest(
  db: Db,
  now: Date,
  by: Requester,
  institutionId: string,
  requestId: string,
  reason: string,
) {
  const key = await requestKey(db, institutionId, requestId);
  let staffId: string | null = null;
  if (by.kind === 'staff') {
    staffId = authorize(by.actor, 'circulation.desk', { institutionId }).staffId;
  } else if (by.actor.institutionId !== institutionId || by.actor.patronId !== key.patron_id) {
    throw notFound('REQUEST_NOT_FOUND', 'No such request in this institution.', { requestId });
  }
  const where: Where = {
    actingInstitutionId: institutionId,
    libraryId: null,
    deskId: null,
    operatorStaffId: staffId,
  };
  await db.transaction().execute(async (trx) => {
    const title = await lockQueue(trx, institutionId, key.bib_id);
    const request = await loadRequest(trx, institutionId, requestId);
    if (request.queuePosition === null) throw notActive(request);
    await leaveQueue(trx, request, where, now, {
      close: { status: 'cancelled', reason },
      history: { action: 'cancelled', reason, previousStatus: request.status, by: by.kind },
      letter: {
        subject: 'request cancelled',
        lines: [`Your request for ${title.title} has been cancelled.`, `Reason: ${reason}`],
        messageId: `request-cancelled-${request.id}@shelfshare`,
      },
    });
  });
}

/**
 * CIRC-7: an active request leaves its queue (cancelled, or expired while waiting), inside the
 * caller's transaction with the queue locked. The queue closes up; a picked item or one on the
 * hold shelf goes back in place (the shelf one stays on the expired hold shelf list, CIRC-8);
 * an item in transit keeps travelling; the patron gets a `request_cancelled` letter; the copy
 * the request targeted (now free) is targeted by the next in line.
 */
async function leaveQueue(
  trx: Executor,
  request: RequestRow,
  where: Where,
  now: Date,
  change: {
    close: { status: 'cancelled'; reason: string } | { status: 'expired' };
    history: Record<string, unknown>;
    letter: { subject: string; lines: string[]; messageId: string };
  },
) {
  const { institutionId } = request;
  const item = request.itemId ? await lockItemById(trx, institutionId, request.itemId) : null;
  if (item && (request.status === 'in_process' || request.status === 'on_hold_shelf')) {
    await trx
      .updateTable('items')
      .set({ in_place: true, process_type: null, updated_at: now })
      .where('institution_id', '=', institutionId)
      .where('id', '=', item.id)
      .execute();
  }
  await closeRequest(trx, request, change.close, now);
  if (item) await recordRequestHistory(trx, request, item.id, where, now, change.history);
  await writeRequestLetter(trx, {
    institutionId,
    patronId: request.patronId,
    type: 'request_cancelled',
    ...change.letter,
    now,
  });
  await fillTargets(trx, request, where, now);
}

/**
 * CIRC-7 `expired` / CIRC-10 request expiry: one batch (one short transaction) of waiting
 * (not_started) requests whose `not_needed_after` day has passed in the owner's time zone, in
 * key order after `after`. Each leaves its queue as a cancel does (`leaveQueue`: the queue
 * closes up, a targeted copy goes to the next in line, a `request_cancelled` letter), with
 * status `expired`. Requests already picked, in transit or on the hold shelf are not expired
 * here: their copy is on its way to the patron (the hold shelf expiry covers the shelf).
 * Each request's queue is locked, then its status and day are read again, so a request picked
 * meanwhile is left alone. Idempotent: an expired request is no longer a candidate.
 */
export async function expireUnneededRequests(
  db: Db,
  input: { now: Date; after: { institutionId: string; id: string } | null; limit: number },
): Promise<{ rows: number; last: { institutionId: string; id: string } | null; changed: number }> {
  const { now, after } = input;
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      institution_id: string;
      id: string;
      bib_id: string;
    }>`SELECT r.institution_id, r.id, r.bib_id FROM requests r
      JOIN institutions inst ON inst.id = r.institution_id
      WHERE r.status = 'not_started' AND r.not_needed_after IS NOT NULL
        AND r.not_needed_after < (${now}::timestamptz AT TIME ZONE inst.time_zone)::date
        ${after ? sql`AND (r.institution_id, r.id) > (${after.institutionId}::uuid, ${after.id}::uuid)` : sql``}
      ORDER BY r.institution_id, r.id LIMIT ${input.limit}`.execute(trx);
    let changed = 0;
    const timeZones = new Map<string, string>();
    for (const r of rows) {
      const title = await lockQueue(trx, r.institution_id, r.bib_id);
      const request = await loadRequest(trx, r.institution_id, r.id);
      let timeZone = timeZones.get(r.institution_id);
      if (!timeZone) {
        timeZone = (
          await trx
            .selectFrom('institutions')
            .select('time_zone')
            .where('id', '=', r.institution_id)
            .executeTakeFirstOrThrow()
        ).time_zone;
        timeZones.set(r.institution_id, timeZone);
      }
      const { not_needed_after: day } = await trx
        .selectFrom('requests')
        .select('not_needed_after')
        .where('institution_id', '=', r.institution_id)
        .where('id', '=', r.id)
        .executeTakeFirstOrThrow();
      if (request.status !== 'not_started' || !day || day >= dayAt(timeZone, now)) continue;
      await leaveQueue(trx, request, { ...noPlace, actingInstitutionId: r.institution_id }, now, {
        close: { status: 'expired' },
        history: { action: 'expired', notNeededAfter: day, previousStatus: request.status },
        letter: {
          subject: 'your request has expired',
          lines: [
            `Your request for ${title.title} was not needed after ${day} and has now expired.`,
            'Place a new request if you still want it.',
          ],
          messageId: `request-expired-${request.id}@shelfshare`,
        },
      });
      changed++;
    }
    const last = rows.at(-1);
    return {
      rows: rows.length,
      last: last ? { institutionId: last.institution_id, id: last.id } : null,
      changed,
    };
  });
}

/** The request at the head of the pick list for its item, locked with its queue and item. */
async function lockPickable(trx: Executor, institutionId: string, requestId: string) {
  const request = await loadRequest(trx, institutionId, requestId);
  if (request.status !== 'not_started' || !request.itemId) {
    throw refused(
      'NOT_ON_PICK_LIST',
      request.status === 'not_started'
        ? 'No copy is available for this request yet; it is not on the pick list.'
        : `The request is ${request.status.replace(/_/g, ' ')}, not waiting to be picked.`,
      { status: request.status },
    );
  }
  const item = await lockItemById(trx, institutionId, request.itemId);
  if (!item.inPlace || item.withdrawn) {
    throw refused('NOT_ON_PICK_LIST', 'The item is not on the shelf; the request waits for it.', {
      processType: item.processType,
    });
  }
  const ahead = await trx
    .selectFrom('requests')
    .select('id')
    .where('institution_id', '=', institutionId)
    .where('item_id', '=', item.id)
    .where('status', '=', 'not_started')
    .where('queue_position', '<', request.queuePosition ?? 0)
    .executeTakeFirst();
  if (ahead) {
    throw refused('NOT_ON_PICK_LIST', 'An earlier request waits for this item; pick for that one first.', {
      requestId: ahead.id,
    });
  }
  return { request, item };
}

/**
 * Pick from shelf: the copy was taken from the shelf for the request (status in_process; the
 * item's process type `requested`, INV-2). Scanning it in at a desk then puts it on the hold
 * shelf or in transit to the pickup library (CIRC-6).
 */
export async function markPicked(
  db: Db,
  actor: Actor | null,
  now: Date,
  institutionId: string,
  requestId: string,
) {
  const key = await requestKey(db, institutionId, requestId);
  const library = await itemLibrary(db, institutionId, key.item_id);
  const staff = authorize(actor, 'circulation.desk', {
    institutionId,
    ...(library ? { libraryId: library } : {}),
  });
  const where: Where = {
    actingInstitutionId: institutionId,
    libraryId: library,
    deskId: null,
    operatorStaffId: staff.staffId,
  };
  await db.transaction().execute(async (trx) => {
    await lockQueue(trx, institutionId, key.bib_id);
    const { request, item } = await lockPickable(trx, institutionId, requestId);
    await trx
      .updateTable('requests')
      .set({ status: 'in_process', updated_at: now })
      .where('institution_id', '=', institutionId)
      .where('id', '=', request.id)
      .execute();
    await trx
      .updateTable('items')
      .set({ in_place: false, process_type: 'requested', updated_at: now })
      .where('institution_id', '=', institutionId)
      .where('id', '=', item.id)
      .execute();
    await recordRequestHistory(trx, request, item.id, where, now, { action: 'picked' });
    if ((await releaseTargets(trx, institutionId, item.id, request.id, now)).length > 0) {
      await fillTargets(trx, request, where, now);
    }
  });
}

async function itemLibrary(
  db: Executor,
  institutionId: string,
  itemId: string | null,
): Promise<string | null> {
  if (!itemId) return null;
  const row = await db
    .selectFrom('items as i')
    .innerJoin('holdings as h', (j) =>
      j.onRef('h.institution_id', '=', 'i.institution_id').onRef('h.id', '=', 'i.holding_id'),
    )
    .select('h.library_id')
    .where('i.institution_id', '=', institutionId)
    .where('i.id', '=', itemId)
    .executeTakeFirst();
  return row?.library_id ?? null;
}

/**
 * CIRC-7: the copy on the pick list is missing or damaged. The item is marked (missing:
 * process type `missing`; damaged: `technical`, in for repair), and the request is targeted
 * at another available copy — an item request turns into a title request for that — or, when
 * none is left, waits untargeted in its place in the queue and the patron is told.
 */
export async function markMissing(
  db: Db,
  actor: Actor | null,
  now: Date,
  institutionId: string,
  requestId: string,
  input: { condition: 'missing' | 'damaged'; note?: string },
) {
  const key = await requestKey(db, institutionId, requestId);
  const library = await itemLibrary(db, institutionId, key.item_id);
  const staff = authorize(actor, 'circulation.desk', {
    institutionId,
    ...(library ? { libraryId: library } : {}),
  });
  const where: Where = {
    actingInstitutionId: institutionId,
    libraryId: library,
    deskId: null,
    operatorStaffId: staff.staffId,
  };
  return db.transaction().execute(async (trx) => {
    const title = await lockQueue(trx, institutionId, key.bib_id);
    const { request, item } = await lockPickable(trx, institutionId, requestId);
    await trx
      .updateTable('items')
      .set({
        in_place: false,
        process_type: input.condition === 'missing' ? 'missing' : 'technical',
        updated_at: now,
      })
      .where('institution_id', '=', institutionId)
      .where('id', '=', item.id)
      .execute();
    await recordRequestHistory(
      trx,
      request,
      item.id,
      where,
      now,
      { action: input.condition, note: input.note ?? null },
      'missing',
    );
    await trx
      .updateTable('requests')
      .set({ item_id: null, level: 'title', updated_at: now })
      .where('institution_id', '=', institutionId)
      .where('id', '=', request.id)
      .execute();
    const targeted = await fillTargets(trx, request, where, now);
    const mine = targeted.find((t) => t.requestId === request.id);
    if (!mine) {
      await writeRequestLetter(trx, {
        institutionId,
        patronId: request.patronId,
        type: 'request_unfillable',
        subject: 'no copy is available for your request now',
        lines: [
          `The copy of ${title.title} we were getting for you is ${input.condition}, and no other copy is available now.`,
          'Your request keeps its place in the queue and will be filled when a copy comes back.',
        ],
        messageId: `request-unfillable-${request.id}-${item.id}@shelfshare`,
        now,
      });
    }
    return { retargetedItemId: mine?.itemId ?? null };
  });
}

/**
 * CIRC-8 / CIRC-10: closes the requests on a pickup library's hold shelf whose expiry has
 * passed, each in its own short transaction (queue, then item). Idempotent: a second run finds
 * nothing to do. The item goes back in place but stays on the expired hold shelf list until
 * staff scan it, and the return rule (CIRC-6) sends it to the next request or home. The
 * scheduled job comes with the jobs issue; it will call this.
 */
export async function expireHoldShelf(ctx: { db: Db }, input: { libraryId: string; now: Date }) {
  const { db } = ctx;
  const { now } = input;
  const due = await db
    .selectFrom('requests')
    .select(['institution_id', 'id', 'bib_id'])
    .where('pickup_library_id', '=', input.libraryId)
    .where('status', '=', 'on_hold_shelf')
    .where('hold_shelf_expires_at', '<=', now)
    .orderBy('hold_shelf_expires_at')
    .limit(500)
    .execute();
  const expired: string[] = [];
  for (const r of due) {
    const done = await db.transaction().execute(async (trx) => {
      const title = await lockQueue(trx, r.institution_id, r.bib_id);
      const request = await loadRequest(trx, r.institution_id, r.id);
      if (
        request.status !== 'on_hold_shelf' ||
        !request.itemId ||
        !request.holdShelfExpiresAt ||
        request.holdShelfExpiresAt > now
      )
        return false;
      const item = await lockItemById(trx, r.institution_id, request.itemId);
      await trx
        .updateTable('items')
        .set({ in_place: true, process_type: null, updated_at: now })
        .where('institution_id', '=', r.institution_id)
        .where('id', '=', item.id)
        .execute();
      await closeRequest(trx, request, { status: 'expired' }, now);
      await recordRequestHistory(trx, request, item.id, { ...noPlace, libraryId: input.libraryId }, now, {
        action: 'expired',
      });
      await writeRequestLetter(trx, {
        institutionId: r.institution_id,
        patronId: request.patronId,
        type: 'hold_expired',
        subject: 'your request has expired',
        lines: [
          `${title.title} waited for you on the hold shelf until ${request.holdShelfExpiresAt.toISOString()}; the request has now expired.`,
        ],
        messageId: `hold-expired-${request.id}@shelfshare`,
        now,
      });
      return true;
    });
    if (done) expired.push(r.id);
  }
  return { expired: expired.length, requestIds: expired };
}

/** The patron's name as a desk of the owner shows it. */
export async function requesterName(db: Executor, institutionId: string, patronId: string) {
  const p = await db
    .selectFrom('patrons')
    .select(['first_name', 'last_name', 'preferred_name'])
    .where('institution_id', '=', institutionId)
    .where('id', '=', patronId)
    .executeTakeFirstOrThrow();
  return patronName(p);
}
