import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/server/db/database.ts';
import { pipelined } from '../../src/server/db/pipeline.ts';
import { createTestDatabase, withDatabase } from '../support/database.ts';
import { signal, waitingForALock } from '../support/locks.ts';

// Decision 67 on PostgreSQL, where BEGIN and the first statement share one socket write: the
// row lock taken by a transaction's first statement (every desk operation's first) is held until
// the transaction ends, so a second desk waits for it.

let database: OpenedDatabase;

describe('a lock taken by the statement sent with BEGIN', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    await sql`CREATE TABLE lock_check (id int PRIMARY KEY, n int NOT NULL)`.execute(database.db);
    await sql`INSERT INTO lock_check VALUES (1, 0), (2, 0)`.execute(database.db);
    await sql`CREATE TABLE lock_check_loans (holder int NOT NULL)`.execute(database.db);
  });
  afterAll(() => database.close());

  it('is held until commit, and the other desk then sees the committed row', async () => {
    const [held, release] = signal();
    const [lockTaken, locked] = signal();
    const first = database.db.transaction().execute(async (trx) => {
      await sql`SELECT n FROM lock_check WHERE id = ${1} FOR UPDATE`.execute(trx);
      locked();
      await held;
      await sql`UPDATE lock_check SET n = n + 1 WHERE id = ${1}`.execute(trx);
    });
    await lockTaken;
    // Another connection cannot take the row while the first transaction is open.
    await expect(
      sql`SELECT n FROM lock_check WHERE id = ${1} FOR UPDATE NOWAIT`.execute(database.db),
    ).rejects.toMatchObject({ code: '55P03' });
    const second = database.db.transaction().execute(async (trx) => {
      const row = await sql<{ n: number }>`SELECT n FROM lock_check WHERE id = ${1} FOR UPDATE`.execute(trx);
      return row.rows[0]?.n;
    });
    expect(await waitingForALock(database.db)).toBe(true);
    release();
    await first;
    expect(await second).toBe(1);
  });

  // Decision 68, the rule every desk operation relies on (CIRC-2's loan limit under the patron
  // lock): a read written in the same batch as a lock runs after the lock is granted, so it sees
  // what the transaction it waited for committed.
  it('lets a read sent with a lock see what the lock waited for', async () => {
    const [held, release] = signal();
    const [lockTaken, locked] = signal();
    // The first desk: locks the "patron" row 2, adds a "loan", commits when released.
    const first = database.db.transaction().execute(async (trx) => {
      await sql`SELECT n FROM lock_check WHERE id = ${2} FOR UPDATE`.execute(trx);
      locked();
      await held;
      await sql`INSERT INTO lock_check_loans VALUES (${2})`.execute(trx);
    });
    await lockTaken;
    // The second desk: the lock and the count in one batch; the lock waits for the first desk.
    const second = database.db
      .transaction()
      .execute((trx) =>
        pipelined(trx, [
          CompiledQuery.raw('SELECT n FROM lock_check WHERE id = $1 FOR UPDATE', [2]),
          CompiledQuery.raw(
            'SELECT count(*)::int AS loans FROM lock_check_loans WHERE holder = $1',
            [2],
          ) as CompiledQuery<{ loans: number }>,
        ] as const),
      );
    // The batch is at PostgreSQL, waiting for the lock, before the first desk commits.
    expect(await waitingForALock(database.db)).toBe(true);
    release();
    await first;
    const [, counted] = await second;
    expect(counted.rows).toEqual([{ loans: 1 }]);
  });

  // Decision 68: a client handed back to the pool inside a transaction (a caller that never
  // ended it) is closed, not given to the next caller with its transaction and its locks.
  it('closes a client released inside a transaction', async () => {
    await database.db.connection().execute(async (connection) => {
      // Two statements in one text: sent as they are, so the transaction really opens.
      await sql.raw('BEGIN; SELECT 1').execute(connection);
      await sql`SELECT n FROM lock_check WHERE id = ${1} FOR UPDATE`.execute(connection);
    });
    // Seen from a connection of its own (a pool client could be the one left in the transaction).
    const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(database.db);
    const observer = new pg.Client({
      connectionString: withDatabase(process.env.TEST_DATABASE_URL as string, rows[0]?.name as string),
    });
    await observer.connect();
    try {
      let idleInTransaction = 1;
      for (let k = 0; k < 40 && idleInTransaction > 0; k++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const found = await observer.query(`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
        idleInTransaction = found.rows[0]?.n ?? 0;
      }
      expect(idleInTransaction).toBe(0);
      // The row is free for anyone.
      const row = await observer.query('SELECT n FROM lock_check WHERE id = $1 FOR UPDATE NOWAIT', [1]);
      expect(row.rows).toHaveLength(1);
    } finally {
      await observer.end();
    }
  });
});
