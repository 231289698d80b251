import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import { buildBorrower, type CirculationSetup, circulationSetup } from '../support/circulation.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';
import { itemState, placeFor, requestRow, scanIn } from '../support/requests.ts';

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operator: Client;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;
const lend = (body: Record<string, unknown>) =>
  operator.post('/api/circulation/loans', { deskId: north.desks.main.id, ...body });
const openTransits = (itemId: string) =>
  db()
    .selectFrom('transits')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('status', '=', 'open')
    .execute();
const transitsOf = async (libraryId: string, direction: 'to' | 'from') =>
  (await operator.get(`/api/circulation/libraries/${libraryId}/transits?direction=${direction}`)).json() as {
    id: string;
    late: boolean;
    item: { id: string };
    expectedArrivalAt: string;
  }[];

describe('CIRC-9 transits', () => {
  it('CIRC-6 / CIRC-9: a return elsewhere sends it in transit to the pickup library, a scan at a third library keeps the destination, and arrival puts it on the hold shelf', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution, title: 'The Journey' });
    const holder = await buildBorrower(db(), cast.north);
    await lend({ itemBarcode: book.barcode, patronId: holder.id });
    const requester = await buildBorrower(db(), cast.north, { lastName: 'Traveller' });
    const requestId = (
      await placeFor(operator, {
        bibId: book.bibId,
        patronId: requester.id,
        pickupLibraryId: north.libraries.main,
      })
    ).json().id as string;

    // Returned at the branch: straight to the pickup library (no detour home).
    const returned = await scanIn(operator, north.desks.branch.id, book.barcode);
    const step = returned.json().nextStep;
    expect(step).toMatchObject({
      kind: 'transit',
      reason: 'request',
      requestId,
      libraryId: north.libraries.main,
    });
    expect(step.slipUrl).toBe(`/api/circulation/transits/${north.institutionId}/${step.transitId}/slip`);
    expect(step.text).toBe('Put in transit to North University Main Library');
    expect(await itemState(db(), book.itemId)).toEqual({ in_place: false, process_type: 'transit' });
    expect(await requestRow(db(), requestId)).toMatchObject({ status: 'in_transit', item_id: book.itemId });
    const slip = await operator.get(step.slipUrl);
    expect(slip.statusCode).toBe(200);
    expect(slip.body).toContain('North University Main Library');
    expect(slip.body).toContain('For a request');
    expect(slip.body).toContain('Pat Traveller');

    // Scanned at a third library (the item's home): it keeps its destination.
    const third = await scanIn(operator, north.desks.home.id, book.barcode);
    expect(third.json().nextStep).toMatchObject({
      kind: 'transit',
      reason: 'request',
      libraryId: north.libraries.main,
      transitId: step.transitId,
      keptDestination: true,
    });
    expect((await openTransits(book.itemId)).map((x) => x.id)).toEqual([step.transitId]);
    const history = (
      await operator.get(`/api/institutions/${north.institutionId}/items/${book.itemId}/history`)
    ).json();
    expect(history[0]).toMatchObject({
      event: 'scan_in',
      library: { id: north.libraries.home },
      details: { keptDestination: true, transitId: step.transitId },
    });

    // Arrival at the pickup library: received, on the hold shelf.
    const arrived = await scanIn(operator, north.desks.main.id, book.barcode);
    expect(arrived.json().nextStep).toMatchObject({
      kind: 'hold_shelf',
      requestId,
      receivedTransitId: step.transitId,
    });
    expect(await openTransits(book.itemId)).toEqual([]);
    const transit = await db()
      .selectFrom('transits')
      .selectAll()
      .where('id', '=', step.transitId)
      .executeTakeFirstOrThrow();
    expect(transit).toMatchObject({ status: 'received', received_desk_id: north.desks.main.id });
    expect(await requestRow(db(), requestId)).toMatchObject({ status: 'on_hold_shelf' });
  });

  it('CIRC-9 / NET-6: the expected arrival comes from the transit-time table (1 day when missing); lists to and from a library mark late transits', async () => {
    await db()
      .insertInto('transit_times')
      .values({ from_library_id: north.libraries.branch, to_library_id: north.libraries.home, days: 3 })
      .execute();
    const slow = await buildItem(db(), { institution: cast.north.institution });
    const fast = await buildItem(db(), { institution: cast.north.institution });
    const sentSlow = (await scanIn(operator, north.desks.branch.id, slow.barcode)).json().nextStep;
    const sentFast = (await scanIn(operator, north.desks.main.id, fast.barcode)).json().nextStep;
    expect(sentSlow).toMatchObject({
      kind: 'transit',
      reason: 'home_library',
      libraryId: north.libraries.home,
    });
    const [slowTransit] = await openTransits(slow.itemId);
    const [fastTransit] = await openTransits(fast.itemId);
    expect((slowTransit?.expected_arrival_at.getTime() ?? 0) - (slowTransit?.sent_at.getTime() ?? 0)).toBe(
      3 * DAY,
    );
    expect((fastTransit?.expected_arrival_at.getTime() ?? 0) - (fastTransit?.sent_at.getTime() ?? 0)).toBe(
      DAY,
    );
    // The fast one is late (sent two days ago).
    await db()
      .updateTable('transits')
      .set({ sent_at: new Date(Date.now() - 2 * DAY), expected_arrival_at: new Date(Date.now() - DAY) })
      .where('id', '=', sentFast.transitId)
      .execute();
    const incoming = await transitsOf(north.libraries.home, 'to');
    expect(
      incoming.filter((x) => [slow.itemId, fast.itemId].includes(x.item.id)).map((x) => [x.item.id, x.late]),
    ).toEqual([
      [fast.itemId, true],
      [slow.itemId, false],
    ]);
    expect((await transitsOf(north.libraries.branch, 'from')).map((x) => x.item.id)).toContain(slow.itemId);
    expect((await transitsOf(north.libraries.branch, 'to')).map((x) => x.item.id)).not.toContain(slow.itemId);
    // Both arrive home and are reshelved.
    for (const b of [slow, fast]) {
      expect((await scanIn(operator, north.desks.home.id, b.barcode)).json().nextStep.kind).toBe('reshelve');
      expect(await itemState(db(), b.itemId)).toEqual({ in_place: true, process_type: null });
    }
  });

  it('CIRC-9: any other transit scanned at a third library is received there and decided afresh (one open transit)', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const first = (await scanIn(operator, north.desks.branch.id, book.barcode)).json().nextStep;
    const second = (await scanIn(operator, north.desks.main.id, book.barcode)).json().nextStep;
    expect(second).toMatchObject({
      kind: 'transit',
      reason: 'home_library',
      receivedTransitId: first.transitId,
    });
    expect(second.transitId).not.toBe(first.transitId);
    const open = await openTransits(book.itemId);
    expect(open.map((x) => [x.id, x.from_library_id])).toEqual([[second.transitId, north.libraries.main]]);
    // A request placed meanwhile is filled at the next scan: straight to its pickup library.
    const patron = await buildBorrower(db(), cast.north);
    const request = (
      await placeFor(operator, {
        bibId: book.bibId,
        patronId: patron.id,
        pickupLibraryId: north.libraries.branch,
      })
    ).json();
    expect(request).toMatchObject({ status: 'not_started', item: null });
    const third = (await scanIn(operator, north.desks.home.id, book.barcode)).json().nextStep;
    expect(third).toMatchObject({
      kind: 'transit',
      reason: 'request',
      requestId: request.id,
      libraryId: north.libraries.branch,
    });
  });

  it('INV-1 / CIRC-9: the database refuses a second open transit for an item', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    await scanIn(operator, north.desks.branch.id, book.barcode);
    await expect(
      db()
        .insertInto('transits')
        .values({
          institution_id: north.institutionId,
          item_id: book.itemId,
          from_library_id: north.libraries.main,
          to_library_id: north.libraries.home,
          reason: 'home_library',
          expected_arrival_at: new Date(Date.now() + DAY),
        })
        .execute(),
    ).rejects.toThrow(/transits_one_open_per_item/);
    await scanIn(operator, north.desks.home.id, book.barcode);
  });

  it('CIRC-9: a transit is cancelled safely: the item is in place where it is, a request it carried waits for the copy again, and a second cancel is refused', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const patron = await buildBorrower(db(), cast.north);
    const request = (
      await placeFor(operator, {
        itemId: book.itemId,
        patronId: patron.id,
        pickupLibraryId: north.libraries.main,
      })
    ).json();
    await operator.post(`/api/circulation/requests/${north.institutionId}/${request.id}/picked`);
    const sent = (await scanIn(operator, north.desks.home.id, book.barcode)).json().nextStep;
    expect(sent).toMatchObject({ kind: 'transit', reason: 'request' });
    const url = `/api/circulation/transits/${north.institutionId}/${sent.transitId}/cancel`;
    expect((await operator.post(url, {})).statusCode).toBe(400);
    const cancelled = await operator.post(url, { reason: 'Van broke down' });
    expect(cancelled.statusCode).toBe(204);
    expect(await itemState(db(), book.itemId)).toEqual({ in_place: true, process_type: null });
    expect(await requestRow(db(), request.id)).toMatchObject({ status: 'not_started', item_id: book.itemId });
    const pick = (await operator.get(`/api/circulation/libraries/${north.libraries.home}/pick-list`)).json();
    expect(pick.map((r: { id: string }) => r.id)).toContain(request.id);
    const again = await operator.post(url, { reason: 'again' });
    expect(again.statusCode).toBe(422);
    expect(again.json().code).toBe('TRANSIT_NOT_OPEN');
    // The next scan decides afresh: it is filled for the request.
    const scanned = (await scanIn(operator, north.desks.home.id, book.barcode)).json().nextStep;
    expect(scanned).toMatchObject({ kind: 'transit', reason: 'request', requestId: request.id });
  });

  it('CIRC-9: transit lists, slips and cancels need the desk privilege at the institution', async () => {
    const userManager = await signIn(t.app, cast.north.staff.user_manager.username);
    expect(
      (await userManager.get(`/api/circulation/libraries/${north.libraries.home}/transits`)).statusCode,
    ).toBe(403);
    const south = await signIn(t.app, cast.south.staff.circulation_desk_operator.username);
    expect((await south.get(`/api/circulation/libraries/${north.libraries.home}/transits`)).statusCode).toBe(
      403,
    );
    expect(
      (await operator.get('/api/circulation/libraries/00000000-0000-4000-8000-000000000000/transits'))
        .statusCode,
    ).toBe(404);
  });
});
