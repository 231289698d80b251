import {
  type Executor,
  type LockedItem,
  loadCalendar,
  loadTerms,
  loadTermsRules,
  lockPatron,
} from '../circulation/repository.ts';
import { addOpenDays, dayAt, endOfDay, plusDays, selectTermsOfUse } from '../circulation/rules/index.ts';
import { openTransit } from '../transits/repository.ts';
import {
  fillTargets,
  type RequestRow,
  recordRequestHistory,
  releaseTargets,
  type Where,
  writeRequestLetter,
} from './queue.ts';

/** Where a request's printable hold shelf slip is (CIRC-12: slips are pages, not letters). */
export const holdShelfSlipUrl = (institutionId: string, requestId: string) =>
  `/api/circulation/requests/${institutionId}/${requestId}/hold-shelf-slip`;

/**
 * CIRC-8 / CIRC-3: when a request put on the shelf now expires: the pickup library's open days
 * from today plus the hold shelf period of the owner's terms of use for the requester and the
 * item, at that day's closing time.
 */
export async function holdShelfExpiry(
  trx: Executor,
  request: RequestRow,
  item: LockedItem,
  now: Date,
): Promise<Date> {
  const patron = await lockPatron(trx, request.institutionId, request.patronId, now, {
    lock: false,
    blocks: false,
  });
  const rules = await loadTermsRules(trx, request.institutionId);
  const selection = selectTermsOfUse(rules, {
    userGroupId: patron.userGroupId,
    itemPolicyId: item.itemPolicyId,
    materialTypeId: item.materialTypeId,
    locationId: item.locationId,
  });
  const days = selection.ok
    ? (await loadTerms(trx, request.institutionId, selection.termsOfUseId)).hold_shelf_days
    : 7;
  const calendar = await loadCalendar(trx, request.pickupLibraryId);
  const today = dayAt(calendar.timeZone, now);
  const day = addOpenDays(calendar, today, days) ?? plusDays(today, days);
  return endOfDay(calendar, day);
}

/**
 * CIRC-6 / CIRC-8: the item goes on the pickup library's hold shelf for the request; the
 * patron gets the owner's hold-available letter with the library's address, hours and the
 * expiry. Scanning an item already on the shelf for its request changes nothing (FN-8).
 */
export async function putOnHoldShelf(
  trx: Executor,
  request: RequestRow,
  item: LockedItem,
  where: Where,
  now: Date,
): Promise<{ expiresAt: Date; alreadyThere: boolean }> {
  if (request.status === 'on_hold_shelf' && request.itemId === item.id && request.holdShelfExpiresAt) {
    return { expiresAt: request.holdShelfExpiresAt, alreadyThere: true };
  }
  const expiresAt = await holdShelfExpiry(trx, request, item, now);
  await trx
    .updateTable('requests')
    .set({ status: 'on_hold_shelf', item_id: item.id, hold_shelf_expires_at: expiresAt, updated_at: now })
    .where('institution_id', '=', request.institutionId)
    .where('id', '=', request.id)
    .execute();
  await trx
    .updateTable('items')
    .set({ in_place: false, process_type: 'hold_shelf', updated_at: now })
    .where('institution_id', '=', item.institutionId)
    .where('id', '=', item.id)
    .execute();
  await retargetOthers(trx, request, item.id, where, now);
  await recordRequestHistory(
    trx,
    request,
    item.id,
    where,
    now,
    { action: 'on_hold_shelf', pickupLibraryId: request.pickupLibraryId, expiresAt: expiresAt.toISOString() },
    'hold_shelf',
  );
  const library = await trx
    .selectFrom('libraries as l')
    .innerJoin('institutions as i', 'i.id', 'l.institution_id')
    .select(['l.name', 'l.address', 'l.phone', 'l.email', 'i.name as institution_name'])
    .select((eb) => eb.fn.coalesce('l.time_zone', 'i.time_zone').as('time_zone'))
    .where('l.id', '=', request.pickupLibraryId)
    .executeTakeFirstOrThrow();
  const hours = await trx
    .selectFrom('library_opening_hours')
    .select(['weekday', 'opens', 'closes'])
    .where('library_id', '=', request.pickupLibraryId)
    .orderBy('weekday')
    .execute();
  const WEEKDAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const until = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: library.time_zone,
  }).format(expiresAt);
  await writeRequestLetter(trx, {
    institutionId: request.institutionId,
    patronId: request.patronId,
    type: 'hold_available',
    subject: 'your request is ready for pickup',
    lines: [
      `${item.title} (${item.barcode}) is waiting for you on the hold shelf at:`,
      `  ${library.institution_name}, ${library.name}`,
      ...(library.address ? [`  ${library.address}`] : []),
      ...(hours.length > 0
        ? [
            `  Opening hours: ${hours.map((h) => `${WEEKDAYS[h.weekday]} ${String(h.opens).slice(0, 5)}-${String(h.closes).slice(0, 5)}`).join(', ')}`,
          ]
        : []),
      '',
      `Please collect it by ${until}.`,
    ],
    messageId: `hold-available-${request.id}@shelfshare`,
    now,
  });
  return { expiresAt, alreadyThere: false };
}

/**
 * CIRC-6 / CIRC-9: the item travels to the request's pickup library: a transit with reason
 * `request`, the request in transit with this item, the item's process type `transit`.
 */
export async function sendToPickup(
  trx: Executor,
  request: RequestRow,
  item: LockedItem,
  from: { libraryId: string; deskId: string | null; staffId: string | null },
  where: Where,
  now: Date,
): Promise<{ transitId: string; expectedArrivalAt: Date }> {
  const transit = await openTransit(trx, {
    institutionId: item.institutionId,
    itemId: item.id,
    fromLibraryId: from.libraryId,
    toLibraryId: request.pickupLibraryId,
    reason: 'request',
    requestId: request.id,
    deskId: from.deskId,
    staffId: from.staffId,
    now,
  });
  await trx
    .updateTable('requests')
    .set({ status: 'in_transit', item_id: item.id, updated_at: now })
    .where('institution_id', '=', request.institutionId)
    .where('id', '=', request.id)
    .execute();
  await trx
    .updateTable('items')
    .set({ in_place: false, process_type: 'transit', updated_at: now })
    .where('institution_id', '=', item.institutionId)
    .where('id', '=', item.id)
    .execute();
  await retargetOthers(trx, request, item.id, where, now);
  return { transitId: transit.id, expectedArrivalAt: transit.expectedArrivalAt };
}

/** Other waiting title requests targeted at this copy, now taken, are targeted at another one. */
async function retargetOthers(trx: Executor, request: RequestRow, itemId: string, where: Where, now: Date) {
  const released = await releaseTargets(trx, request.institutionId, itemId, request.id, now);
  if (released.length > 0) {
    await fillTargets(
      trx,
      { institutionId: request.institutionId, bibId: request.bibId, volume: request.volume },
      where,
      now,
    );
  }
}
