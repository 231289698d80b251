import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_PASSWORD, type GenerateSummary, generateNetwork } from '../../src/server/bench/generate.ts';
import { PatronRing, selectWork } from '../../src/server/bench/pools.ts';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import type { Db, OpenedDatabase } from '../../src/server/db/database.ts';
import { createTestDatabase } from '../support/database.ts';
import { createTestApp, signIn, type TestApp } from '../support/http.ts';

// Issue 8: the benchmark's synthetic network. Tiny sizes: what matters here is that the rows
// are the same for the same seed, valid for the circulation engine and hold the INV checks.
const SIZES = { institutions: 2, items: 400, patrons: 60, loans: 240, heavyBorrowers: 1 };
const NOW = new Date('2026-03-02T12:00:00Z');

/** A digest of the generated rows (every table the generator writes, in key order). */
async function digest(db: Db): Promise<Record<string, string>> {
  const tables: [string, string][] = [
    ['institutions', 'SELECT id, code, time_zone, guest_user_group_id FROM institutions ORDER BY id'],
    ['libraries', 'SELECT id, institution_id, code FROM libraries ORDER BY id'],
    [
      'bib_records',
      'SELECT id, institution_id, work_key, title, author, search_document FROM bib_records ORDER BY id',
    ],
    [
      'items',
      'SELECT id, holding_id, barcode, item_policy_id, in_place, process_type FROM items ORDER BY id',
    ],
    ['patrons', 'SELECT id, primary_identifier, user_group_id, expiry_date FROM patrons ORDER BY id'],
    ['loans', 'SELECT id, item_id, patron_id, terms_of_use_id, loaned_at, due_at FROM loans ORDER BY id'],
    ['requests', 'SELECT id, patron_id, item_id, queue_position FROM requests ORDER BY id'],
    ['transits', 'SELECT id, item_id, from_library_id, to_library_id FROM transits ORDER BY id'],
    ['fees', 'SELECT id, patron_id, original_minor FROM fees ORDER BY id'],
    ['item_history', 'SELECT item_id, loan_id, patron_id, at FROM item_history ORDER BY item_id, at'],
  ];
  const out: Record<string, string> = {};
  for (const [name, query] of tables) {
    const result = await sql<{
      d: string;
    }>`SELECT md5(coalesce(string_agg(t::text, '|'), '')) AS d FROM (${sql.raw(query)}) t`.execute(db);
    out[name] = result.rows[0]?.d ?? '';
  }
  return out;
}

let t: TestApp;
let other: OpenedDatabase;
let summary: GenerateSummary;

beforeAll(async () => {
  t = await createTestApp();
  other = await createTestDatabase();
  summary = await generateNetwork(t.database.db, { ...SIZES, seed: 7, now: NOW });
});
afterAll(async () => {
  await other.close();
  await t.close();
});

describe('the benchmark network generator', () => {
  it('makes what was asked, and the same rows again for the same seed, other rows for another', async () => {
    expect(summary).toMatchObject({ institutions: 2, libraries: 6, items: 400, patrons: 60, loans: 240 });
    const counted = await sql<{ items: number; loans: number; on_loan: number }>`SELECT
      (SELECT count(*)::int FROM items) AS items, (SELECT count(*)::int FROM loans WHERE status = 'active') AS loans,
      (SELECT count(*)::int FROM items WHERE process_type = 'loan') AS on_loan`.execute(t.database.db);
    expect(counted.rows[0]).toEqual({ items: 400, loans: 240, on_loan: 240 });
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.heavyBorrowers).toHaveLength(1);
    // The heavy borrower has every loan of their institution up to 200.
    expect(summary.heavyBorrowers[0]?.loans).toBeGreaterThan(50);

    await generateNetwork(other.db, { ...SIZES, seed: 7, now: NOW });
    expect(await digest(other.db)).toEqual(await digest(t.database.db));
    await other.close();
    other = await createTestDatabase();
    await generateNetwork(other.db, { ...SIZES, seed: 8, now: NOW });
    const [a, b] = [await digest(other.db), await digest(t.database.db)];
    expect(a.items).not.toEqual(b.items);
    expect(a.loans).not.toEqual(b.loans);
  });

  it('refuses a database that already has a network', async () => {
    await expect(generateNetwork(t.database.db, { ...SIZES, now: NOW })).rejects.toThrow(
      /already has institutions/,
    );
  });

  it('holds every invariant (npm run check)', async () => {
    expect(await checkInvariants(t.database.db)).toEqual([]);
  });

  it('is accepted by the circulation engine: lend, renew, return and a request at a generated desk', async () => {
    const db = t.database.db;
    const institution = await db
      .selectFrom('institutions')
      .select('id')
      .orderBy('code')
      .executeTakeFirstOrThrow();
    const desk = await db
      .selectFrom('circulation_desks')
      .select('id')
      .where('institution_id', '=', institution.id)
      .orderBy('code')
      .executeTakeFirstOrThrow();
    const staff = await db
      .selectFrom('staff')
      .select('username')
      .where('institution_id', '=', institution.id)
      .executeTakeFirstOrThrow();
    const client = await signIn(t.app, staff.username, BENCH_PASSWORD);
    // A patron in good standing (not expired, not blocked), and an ordinary copy on the shelf.
    const patron = await sql<{
      id: string;
    }>`SELECT p.id FROM patrons p JOIN user_groups g ON g.id = p.user_group_id
      WHERE p.institution_id = ${institution.id} AND p.expiry_date > ${NOW.toISOString().slice(0, 10)}::date
        AND g.code = 'GRAD' AND NOT EXISTS (SELECT 1 FROM patron_blocks b WHERE b.patron_id = p.id)
      ORDER BY p.id LIMIT 1`.execute(db);
    const item = await sql<{ barcode: string; bib_id: string }>`SELECT i.barcode, i.bib_id FROM items i
      JOIN item_policies ip ON ip.id = i.item_policy_id
      WHERE i.institution_id = ${institution.id} AND i.in_place AND ip.code = 'REGULAR'
        AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.bib_id = i.bib_id)
      ORDER BY i.barcode LIMIT 1`.execute(db);
    const patronId = patron.rows[0]?.id as string;
    const barcode = item.rows[0]?.barcode as string;

    const lent = await client.post('/api/circulation/loans', {
      deskId: desk.id,
      itemBarcode: barcode,
      patronId,
    });
    expect(lent.statusCode, lent.body).toBe(201);
    // A generated loan (loaned days before NOW, nobody waiting for its copy) renews.
    const generated = await sql<{
      id: string;
    }>`SELECT l.id FROM loans l WHERE l.institution_id = ${institution.id}
        AND l.status = 'active' AND l.loaned_at < ${NOW} AND NOT EXISTS (SELECT 1 FROM requests r
          WHERE r.institution_id = l.institution_id AND r.item_id = l.item_id)
      ORDER BY l.id LIMIT 1`.execute(db);
    const renewed = await client.post(
      `/api/circulation/loans/${institution.id}/${generated.rows[0]?.id}/renew`,
      {},
    );
    expect(renewed.statusCode, renewed.body).toBe(200);
    const returned = await client.post('/api/circulation/returns', { deskId: desk.id, itemBarcode: barcode });
    expect(returned.statusCode, returned.body).toBe(200);
    // A generated loan (another patron's) comes back too.
    const onLoan = await sql<{
      barcode: string;
    }>`SELECT i.barcode FROM loans l JOIN items i ON i.id = l.item_id
      WHERE l.institution_id = ${institution.id} AND l.status = 'active' ORDER BY i.barcode LIMIT 1`.execute(
      db,
    );
    const back = await client.post('/api/circulation/returns', {
      deskId: desk.id,
      itemBarcode: onLoan.rows[0]?.barcode,
    });
    expect(back.statusCode, back.body).toBe(200);
    const library = await db
      .selectFrom('libraries')
      .select('id')
      .where('institution_id', '=', institution.id)
      .orderBy('code')
      .executeTakeFirstOrThrow();
    const placed = await client.post('/api/circulation/requests', {
      patronId,
      bibId: item.rows[0]?.bib_id,
      requestType: 'hold',
      pickupLibraryId: library.id,
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const loans = await client.get(
      `/api/circulation/patrons/${summary.heavyBorrowers[0]?.institutionId}/${summary.heavyBorrowers[0]?.patronId}/loans`,
    );
    expect(loans.statusCode).toBe(200);
    const open = await db
      .selectFrom('loans')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('patron_id', '=', summary.heavyBorrowers[0]?.patronId as string)
      .where('status', '<>', 'returned')
      .executeTakeFirstOrThrow();
    expect(loans.json()).toHaveLength(Number(open.n));
    expect(await checkInvariants(db)).toEqual([]);
  });

  it("names each requested title's borrowers, whom the patron ring passes over (CIRC-7: a borrower may not request it)", async () => {
    const db = t.database.db;
    const pools = await selectWork(db, 1000, NOW);
    expect(pools.request.rows.some((w) => w.borrowers.length > 0)).toBe(true);
    for (const w of pools.request.rows) {
      const open = await sql<{ patron_id: string }>`SELECT l.patron_id FROM loans l
        JOIN items i ON i.institution_id = l.institution_id AND i.id = l.item_id
        WHERE i.bib_id = ${w.bibId} AND l.status <> 'returned'`.execute(db);
      expect([...w.borrowers].sort()).toEqual(open.rows.map((r) => r.patron_id).sort());
    }
    const ring = new PatronRing(new Map([['north', ['ana', 'ben', 'cai']]]));
    const borrowers = ['ana', 'ben'];
    expect([ring.take('north', borrowers), ring.take('north', borrowers), ring.take('north')]).toEqual([
      'cai',
      'cai',
      'ana',
    ]);
    expect(ring.take('north', ['ana', 'ben', 'cai'])).toBeNull();
  });
});
