import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { accrueOverdueFines } from '../../src/server/jobs/loans.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import { buildBorrower, type CirculationSetup, circulationSetup } from '../support/circulation.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

// CIRC-10 / architecture.md: a job works in small batches, each its own transaction, so desks
// never wait behind it. Races between connections: PostgreSQL only (this folder).

const LOANS = 50_000;
const DAY = 86_400_000;
let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operator: Client;

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

describe('CIRC-10 a job over 50,000 overdue loans', () => {
  it('CIRC-10: while the fine job is part-way through 50,000 overdue loans a lend and a return at a desk complete, and the job then processes every loan exactly once', async () => {
    const template = await buildItem(db(), { institution: cast.north.institution, title: 'Bulk' });
    const patron = await buildBorrower(db(), cast.north);
    const due = new Date(Date.now() - 10 * DAY);
    // Set-based: 50,000 items on loan and their overdue loans.
    await sql`INSERT INTO items (institution_id, holding_id, bib_id, barcode, material_type_id, item_policy_id,
        in_place, process_type)
      SELECT institution_id, holding_id, bib_id, 'BULK-' || g, material_type_id, item_policy_id, false, 'loan'
      FROM items, generate_series(1, ${LOANS}::int) AS g WHERE id = ${template.itemId}`.execute(db());
    await sql`INSERT INTO loans (institution_id, item_id, patron_id, terms_of_use_id, desk_id, desk_institution_id,
        desk_library_id, loaned_at, due_at)
      SELECT i.institution_id, i.id, ${patron.id}, ${north.terms.standard}, ${north.desks.main.id},
        ${north.institutionId}, ${north.libraries.main}, ${new Date(due.getTime() - 21 * DAY)}, ${due}
      FROM items i WHERE i.institution_id = ${north.institutionId} AND i.barcode LIKE 'BULK-%'`.execute(db());
    await sql`ANALYZE loans`.execute(db());
    // The return is of the loan the job reaches last (key order), so the job cannot have passed it.
    const last = await sql<{
      barcode: string;
      loan_id: string;
    }>`SELECT i.barcode, l.id AS loan_id FROM loans l
      JOIN items i ON i.institution_id = l.institution_id AND i.id = l.item_id
      WHERE i.barcode LIKE 'BULK-%' ORDER BY l.institution_id DESC, l.id DESC LIMIT 1`.execute(db());
    const toReturn = last.rows[0] as { barcode: string; loan_id: string };
    const toLend = await buildItem(db(), { institution: cast.north.institution, title: 'At the desk' });
    const borrower = await buildBorrower(db(), cast.north);

    const now = new Date();
    let desk: Promise<void> | undefined;
    let deskDoneAtBatch: number | null = null;
    let batches = 0;
    const started = Date.now();
    const result = await accrueOverdueFines({
      db: db(),
      now,
      afterBatch: async ({ batch }) => {
        batches = batch;
        if (batch === 2) {
          desk = (async () => {
            const lent = await operator.post('/api/circulation/loans', {
              deskId: north.desks.main.id,
              itemBarcode: toLend.barcode,
              patronId: borrower.id,
            });
            expect(lent.statusCode).toBe(201);
            const returned = await operator.post('/api/circulation/returns', {
              deskId: north.desks.main.id,
              itemBarcode: toReturn.barcode,
            });
            expect(returned.statusCode).toBe(200);
            deskDoneAtBatch = batches;
          })();
        }
        // Part-way (a fifth of the batches): the desk has finished.
        if (batch === 20) await desk;
      },
    });
    expect(deskDoneAtBatch).not.toBeNull();
    expect(deskDoneAtBatch).toBeLessThanOrEqual(20);
    expect(result.batches).toBe(LOANS / 500);
    // Every loan processed once: the returned one by its return, the rest by the job.
    expect(result.processed).toBe(LOANS - 1);
    expect(result.changed).toBe(LOANS - 1);
    const fees = await sql<{ fees: number; loans: number; amounts: number[] }>`SELECT count(*)::int AS fees,
        count(DISTINCT f.loan_id)::int AS loans, array_agg(DISTINCT f.original_minor) AS amounts
      FROM fees f JOIN loans l ON l.institution_id = f.institution_id AND l.id = f.loan_id
      JOIN items i ON i.institution_id = l.institution_id AND i.id = l.item_id
      WHERE i.barcode LIKE 'BULK-%' AND f.fee_type = 'overdue_fine'`.execute(db());
    expect(fees.rows[0]).toMatchObject({ fees: LOANS, loans: LOANS });
    expect(fees.rows[0]?.amounts.map(Number)).toEqual([250]);
    const again = await accrueOverdueFines({ db: db(), now });
    expect(again.changed).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
