import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import { acquireDataDirLock } from '../db/data-dir-lock.ts';
import type { Operation } from './load.ts';
import type { LendWork, LoanWork, PatronWork, RequestWork, ReturnWork } from './pools.ts';
import { BENCH_PGLITE_DIR, type BenchEngine, benchDatabaseUrl } from './target.ts';

/**
 * The ceiling of each desk operation: the same rows read, locked and written as the use case
 * does at its core, as bare SQL transactions through `pg` (no HTTP, no validation, no rules,
 * no item history beyond one row, no letters). `ratio = api / ceiling` then says how much of
 * what the database itself can do the whole server delivers.
 */
export interface CeilingPool {
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Our own connections: PostgreSQL with the server's pool size; PGlite opened in this process. */
export async function openCeilingPool(engine: BenchEngine, poolSize: number): Promise<CeilingPool> {
  if (engine === 'postgresql') {
    const pool = new pg.Pool({ connectionString: benchDatabaseUrl(), max: poolSize });
    return { pool, close: () => pool.end() };
  }
  mkdirSync(BENCH_PGLITE_DIR, { recursive: true });
  const lock = acquireDataDirLock(BENCH_PGLITE_DIR);
  const pglite = await PGlite.create(BENCH_PGLITE_DIR);
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 } as pg.PoolConfig);
  return {
    pool,
    async close() {
      await pool.end();
      await pglite.close();
      lock.release();
    },
  };
}

async function transaction(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<boolean>): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const ok = await work(client);
    await client.query(ok ? 'COMMIT' : 'ROLLBACK');
    return ok;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** What the ceiling operations need beyond the work rows: terms, desks' libraries, operators. */
export interface CeilingContext {
  standardTerms: Map<string, string>;
  deskLibrary: Map<string, string>;
  operator: Map<string, string>;
}

export async function loadCeilingContext(pool: pg.Pool): Promise<CeilingContext> {
  const terms = await pool.query<{ institution_id: string; id: string }>(
    "SELECT institution_id, id FROM terms_of_use WHERE code = 'STANDARD'",
  );
  const desks = await pool.query<{ id: string; library_id: string }>(
    'SELECT id, library_id FROM circulation_desks',
  );
  const staff = await pool.query<{ institution_id: string; id: string }>(
    'SELECT institution_id, id FROM staff',
  );
  return {
    standardTerms: new Map(terms.rows.map((r) => [r.institution_id, r.id])),
    deskLibrary: new Map(desks.rows.map((r) => [r.id, r.library_id])),
    operator: new Map(staff.rows.map((r) => [r.institution_id, r.id])),
  };
}

/** Lend: lock the item, mark it on loan, write the loan (SELECT ... FOR UPDATE + UPDATE + INSERT). */
export const ceilingLend =
  (pool: pg.Pool, ctx: CeilingContext, w: LendWork, patronId: string): Operation =>
  () =>
    transaction(pool, async (c) => {
      const item = await c.query<{ id: string; in_place: boolean }>(
        'SELECT id, in_place FROM items WHERE institution_id = $1 AND barcode = $2 FOR UPDATE',
        [w.institutionId, w.barcode],
      );
      const row = item.rows[0];
      if (!row?.in_place) return false;
      await c.query(
        "UPDATE items SET in_place = false, process_type = 'loan', updated_at = now() WHERE institution_id = $1 AND id = $2",
        [w.institutionId, row.id],
      );
      await c.query(
        `INSERT INTO loans (institution_id, item_id, patron_id, terms_of_use_id, desk_id, desk_institution_id,
           desk_library_id, loaned_by, due_at) VALUES ($1, $2, $3, $4, $5, $1, $6, $7, now() + interval '28 days')`,
        [
          w.institutionId,
          row.id,
          patronId,
          ctx.standardTerms.get(w.institutionId),
          w.deskId,
          ctx.deskLibrary.get(w.deskId),
          ctx.operator.get(w.institutionId),
        ],
      );
      return true;
    });

/** Return: lock the item and its loan, close the loan, put the item back, one history row. */
export const ceilingReturn =
  (pool: pg.Pool, ctx: CeilingContext, w: ReturnWork): Operation =>
  () =>
    transaction(pool, async (c) => {
      const item = await c.query<{ id: string }>(
        'SELECT id FROM items WHERE institution_id = $1 AND barcode = $2 FOR UPDATE',
        [w.institutionId, w.barcode],
      );
      const itemId = item.rows[0]?.id;
      if (!itemId) return false;
      const loan = await c.query<{ id: string; patron_id: string }>(
        "SELECT id, patron_id FROM loans WHERE institution_id = $1 AND item_id = $2 AND status <> 'returned' FOR UPDATE",
        [w.institutionId, itemId],
      );
      const l = loan.rows[0];
      if (!l) return false;
      await c.query(
        `UPDATE loans SET status = 'returned', returned_at = now(), return_desk_id = $3, return_institution_id = $1,
           returned_by = $4 WHERE institution_id = $1 AND id = $2`,
        [w.institutionId, l.id, w.deskId, ctx.operator.get(w.institutionId)],
      );
      await c.query(
        'UPDATE items SET in_place = true, process_type = NULL, updated_at = now() WHERE institution_id = $1 AND id = $2',
        [w.institutionId, itemId],
      );
      await c.query(
        `INSERT INTO item_history (institution_id, item_id, event, acting_institution_id, library_id, desk_id,
           operator_staff_id, patron_id, loan_id) VALUES ($1, $2, 'return', $1, $3, $4, $5, $6, $7)`,
        [
          w.institutionId,
          itemId,
          w.libraryId,
          w.deskId,
          ctx.operator.get(w.institutionId),
          l.patron_id,
          l.id,
        ],
      );
      return true;
    });

/** Scan in: lock the item and any open transit, receive it, reshelve the item, one history row. */
export const ceilingScanIn =
  (pool: pg.Pool, ctx: CeilingContext, w: ReturnWork): Operation =>
  () =>
    transaction(pool, async (c) => {
      const item = await c.query<{ id: string }>(
        'SELECT id FROM items WHERE institution_id = $1 AND barcode = $2 FOR UPDATE',
        [w.institutionId, w.barcode],
      );
      const itemId = item.rows[0]?.id;
      if (!itemId) return false;
      const transit = await c.query<{ id: string }>(
        "SELECT id FROM transits WHERE institution_id = $1 AND item_id = $2 AND status = 'open' FOR UPDATE",
        [w.institutionId, itemId],
      );
      if (transit.rows[0]) {
        await c.query(
          "UPDATE transits SET status = 'received', received_at = now(), received_desk_id = $3 WHERE institution_id = $1 AND id = $2",
          [w.institutionId, transit.rows[0].id, w.deskId],
        );
      }
      await c.query(
        'UPDATE items SET in_place = true, process_type = NULL, updated_at = now() WHERE institution_id = $1 AND id = $2',
        [w.institutionId, itemId],
      );
      await c.query(
        `INSERT INTO item_history (institution_id, item_id, event, acting_institution_id, library_id, desk_id,
           operator_staff_id) VALUES ($1, $2, 'scan_in', $1, $3, $4, $5)`,
        [w.institutionId, itemId, w.libraryId, w.deskId, ctx.operator.get(w.institutionId)],
      );
      return true;
    });

/** Request: lock the title's queue (its record), find the next place, write the request. */
export const ceilingRequest =
  (pool: pg.Pool, ctx: CeilingContext, w: RequestWork, patronId: string): Operation =>
  () =>
    transaction(pool, async (c) => {
      const bib = await c.query<{ work_key: string }>(
        'SELECT work_key FROM bib_records WHERE institution_id = $1 AND id = $2 FOR UPDATE',
        [w.institutionId, w.bibId],
      );
      const workKey = bib.rows[0]?.work_key;
      if (workKey === undefined) return false;
      const last = await c.query<{ n: number }>(
        `SELECT coalesce(max(queue_position), 0)::int AS n FROM requests
         WHERE institution_id = $1 AND bib_id = $2 AND volume = '' AND queue_position IS NOT NULL`,
        [w.institutionId, w.bibId],
      );
      await c.query(
        `INSERT INTO requests (institution_id, patron_id, bib_id, work_key, volume, request_type, level,
           pickup_institution_id, pickup_library_id, queue_position, placed_by)
         VALUES ($1, $2, $3, $4, '', 'hold', 'title', $1, $5, $6, $7)`,
        [
          w.institutionId,
          patronId,
          w.bibId,
          workKey,
          w.pickupLibraryId,
          (last.rows[0]?.n ?? 0) + 1,
          ctx.operator.get(w.institutionId),
        ],
      );
      return true;
    });

/** Renew: lock the loan, move its due date, one history row. */
export const ceilingRenew =
  (pool: pg.Pool, ctx: CeilingContext, w: LoanWork): Operation =>
  () =>
    transaction(pool, async (c) => {
      const loan = await c.query<{ item_id: string; patron_id: string }>(
        "SELECT item_id, patron_id FROM loans WHERE institution_id = $1 AND id = $2 AND status = 'active' FOR UPDATE",
        [w.institutionId, w.loanId],
      );
      const l = loan.rows[0];
      if (!l) return false;
      await c.query(
        `UPDATE loans SET due_at = now() + interval '28 days', renewals_used = renewals_used + 1
         WHERE institution_id = $1 AND id = $2`,
        [w.institutionId, w.loanId],
      );
      await c.query(
        `INSERT INTO item_history (institution_id, item_id, event, acting_institution_id, operator_staff_id, patron_id,
           loan_id) VALUES ($1, $2, 'renew', $1, $3, $4, $5)`,
        [w.institutionId, l.item_id, ctx.operator.get(w.institutionId), l.patron_id, w.loanId],
      );
      return true;
    });

/** A patron's open loans with item, title, patron, terms, desk and library: one query. */
export const ceilingPatronLoans =
  (pool: pg.Pool, w: PatronWork): Operation =>
  async () => {
    const rows = await pool.query(
      `SELECT l.id, l.loaned_at, l.due_at, l.status, l.renewals_used, i.barcode, b.title, b.author, p.first_name,
         p.last_name, t.renewals_allowed, d.name AS desk_name, dl.name AS library_name
       FROM loans l JOIN items i ON i.institution_id = l.institution_id AND i.id = l.item_id
         JOIN bib_records b ON b.institution_id = i.institution_id AND b.id = i.bib_id
         JOIN patrons p ON p.institution_id = l.institution_id AND p.id = l.patron_id
         JOIN terms_of_use t ON t.institution_id = l.institution_id AND t.id = l.terms_of_use_id
         JOIN circulation_desks d ON d.id = l.desk_id JOIN libraries dl ON dl.id = l.desk_library_id
       WHERE l.institution_id = $1 AND l.patron_id = $2 AND l.status <> 'returned' ORDER BY l.due_at, l.id`,
      [w.institutionId, w.patronId],
    );
    return rows.rowCount !== null && rows.rowCount > 0;
  };

/** A catalogue search at its simplest: the matching records by rank, first page. */
export const ceilingSearch =
  (pool: pg.Pool, words: string): Operation =>
  async () => {
    await pool.query(
      `SELECT b.id, b.work_key, b.title, ts_rank(b.search_document, q) AS rank
       FROM bib_records b, to_tsquery('simple', $1) q
       WHERE b.search_document @@ q AND b.withdrawn_at IS NULL ORDER BY rank DESC, b.title LIMIT 20`,
      [words.split(' ').join(' & ')],
    );
    return true;
  };
