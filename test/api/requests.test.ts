import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { dayAt, plusDays } from '../../src/server/circulation/rules/index.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import {
  buildBorrower,
  type CirculationSetup,
  circulationSetup,
  signInPatron,
} from '../support/circulation.ts';
import { anonymous, type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';
import {
  addCopy,
  itemState,
  lettersTo,
  placeFor,
  requestCounts,
  requestRow,
  scanIn,
} from '../support/requests.ts';

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operator: Client;
let manager: Client;

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
const title = (options: Parameters<typeof buildItem>[1] = {}) =>
  buildItem(db(), { institution: cast.north.institution, ...options });
const borrower = (options: Parameters<typeof buildBorrower>[2] = {}) =>
  buildBorrower(db(), cast.north, options);
const lend = (client: Client, body: Record<string, unknown>) =>
  client.post('/api/circulation/loans', { deskId: north.desks.main.id, ...body });
const codes = (body: { details: { reasons: { code: string }[] } }) => body.details.reasons.map((r) => r.code);
const pickList = async (libraryId: string) =>
  (await operator.get(`/api/circulation/libraries/${libraryId}/pick-list`)).json() as {
    id: string;
    item: { barcode: string };
  }[];

describe('CIRC-7 placing requests: refusals first', () => {
  it('CIRC-7: 401 without sign-in, 403 without circulation.desk, 400 on bad input, 404 on an unknown title', async () => {
    const book = await title();
    const patron = await borrower();
    const body = { bibId: book.bibId, patronId: patron.id, pickupLibraryId: north.libraries.main };
    expect((await placeFor(anonymous(t.app), body)).statusCode).toBe(401);
    const userManager = await signIn(t.app, cast.north.staff.user_manager.username);
    expect((await placeFor(userManager, body)).statusCode).toBe(403);
    const neither = await placeFor(operator, { patronId: patron.id, pickupLibraryId: north.libraries.main });
    expect(neither.statusCode).toBe(400);
    const both = await placeFor(operator, { ...body, itemId: book.itemId });
    expect(both.statusCode).toBe(400);
    const badType = await placeFor(operator, { ...body, requestType: 'recall' });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().details.fields).toEqual([expect.objectContaining({ field: 'requestType' })]);
    const unknown = await placeFor(operator, { ...body, bibId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode).toBe(404);
    expect(await requestCounts(db())).toMatchObject({ requests: 0 });
  });

  it('CIRC-7 / PAT-7 / CIRC-2: every reason to refuse at once (422), and nothing is written', async () => {
    const today = dayAt('America/Toronto', new Date());
    const patron = await borrower({ expiryDate: plusDays(today, -1) });
    await db()
      .insertInto('patron_blocks')
      .values({
        institution_id: north.institutionId,
        patron_id: patron.id,
        block_type: 'FINES',
        reason: 'unpaid',
      })
      .execute();
    const book = await title();
    const before = await requestCounts(db());
    const response = await placeFor(operator, {
      bibId: book.bibId,
      patronId: patron.id,
      pickupLibraryId: north.libraries.main,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe('REQUEST_REFUSED');
    expect(codes(response.json())).toEqual(['PATRON_EXPIRED', 'PATRON_BLOCKED']);
    expect(await requestCounts(db())).toEqual(before);
  });

  it('CIRC-2: terms that forbid requests refuse them; an own-library pickup policy refuses another library', async () => {
    const patron = await borrower();
    const dvd = await title({ materialType: 'DVD' });
    await db()
      .updateTable('terms_of_use')
      .set({ requests_allowed: false })
      .where('id', '=', north.terms.dvd)
      .execute();
    const forbidden = await placeFor(operator, {
      bibId: dvd.bibId,
      patronId: patron.id,
      pickupLibraryId: north.libraries.main,
    });
    expect(forbidden.statusCode).toBe(422);
    expect(codes(forbidden.json())).toEqual(['REQUESTS_NOT_ALLOWED']);
    await db()
      .updateTable('terms_of_use')
      .set({ requests_allowed: true })
      .where('id', '=', north.terms.dvd)
      .execute();

    await db()
      .updateTable('terms_of_use')
      .set({ pickup_location_policy: 'own_library' })
      .where('id', '=', north.terms.standard)
      .execute();
    const book = await title();
    const elsewhere = await placeFor(operator, {
      bibId: book.bibId,
      patronId: patron.id,
      pickupLibraryId: north.libraries.main,
    });
    expect(elsewhere.statusCode).toBe(422);
    expect(codes(elsewhere.json())).toEqual(['PICKUP_NOT_ALLOWED']);
    // Another institution's library is never a pickup point before network requests exist.
    const south = await placeFor(operator, {
      bibId: book.bibId,
      patronId: patron.id,
      pickupLibraryId: cast.south.main.id,
    });
    expect(south.statusCode).toBe(422);
    expect(codes(south.json())).toEqual(['PICKUP_NOT_ALLOWED']);
    const home = await placeFor(operator, {
      bibId: book.bibId,
      patronId: patron.id,
      pickupLibraryId: north.libraries.home,
    });
    expect(home.statusCode).toBe(201);
    await db()
      .updateTable('terms_of_use')
      .set({ pickup_location_policy: 'any_library' })
      .where('id', '=', north.terms.standard)
      .execute();
  });

  it('CIRC-7: a page needs an available copy; a patron cannot request what they have on loan', async () => {
    const book = await title();
    const holder = await borrower();
    expect((await lend(operator, { itemBarcode: book.barcode, patronId: holder.id })).statusCode).toBe(201);
    const page = await placeFor(operator, {
      bibId: book.bibId,
      patronId: (await borrower()).id,
      requestType: 'page',
      pickupLibraryId: north.libraries.main,
    });
    expect(page.statusCode).toBe(422);
    expect(codes(page.json())).toEqual(['NOTHING_TO_PAGE']);
    const own = await placeFor(operator, {
      itemId: book.itemId,
      patronId: holder.id,
      pickupLibraryId: north.libraries.main,
    });
    expect(own.statusCode).toBe(422);
    expect(codes(own.json())).toEqual(['ALREADY_ON_LOAN_TO_PATRON']);
    await scanIn(operator, north.desks.home.id, book.barcode);
  });

  it('INV-4 / CIRC-7: one active request per patron per work and volume (409); another volume is another request', async () => {
    const book = await title();
    const v2 = await addCopy(db(), cast.north, { bibId: book.bibId, enumeration: 'v.2' });
    const patron = await borrower();
    const body = { bibId: book.bibId, patronId: patron.id, pickupLibraryId: north.libraries.main };
    expect((await placeFor(operator, body)).statusCode).toBe(201);
    const again = await placeFor(operator, body);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('REQUEST_ALREADY_EXISTS');
    // The same work through another record of it (same work key) is the same work.
    const sameWork = await title({
      workKey: (
        await db()
          .selectFrom('bib_records')
          .select('work_key')
          .where('id', '=', book.bibId)
          .executeTakeFirstOrThrow()
      ).work_key,
    });
    expect((await placeFor(operator, { ...body, bibId: sameWork.bibId })).statusCode).toBe(409);
    const volume2 = await placeFor(operator, { ...body, volume: 'v.2' });
    expect(volume2.statusCode).toBe(201);
    expect(volume2.json()).toMatchObject({ volume: 'v.2', item: { id: v2.itemId }, queuePosition: 1 });
  });
});

describe('the request a placing answers with', () => {
  // Placing a request presents it from the facts its transaction read instead of reading it
  // back (docs/benchmarks.md); the request's own page reads it. Both must say the same.
  it('CIRC-7: a targeted title hold, one waiting behind it and a patron’s own item page answer as the request reads back', async () => {
    const book = await title({ title: 'The Left Hand of Darkness', author: 'Le Guin, Ursula K.' });
    const readBack = async (id: string) => {
      const page = await operator.get(`/api/circulation/requests/${north.institutionId}/${id}`);
      expect(page.statusCode).toBe(200);
      return page.json();
    };
    const first = await placeFor(operator, {
      bibId: book.bibId,
      patronId: (await borrower()).id,
      pickupLibraryId: north.libraries.branch,
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      status: 'not_started',
      queuePosition: 1,
      title: { author: 'Le Guin, Ursula K.' },
      item: { barcode: book.barcode },
      placedByStaff: true,
    });
    expect(first.json()).toEqual(await readBack(first.json().id));
    const second = await placeFor(operator, {
      bibId: book.bibId,
      patronId: (await borrower()).id,
      pickupLibraryId: north.libraries.main,
      notNeededAfter: plusDays(dayAt('America/Toronto', new Date()), 30),
    });
    expect(second.json()).toMatchObject({ queuePosition: 2, item: null });
    expect(second.json()).toEqual(await readBack(second.json().id));
    const other = await title();
    await borrower({ identifier: 'REQ-PATRON-ANSWER' });
    const patron = await signInPatron(t.app, 'NORTH', 'REQ-PATRON-ANSWER');
    const page = await patron.post('/api/patron/requests', {
      itemId: other.itemId,
      requestType: 'page',
      pickupLibraryId: north.libraries.main,
    });
    expect(page.statusCode).toBe(201);
    expect(page.json()).toMatchObject({
      level: 'item',
      requestType: 'page',
      placedByStaff: false,
      patron: { identifier: 'REQ-PATRON-ANSWER' },
    });
    expect(page.json()).toEqual(await readBack(page.json().id));
  });
});

describe('CIRC-7 the queue, targeting and the pick list', () => {
  it('CIRC-7: a page turns an available item into a pick-list task with a printable pick slip; picking it and scanning it at the pickup library puts it on the hold shelf', async () => {
    const book = await title({ title: 'The Pick List' });
    const patron = await borrower({ lastName: 'Pager' });
    const placed = await placeFor(operator, {
      itemId: book.itemId,
      requestType: 'page',
      patronId: patron.id,
      pickupLibraryId: north.libraries.main,
    });
    expect(placed.statusCode).toBe(201);
    expect(placed.json()).toMatchObject({
      status: 'not_started',
      level: 'item',
      requestType: 'page',
      queuePosition: 1,
    });
    const list = await pickList(north.libraries.home);
    const task = list.find((r) => r.id === placed.json().id);
    expect(task).toMatchObject({
      item: { barcode: book.barcode, callNumber: expect.stringMatching(/^QA /), location: 'Stacks' },
      patron: { name: 'Pat Pager' },
      pickupLibrary: { id: north.libraries.main },
    });
    // Not on another library's list.
    expect((await pickList(north.libraries.main)).map((r) => r.id)).not.toContain(placed.json().id);
    const slips = await operator.get(
      `/api/circulation/libraries/${north.libraries.home}/pick-slips?requestId=${placed.json().id}`,
    );
    expect(slips.statusCode).toBe(200);
    expect(slips.headers['content-type']).toContain('text/html');
    expect(slips.body).toContain(book.barcode);
    expect(slips.body).toContain('The Pick List');
    expect(slips.body).toContain('Pat Pager');
    expect(slips.body).toContain('North University Main Library');

    const picked = await operator.post(
      `/api/circulation/requests/${north.institutionId}/${placed.json().id}/picked`,
    );
    expect(picked.statusCode).toBe(200);
    expect(picked.json().status).toBe('in_process');
    expect(await itemState(db(), book.itemId)).toEqual({ in_place: false, process_type: 'requested' });
    expect((await pickList(north.libraries.home)).map((r) => r.id)).not.toContain(placed.json().id);
    // Nobody else may borrow a picked item (not overridable).
    const other = await lend(manager, {
      itemBarcode: book.barcode,
      patronId: (await borrower()).id,
      override: { codes: ['ITEM_HELD_FOR_ANOTHER_PATRON'] },
    });
    expect(other.statusCode).toBe(422);
    expect(codes(other.json())).toEqual(['ITEM_HELD_FOR_ANOTHER_PATRON']);
    // Scanned at the home library it travels to the pickup library (CIRC-6).
    const scanned = await scanIn(operator, north.desks.home.id, book.barcode);
    expect(scanned.json().nextStep).toMatchObject({
      kind: 'transit',
      reason: 'request',
      libraryId: north.libraries.main,
    });
    expect((await requestRow(db(), placed.json().id)).status).toBe('in_transit');
    const arrived = await scanIn(operator, north.desks.main.id, book.barcode);
    expect(arrived.json().nextStep).toMatchObject({ kind: 'hold_shelf', requestId: placed.json().id });
    expect(arrived.json().nextStep.text).toBe('Place on the hold shelf for Pat Pager');
  });

  it('CIRC-7: the queue per title is served in order and closes up when a request is cancelled; the patron gets a letter', async () => {
    const book = await title();
    const holder = await borrower();
    await lend(operator, { itemBarcode: book.barcode, patronId: holder.id });
    const [a, b, c] = [await borrower(), await borrower(), await borrower()];
    const ids: string[] = [];
    for (const p of [a, b, c]) {
      const r = await placeFor(operator, {
        bibId: book.bibId,
        patronId: p.id,
        pickupLibraryId: north.libraries.main,
      });
      expect(r.json()).toMatchObject({ status: 'not_started', item: null });
      ids.push(r.json().id);
    }
    const queue = async () =>
      (
        (
          await operator.get(`/api/circulation/titles/${north.institutionId}/${book.bibId}/requests`)
        ).json() as {
          id: string;
          queuePosition: number;
        }[]
      ).map((r) => [r.id, r.queuePosition]);
    expect(await queue()).toEqual([
      [ids[0], 1],
      [ids[1], 2],
      [ids[2], 3],
    ]);
    const cancelled = await operator.post(
      `/api/circulation/requests/${north.institutionId}/${ids[0]}/cancel`,
      {
        reason: 'Bought a copy',
      },
    );
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      cancelReason: 'Bought a copy',
      queuePosition: null,
    });
    expect(await queue()).toEqual([
      [ids[1], 1],
      [ids[2], 2],
    ]);
    expect(await lettersTo(db(), a.id, 'request_cancelled')).toEqual([
      expect.objectContaining({ message_id: `request-cancelled-${ids[0]}@shelfshare` }),
    ]);
    // A cancel needs a reason; a closed request cannot be cancelled again.
    expect(
      (await operator.post(`/api/circulation/requests/${north.institutionId}/${ids[1]}/cancel`, {}))
        .statusCode,
    ).toBe(400);
    const twice = await operator.post(`/api/circulation/requests/${north.institutionId}/${ids[0]}/cancel`, {
      reason: 'x',
    });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().code).toBe('REQUEST_NOT_ACTIVE');
    // CIRC-5: the holder cannot renew while others wait.
    const loan = await db()
      .selectFrom('loans')
      .select('id')
      .where('item_id', '=', book.itemId)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    const renew = await operator.post(`/api/circulation/loans/${north.institutionId}/${loan.id}/renew`, {});
    expect(renew.statusCode).toBe(422);
    expect(codes(renew.json())).toContain('REQUESTED_BY_ANOTHER_PATRON');
    // Returned at the pickup library of the first in line: on the shelf for b, not c.
    const back = await scanIn(operator, north.desks.main.id, book.barcode);
    expect(back.json().nextStep).toMatchObject({ kind: 'hold_shelf', requestId: ids[1] });
    expect((await requestRow(db(), ids[2] as string)).status).toBe('not_started');
  });

  it('CIRC-7: two requests on one item are served in order when the first requester returns it', async () => {
    const book = await title();
    const holder = await borrower();
    await lend(operator, { itemBarcode: book.barcode, patronId: holder.id });
    const first = await borrower({ lastName: 'First' });
    const second = await borrower({ lastName: 'Second' });
    const r1 = (
      await placeFor(operator, {
        itemId: book.itemId,
        patronId: first.id,
        pickupLibraryId: north.libraries.main,
      })
    ).json();
    const r2 = (
      await placeFor(operator, {
        itemId: book.itemId,
        patronId: second.id,
        pickupLibraryId: north.libraries.main,
      })
    ).json();
    expect([r1.queuePosition, r2.queuePosition]).toEqual([1, 2]);
    expect((await scanIn(operator, north.desks.main.id, book.barcode)).json().nextStep.requestId).toBe(r1.id);
    // The second requester may not take it from the shelf; the first borrows it.
    const jump = await lend(manager, {
      itemBarcode: book.barcode,
      patronId: second.id,
      override: { codes: ['ITEM_HELD_FOR_ANOTHER_PATRON'] },
    });
    expect(codes(jump.json())).toEqual(['ITEM_HELD_FOR_ANOTHER_PATRON']);
    const lent = await lend(operator, { itemBarcode: book.barcode, patronId: first.id });
    expect(lent.statusCode).toBe(201);
    expect(await requestRow(db(), r1.id)).toMatchObject({
      status: 'completed',
      completed_loan_id: lent.json().loan.id,
    });
    expect((await requestRow(db(), r2.id)).queue_position).toBe(1);
    // The first requester returns it: it goes on the shelf for the second.
    const back = await scanIn(operator, north.desks.main.id, book.barcode);
    expect(back.json().nextStep).toMatchObject({ kind: 'hold_shelf', requestId: r2.id });
    expect(back.json().nextStep.text).toBe('Place on the hold shelf for Pat Second');
    expect((await lend(operator, { itemBarcode: book.barcode, patronId: second.id })).statusCode).toBe(201);
    expect((await requestRow(db(), r2.id)).status).toBe('completed');
  });

  it('CIRC-4 / CIRC-7: an on-shelf item targeted by a request can be lent to someone else only with an override, and the request is retargeted', async () => {
    const book = await title();
    const copy2 = await addCopy(db(), cast.north, { bibId: book.bibId });
    const requester = await borrower();
    const placed = (
      await placeFor(operator, {
        bibId: book.bibId,
        patronId: requester.id,
        pickupLibraryId: north.libraries.main,
      })
    ).json();
    const target = placed.item.barcode as string;
    const walkIn = await borrower();
    const refusedLoan = await lend(operator, { itemBarcode: target, patronId: walkIn.id });
    expect(refusedLoan.statusCode).toBe(422);
    expect(refusedLoan.json().details.reasons).toEqual([
      expect.objectContaining({ code: 'ITEM_REQUESTED_BY_ANOTHER_PATRON', overridable: true }),
    ]);
    // The operator may not override; the manager does.
    const override = { codes: ['ITEM_REQUESTED_BY_ANOTHER_PATRON'], note: 'Course reserve' };
    expect((await lend(operator, { itemBarcode: target, patronId: walkIn.id, override })).statusCode).toBe(
      403,
    );
    expect((await lend(manager, { itemBarcode: target, patronId: walkIn.id, override })).statusCode).toBe(
      201,
    );
    // CIRC-13: the copy's history reads in the order things happened: the request lost the
    // copy, the manager overrode, the loan was made.
    const history = await db()
      .selectFrom('item_history')
      .select([
        'event',
        sql<string | null>`details->>'action'`.as('action'),
        sql<string | null>`details->>'requestId'`.as('requestId'),
      ])
      .where('item_id', '=', placed.item.id)
      .orderBy('id')
      .execute();
    expect(history.slice(-3)).toEqual([
      { event: 'request', action: 'retargeted', requestId: placed.id },
      { event: 'override', action: 'loan', requestId: null },
      { event: 'loan', action: null, requestId: null },
    ]);
    const after = await requestRow(db(), placed.id);
    const other = target === book.barcode ? copy2.itemId : book.itemId;
    expect(after).toMatchObject({ status: 'not_started', item_id: other, queue_position: 1 });
    expect((await pickList(north.libraries.home)).map((r) => r.id)).toContain(placed.id);
    // With no copy left, lending the last one over the request leaves it waiting untargeted.
    const last = (
      await db().selectFrom('items').select('barcode').where('id', '=', other).executeTakeFirstOrThrow()
    ).barcode;
    expect(
      (await lend(manager, { itemBarcode: last, patronId: (await borrower()).id, override })).statusCode,
    ).toBe(201);
    expect(await requestRow(db(), placed.id)).toMatchObject({ status: 'not_started', item_id: null });
  });

  it('CIRC-4 / CIRC-7: a copy moved to another volume after a request was targeted at it is released when lent over the request', async () => {
    const book = await title();
    const requester = await borrower();
    const placed = (
      await placeFor(operator, {
        bibId: book.bibId,
        patronId: requester.id,
        pickupLibraryId: north.libraries.main,
      })
    ).json();
    expect(placed.item.id).toBe(book.itemId);
    // Recatalogued as volume 2: the request (for the volume without a number) still names it,
    // though the copy's own title-and-volume queue is now empty.
    const moved = await manager.patch(`/api/institutions/${north.institutionId}/items/${book.itemId}`, {
      enumeration: 'v.2',
    });
    expect(moved.statusCode).toBe(200);
    const lent = await lend(manager, {
      itemBarcode: book.barcode,
      patronId: (await borrower()).id,
      override: { codes: ['ITEM_REQUESTED_BY_ANOTHER_PATRON'] },
    });
    expect(lent.statusCode).toBe(201);
    // The request no longer points at a copy on loan: it waits untargeted, first in its queue.
    expect(await requestRow(db(), placed.id)).toMatchObject({
      status: 'not_started',
      item_id: null,
      queue_position: 1,
    });
  });

  it('CIRC-7: missing from the pick list retargets to another copy; with none left the patron is told', async () => {
    const book = await title({ title: 'Lost in the Stacks' });
    const copy2 = await addCopy(db(), cast.north, { bibId: book.bibId });
    const patron = await borrower();
    const placed = (
      await placeFor(operator, {
        bibId: book.bibId,
        patronId: patron.id,
        pickupLibraryId: north.libraries.main,
      })
    ).json();
    const first = placed.item.id as string;
    const missing = await operator.post(
      `/api/circulation/requests/${north.institutionId}/${placed.id}/missing`,
      { condition: 'missing' },
    );
    expect(missing.statusCode).toBe(200);
    const second = first === book.itemId ? copy2.itemId : book.itemId;
    expect(missing.json()).toMatchObject({
      retargetedItemId: second,
      request: { status: 'not_started', item: { id: second } },
    });
    expect(await itemState(db(), first)).toEqual({ in_place: false, process_type: 'missing' });
    const damaged = await operator.post(
      `/api/circulation/requests/${north.institutionId}/${placed.id}/missing`,
      { condition: 'damaged', note: 'Water' },
    );
    expect(damaged.json()).toMatchObject({
      retargetedItemId: null,
      request: { status: 'not_started', item: null, queuePosition: 1 },
    });
    expect(await itemState(db(), second)).toEqual({ in_place: false, process_type: 'technical' });
    const told = await lettersTo(db(), patron.id, 'request_unfillable');
    expect(told).toHaveLength(1);
    expect(told[0]?.body).toContain('Lost in the Stacks');
    // Found and scanned in: the waiting request gets the copy (CIRC-6).
    const found = await scanIn(operator, north.desks.main.id, book.barcode);
    expect(found.json().nextStep).toMatchObject({ kind: 'hold_shelf', requestId: placed.id });
  });

  it('CIRC-7: a patron places and cancels their own request in discovery, and cannot touch another patron’s', async () => {
    const book = await title();
    const me = await borrower({ identifier: 'REQ-PATRON-1' });
    const client = await signInPatron(t.app, 'NORTH', 'REQ-PATRON-1');
    const placed = await client.post('/api/patron/requests', {
      bibId: book.bibId,
      requestType: 'hold',
      pickupLibraryId: north.libraries.branch,
    });
    expect(placed.statusCode).toBe(201);
    expect(placed.json()).toMatchObject({
      patron: { id: me.id },
      placedByStaff: false,
      pickupLibrary: { id: north.libraries.branch },
    });
    expect((await client.get('/api/patron/requests')).json()).toHaveLength(1);
    // Patrons cannot use the staff route, nor name another patron.
    expect(
      (await placeFor(client, { bibId: book.bibId, patronId: me.id, pickupLibraryId: north.libraries.main }))
        .statusCode,
    ).toBe(403);
    const others = (
      await placeFor(operator, {
        bibId: (await title()).bibId,
        patronId: (await borrower()).id,
        pickupLibraryId: north.libraries.main,
      })
    ).json();
    expect(
      (await client.post(`/api/patron/requests/${north.institutionId}/${others.id}/cancel`, {})).statusCode,
    ).toBe(404);
    const cancelled = await client.post(
      `/api/patron/requests/${north.institutionId}/${placed.json().id}/cancel`,
      {},
    );
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelReason: 'Cancelled by the patron' });
    expect((await client.get('/api/patron/requests')).json()).toEqual([]);
  });
});
