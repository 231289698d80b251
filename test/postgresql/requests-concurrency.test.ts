import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import { buildBorrower, type CirculationSetup, circulationSetup } from '../support/circulation.ts';
import { buildStaff } from '../support/factories.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';
import { addCopy, placeFor, scanIn } from '../support/requests.ts';

// Races between connections (architecture.md, Boundaries: the queue lock, then the item, then
// the patron). PGlite has one connection, so these run on PostgreSQL only.

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operators: Client[];

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  operators = [];
  for (let i = 0; i < 4; i++) {
    const staff = await buildStaff(t.database.db, {
      institution: cast.north.institution,
      username: `request-race-${i}`,
      roles: ['circulation_desk_operator'],
    });
    operators.push(await signIn(t.app, staff.username));
  }
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;
const op = (i: number) => operators[i] as Client;

describe('concurrent requests and scans (CIRC-7, CIRC-9, INV-1, INV-3, INV-4)', () => {
  it('CIRC-7 / INV-3: four requests racing for the last copy’s first place end in one queue 1..4 with the copy targeted once, at the first in line', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const patrons = await Promise.all(
      [0, 1, 2, 3].map((i) => buildBorrower(db(), cast.north, { identifier: `RQ-RACE-${i}` })),
    );
    const responses = await Promise.all(
      patrons.map((p, i) =>
        placeFor(op(i), { bibId: book.bibId, patronId: p.id, pickupLibraryId: north.libraries.main }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    const queue = await db()
      .selectFrom('requests')
      .select(['queue_position', 'item_id'])
      .where('bib_id', '=', book.bibId)
      .orderBy('queue_position')
      .execute();
    expect(queue.map((r) => r.queue_position)).toEqual([1, 2, 3, 4]);
    expect(queue.map((r) => r.item_id)).toEqual([book.itemId, null, null, null]);
  });

  it('INV-4: the same patron placing the same request twice at once gets one request; the others are 409', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const patron = await buildBorrower(db(), cast.north, { identifier: 'RQ-TWICE' });
    const responses = await Promise.all(
      [0, 1, 2].map((i) =>
        placeFor(op(i), { bibId: book.bibId, patronId: patron.id, pickupLibraryId: north.libraries.main }),
      ),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    const rows = await db().selectFrom('requests').select('id').where('patron_id', '=', patron.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('INV-1 / CIRC-9 / FN-8: two scans of the same item at once create one transit', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const responses = await Promise.all(
      [0, 1].map((i) => scanIn(op(i), north.desks.branch.id, book.barcode)),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200]);
    const ids = responses.map((r) => r.json().nextStep.transitId);
    expect(ids[0]).toBe(ids[1]);
    const transits = await db()
      .selectFrom('transits')
      .select(['id', 'status'])
      .where('item_id', '=', book.itemId)
      .execute();
    expect(transits).toEqual([{ id: ids[0], status: 'open' }]);
  });

  it('CIRC-6 / INV-1: two copies returned at once at two desks fill one title request once; the other copy goes home', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const copy = await addCopy(db(), cast.north, { bibId: book.bibId });
    const holders = await Promise.all(
      [0, 1].map((i) => buildBorrower(db(), cast.north, { identifier: `RQ-HOLD-${i}` })),
    );
    for (const [i, barcode] of [book.barcode, copy.barcode].entries()) {
      const lent = await op(0).post('/api/circulation/loans', {
        deskId: north.desks.main.id,
        itemBarcode: barcode,
        patronId: holders[i]?.id,
      });
      expect(lent.statusCode).toBe(201);
    }
    const requester = await buildBorrower(db(), cast.north, { identifier: 'RQ-WAIT' });
    const request = (
      await placeFor(op(0), {
        bibId: book.bibId,
        patronId: requester.id,
        pickupLibraryId: north.libraries.branch,
      })
    ).json();
    const responses = await Promise.all([
      scanIn(op(1), north.desks.main.id, book.barcode),
      scanIn(op(2), north.desks.home.id, copy.barcode),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200]);
    const filled = responses.filter((r) => r.json().nextStep.requestId === request.id);
    expect(filled).toHaveLength(1);
    const row = await db()
      .selectFrom('requests')
      .select(['status', 'item_id'])
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('in_transit');
  });

  // Decision 77: the queue lock is an advisory lock, so returning a title's copy and lending it
  // leave the title's record as they found it (a row lock wrote its locker into the row: a WAL
  // record, and after a checkpoint the whole page). Placing a request still marks the row: the
  // request's foreign key to its record takes a key-share lock. The races above show the queue
  // lock still serialises the queue.
  it('CIRC-7 / decision 77: the queue lock of a return and a lend writes nothing into the title’s record', async () => {
    const book = await buildItem(db(), { institution: cast.north.institution });
    const reader = await buildBorrower(db(), cast.north, { identifier: 'RQ-QUIET-1' });
    const waiting = await buildBorrower(db(), cast.north, { identifier: 'RQ-QUIET-2' });
    const lent = await op(0).post('/api/circulation/loans', {
      deskId: north.desks.main.id,
      itemBarcode: book.barcode,
      patronId: reader.id,
    });
    expect(lent.statusCode).toBe(201);
    const placed = await placeFor(op(1), {
      bibId: book.bibId,
      patronId: waiting.id,
      pickupLibraryId: north.libraries.main,
    });
    expect(placed.statusCode).toBe(201);
    const rowVersion = async () =>
      (
        await sql<{ xmin: string; xmax: string }>`
          SELECT xmin::text, xmax::text FROM bib_records WHERE id = ${book.bibId}`.execute(db())
      ).rows;
    const before = await rowVersion();
    const returned = await scanIn(op(2), north.desks.main.id, book.barcode);
    expect(returned.statusCode).toBe(200);
    expect(returned.json().nextStep.requestId).toBe(placed.json().id);
    const collected = await op(3).post('/api/circulation/loans', {
      deskId: north.desks.main.id,
      itemBarcode: book.barcode,
      patronId: waiting.id,
    });
    expect(collected.statusCode).toBe(201);
    expect(await rowVersion()).toEqual(before);
  });
});
