import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { addOpenDays, dayAt, plusDays } from '../../src/server/circulation/rules/index.ts';
import { expireHoldShelf } from '../../src/server/requests/commands.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import {
  buildBorrower,
  type CirculationSetup,
  circulationSetup,
  closeLibrary,
} from '../support/circulation.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';
import { itemState, lettersTo, placeFor, requestRow, scanIn } from '../support/requests.ts';

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operator: Client;
let manager: Client;
const ZONE = 'America/Toronto';

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
  manager = await signIn(t.app, cast.north.staff.circulation_desk_manager.username);
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;
const lend = (client: Client, body: Record<string, unknown>) =>
  client.post('/api/circulation/loans', { deskId: north.desks.main.id, ...body });

/** A title on loan to a holder, with a waiting hold for pickup at the main library. */
async function waitingHold(lastName = 'Waiting') {
  const book = await buildItem(db(), { institution: cast.north.institution, title: 'Hold Me' });
  const holder = await buildBorrower(db(), cast.north);
  expect((await lend(operator, { itemBarcode: book.barcode, patronId: holder.id })).statusCode).toBe(201);
  const requester = await buildBorrower(db(), cast.north, { lastName });
  const request = await placeFor(operator, {
    bibId: book.bibId,
    patronId: requester.id,
    pickupLibraryId: north.libraries.main,
  });
  expect(request.statusCode).toBe(201);
  return { book, holder, requester, requestId: request.json().id as string };
}

describe('CIRC-8 the hold shelf', () => {
  it('CIRC-6 / CIRC-8: a return at the pickup library of a waiting request puts it on the hold shelf, expiring after the hold shelf period counted in the pickup library’s open days, and the patron is told where and until when', async () => {
    const { book, requester, requestId } = await waitingHold();
    const today = dayAt(ZONE, new Date());
    await closeLibrary(db(), north.libraries.main, plusDays(today, 2));
    await closeLibrary(db(), north.libraries.main, plusDays(today, 3));
    await closeLibrary(db(), north.libraries.home, plusDays(today, 4)); // another library's calendar is not used
    await db()
      .updateTable('libraries')
      .set({ address: '1 College Street, Toronto' })
      .where('id', '=', north.libraries.main)
      .execute();
    const response = await scanIn(operator, north.desks.main.id, book.barcode);
    expect(response.statusCode).toBe(200);
    const step = response.json().nextStep;
    expect(step).toMatchObject({
      kind: 'hold_shelf',
      requestId,
      libraryId: north.libraries.main,
      slipUrl: `/api/circulation/requests/${north.institutionId}/${requestId}/hold-shelf-slip`,
      text: 'Place on the hold shelf for Pat Waiting',
    });
    const calendar = {
      timeZone: ZONE,
      openingHours: [],
      closedDays: [plusDays(today, 2), plusDays(today, 3)],
    };
    const expiry = DateTime.fromISO(step.holdShelfExpiresAt).setZone(ZONE);
    expect(expiry.toISODate()).toBe(addOpenDays(calendar, today, 7));
    expect(expiry.toFormat('HH:mm')).toBe('20:00');
    expect(await itemState(db(), book.itemId)).toEqual({ in_place: false, process_type: 'hold_shelf' });
    expect(await requestRow(db(), requestId)).toMatchObject({
      status: 'on_hold_shelf',
      item_id: book.itemId,
    });
    const letters = await lettersTo(db(), requester.id, 'hold_available');
    expect(letters).toHaveLength(1);
    expect(letters[0]?.body).toContain('North University Main Library');
    expect(letters[0]?.body).toContain('1 College Street, Toronto');
    expect(letters[0]?.body).toContain('Opening hours: Mon 08:00-20:00');
    expect(letters[0]?.body).toContain(String(expiry.year));
    // The shelf list and the slip.
    const shelf = (
      await operator.get(`/api/circulation/libraries/${north.libraries.main}/hold-shelf`)
    ).json();
    expect(shelf.filter((r: { id: string }) => r.id === requestId)).toEqual([
      expect.objectContaining({
        id: requestId,
        holdShelfExpiresAt: expiry.toUTC().toISO({ suppressMilliseconds: false }),
        holdShelfExpired: false,
      }),
    ]);
    const slip = await operator.get(step.slipUrl);
    expect(slip.statusCode).toBe(200);
    expect(slip.body).toContain('Pat Waiting');
    expect(slip.body).toContain(book.barcode);
    // A repeated scan changes nothing (FN-8): one letter, same expiry.
    const again = await scanIn(operator, north.desks.main.id, book.barcode);
    expect(again.json().nextStep).toMatchObject({
      kind: 'hold_shelf',
      holdShelfExpiresAt: step.holdShelfExpiresAt,
    });
    expect(await lettersTo(db(), requester.id, 'hold_available')).toHaveLength(1);
    await db().deleteFrom('library_closed_days').execute();
  });

  it('CIRC-4 / CIRC-8: nobody else can borrow an item waiting on the hold shelf, even with an override; the requester borrows it and the request completes (INV-3)', async () => {
    const { book, requester, requestId } = await waitingHold();
    await scanIn(operator, north.desks.main.id, book.barcode);
    const other = await buildBorrower(db(), cast.north);
    const refused = await lend(manager, {
      itemBarcode: book.barcode,
      patronId: other.id,
      override: { codes: ['ITEM_HELD_FOR_ANOTHER_PATRON'] },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().details.reasons).toEqual([
      expect.objectContaining({ code: 'ITEM_HELD_FOR_ANOTHER_PATRON', overridable: false }),
    ]);
    const lent = await lend(operator, { itemBarcode: book.barcode, patronId: requester.id });
    expect(lent.statusCode).toBe(201);
    expect(await requestRow(db(), requestId)).toMatchObject({
      status: 'completed',
      completed_loan_id: lent.json().loan.id,
      queue_position: null,
    });
    expect(await itemState(db(), book.itemId)).toEqual({ in_place: false, process_type: 'loan' });
    const shelf = (
      await operator.get(`/api/circulation/libraries/${north.libraries.main}/hold-shelf`)
    ).json();
    expect(shelf.map((r: { id: string }) => r.id)).not.toContain(requestId);
  });

  it('CIRC-8: at expiry the request closes as expired (once), the patron is told, the item is on the expired hold shelf list; scanned, it goes to the next request', async () => {
    const { book, requester, requestId } = await waitingHold('Late');
    const next = await buildBorrower(db(), cast.north, { lastName: 'Next' });
    const nextRequest = (
      await placeFor(operator, {
        bibId: book.bibId,
        patronId: next.id,
        pickupLibraryId: north.libraries.branch,
      })
    ).json();
    const shelved = (await scanIn(operator, north.desks.main.id, book.barcode)).json().nextStep;
    expect(shelved.requestId).toBe(requestId);
    // Not yet expired: nothing happens.
    expect(await expireHoldShelf({ db: db() }, { libraryId: north.libraries.main, now: new Date() })).toEqual(
      { expired: 0, requestIds: [] },
    );
    const later = new Date(new Date(shelved.holdShelfExpiresAt).getTime() + 1000);
    expect(await expireHoldShelf({ db: db() }, { libraryId: north.libraries.main, now: later })).toEqual({
      expired: 1,
      requestIds: [requestId],
    });
    expect(await expireHoldShelf({ db: db() }, { libraryId: north.libraries.main, now: later })).toEqual({
      expired: 0,
      requestIds: [],
    });
    expect(await requestRow(db(), requestId)).toMatchObject({ status: 'expired', queue_position: null });
    expect((await requestRow(db(), nextRequest.id)).queue_position).toBe(1);
    expect(await lettersTo(db(), requester.id, 'hold_expired')).toHaveLength(1);
    const expired = (
      await operator.get(`/api/circulation/libraries/${north.libraries.main}/hold-shelf/expired`)
    ).json();
    expect(expired.map((r: { id: string }) => r.id)).toEqual([requestId]);
    // The expired item is not handed to the next request's pick list while it sits on the shelf.
    const pick = (await operator.get(`/api/circulation/libraries/${north.libraries.home}/pick-list`)).json();
    expect(pick.map((r: { id: string }) => r.id)).not.toContain(nextRequest.id);
    // Staff scan it: CIRC-6 sends it to the next request's pickup library, and it leaves the list.
    const scanned = await scanIn(operator, north.desks.main.id, book.barcode);
    expect(scanned.json().nextStep).toMatchObject({
      kind: 'transit',
      reason: 'request',
      requestId: nextRequest.id,
      libraryId: north.libraries.branch,
    });
    expect(
      (await operator.get(`/api/circulation/libraries/${north.libraries.main}/hold-shelf/expired`)).json(),
    ).toEqual([]);
  });

  it('CIRC-7 / CIRC-8: a request cancelled while on the hold shelf leaves its item on the expired list until scanned; with nobody waiting it goes home', async () => {
    const { book, requestId } = await waitingHold();
    await scanIn(operator, north.desks.main.id, book.barcode);
    const cancelled = await operator.post(
      `/api/circulation/requests/${north.institutionId}/${requestId}/cancel`,
      { reason: 'Patron moved away' },
    );
    expect(cancelled.json().status).toBe('cancelled');
    expect(await itemState(db(), book.itemId)).toEqual({ in_place: true, process_type: null });
    const expired = (
      await operator.get(`/api/circulation/libraries/${north.libraries.main}/hold-shelf/expired`)
    ).json();
    expect(expired.map((r: { id: string }) => r.id)).toEqual([requestId]);
    const scanned = await scanIn(operator, north.desks.main.id, book.barcode);
    expect(scanned.json().nextStep).toMatchObject({
      kind: 'transit',
      reason: 'home_library',
      libraryId: north.libraries.home,
    });
    expect(
      (await operator.get(`/api/circulation/libraries/${north.libraries.main}/hold-shelf/expired`)).json(),
    ).toEqual([]);
    await scanIn(operator, north.desks.home.id, book.barcode);
  });

  it('CIRC-8: the expire route runs the same idempotent use case for staff; 403 without the desk privilege', async () => {
    const userManager = await signIn(t.app, cast.north.staff.user_manager.username);
    expect(
      (await userManager.post(`/api/circulation/libraries/${north.libraries.main}/hold-shelf/expire`, {}))
        .statusCode,
    ).toBe(403);
    const run = await operator.post(
      `/api/circulation/libraries/${north.libraries.main}/hold-shelf/expire`,
      {},
    );
    expect(run.statusCode).toBe(200);
    expect(run.json()).toEqual({ expired: 0, requestIds: [] });
  });
});
