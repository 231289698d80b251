import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { dayAt, plusDays } from '../../src/server/circulation/rules/index.ts';
import { expireRequests } from '../../src/server/jobs/requests.ts';
import { DAILY_JOBS, JOB_HANDLERS } from '../../src/server/jobs/runner.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import {
  buildBorrower,
  type CirculationSetup,
  circulationSetup,
  signInPatron,
} from '../support/circulation.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';
import { lettersTo, placeFor, requestRow } from '../support/requests.ts';

const DAY = 86_400_000;
let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operator: Client;
let timeZone: string;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
  timeZone = (
    await t.database.db
      .selectFrom('institutions')
      .select('time_zone')
      .where('id', '=', cast.north.institution.id)
      .executeTakeFirstOrThrow()
  ).time_zone;
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;
const today = () => dayAt(timeZone, new Date());

/** Every row the job may touch, to show a second run changes nothing. */
async function snapshot() {
  const all = async (table: 'letters' | 'item_history' | 'items' | 'requests') =>
    (await db().selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return {
    letters: await all('letters'),
    history: await all('item_history'),
    items: await all('items'),
    requests: await all('requests'),
  };
}

describe('CIRC-7 / CIRC-10 request expiry', () => {
  it('CIRC-7: notNeededAfter must be a YYYY-MM-DD day, not in the past (staff and patron bodies: 400 naming the field)', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const patron = await buildBorrower(db(), cast.north, { identifier: 'EXPIRY-PATRON-1' });
    const body = { bibId: book.bibId, patronId: patron.id, pickupLibraryId: north.libraries.main };
    for (const notNeededAfter of [plusDays(today(), -1), 'tomorrow', '2030-02-30']) {
      const response = await placeFor(operator, { ...body, notNeededAfter });
      expect(response.statusCode).toBe(400);
      expect(response.json().details.fields).toEqual([expect.objectContaining({ field: 'notNeededAfter' })]);
    }
    const client = await signInPatron(t.app, 'NORTH', 'EXPIRY-PATRON-1');
    const past = await client.post('/api/patron/requests', {
      bibId: book.bibId,
      requestType: 'hold',
      pickupLibraryId: north.libraries.main,
      notNeededAfter: plusDays(today(), -1),
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().details.fields).toEqual([expect.objectContaining({ field: 'notNeededAfter' })]);
    expect(
      await db().selectFrom('requests').select('id').where('patron_id', '=', patron.id).execute(),
    ).toEqual([]);
    // Today is fine (the patron body too).
    const ok = await client.post('/api/patron/requests', {
      bibId: book.bibId,
      requestType: 'hold',
      pickupLibraryId: north.libraries.main,
      notNeededAfter: today(),
    });
    expect(ok.statusCode).toBe(201);
    const row = await db()
      .selectFrom('requests')
      .select('not_needed_after')
      .where('id', '=', ok.json().id)
      .executeTakeFirstOrThrow();
    expect(row.not_needed_after).toBe(today());
  });

  it('CIRC-10: a waiting request past its day expires, the queue closes up and the copy goes to the next; a second run changes nothing', async () => {
    expect(DAILY_JOBS).toContain('request_expiry');
    const book = await buildItem(db(), { institution: cast.north.institution, title: 'Wanted Briefly' });
    const first = await buildBorrower(db(), cast.north);
    const second = await buildBorrower(db(), cast.north);
    const third = await buildBorrower(db(), cast.north);
    const place = async (patronId: string, notNeededAfter?: string) => {
      const response = await placeFor(operator, {
        bibId: book.bibId,
        patronId,
        pickupLibraryId: north.libraries.main,
        ...(notNeededAfter ? { notNeededAfter } : {}),
      });
      expect(response.statusCode).toBe(201);
      return response.json().id as string;
    };
    // The first request targets the copy on the shelf and is not needed after today.
    const a = await place(first.id, today());
    // The second has no day; the third's day is well ahead.
    const b = await place(second.id);
    const c = await place(third.id, plusDays(today(), 30));
    expect(await requestRow(db(), a)).toMatchObject({ queue_position: 1, item_id: book.itemId });
    expect(await requestRow(db(), b)).toMatchObject({ queue_position: 2, item_id: null });

    // Today itself: nothing is past yet.
    const sameDay = await expireRequests({ db: db(), now: new Date() });
    expect(sameDay.changed).toBe(0);

    // Two days on (batches of one, to walk several batches).
    const later = new Date(Date.now() + 2 * DAY);
    const result = await expireRequests({ db: db(), now: later, batchSize: 1 });
    // This request, and the one placed for today in the test above.
    expect(result.changed).toBe(2);
    expect(result.batches).toBeGreaterThanOrEqual(2);
    const expired = await db()
      .selectFrom('requests')
      .select(['status', 'queue_position', 'closed_at', 'cancel_reason'])
      .where('id', '=', a)
      .executeTakeFirstOrThrow();
    expect(expired).toMatchObject({ status: 'expired', queue_position: null, cancel_reason: null });
    expect(expired.closed_at).toEqual(later);
    // The queue closes up; the freed copy is targeted by the next in line.
    expect(await requestRow(db(), b)).toMatchObject({
      status: 'not_started',
      queue_position: 1,
      item_id: book.itemId,
    });
    expect(await requestRow(db(), c)).toMatchObject({ status: 'not_started', queue_position: 2 });
    const letters = await lettersTo(db(), first.id, 'request_cancelled');
    expect(letters).toHaveLength(1);
    expect(letters[0]?.message_id).toBe(`request-expired-${a}@shelfshare`);
    expect(letters[0]?.body).toContain('Wanted Briefly');

    // Idempotent: a second run (through the registered handler) changes nothing.
    const before = await snapshot();
    const handler = JOB_HANDLERS.request_expiry;
    expect(handler).toBeDefined();
    const again = await handler?.({ db: db(), now: later }, {});
    expect(again?.changed).toBe(0);
    expect(await snapshot()).toEqual(before);
  });
});
