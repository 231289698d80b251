import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/server/db/database.ts';
import { createTestDatabase } from '../support/database.ts';

// Decision 67: a transaction's BEGIN is held back and sent with its first statement (in one
// socket write on PostgreSQL). The transaction must be exactly what it was: its first statement
// inside it, an empty transaction leaving nothing open behind it.
describe('BEGIN sent with the first statement', () => {
  let database: OpenedDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await sql`CREATE TABLE begin_check (id int PRIMARY KEY, n int NOT NULL)`.execute(database.db);
  });
  afterAll(() => database.close());

  /** True when the statement is the first of its own transaction (no BEGIN left open before it). */
  const firstOfItsTransaction = (executor: Parameters<ReturnType<typeof sql>['execute']>[0]) =>
    sql<{ fresh: boolean }>`SELECT now() = statement_timestamp() AS fresh`.execute(executor);

  it('runs the first statement inside the transaction: it sees the transaction’s clock', async () => {
    const [first, later] = await database.db.transaction().execute(async (trx) => {
      // A parameterised SELECT: the statement that travels with BEGIN.
      const a = await sql<{ t: Date }>`SELECT now() AS t, ${1}::int AS one`.execute(trx);
      await sql`SELECT pg_sleep(0.02)`.execute(trx);
      const b = await sql<{ t: Date }>`SELECT now() AS t`.execute(trx);
      return [a.rows[0]?.t, b.rows[0]?.t];
    });
    // now() is the transaction's start: had the first statement run before BEGIN, it would
    // show an earlier time than the statements after it.
    expect(first).toBeInstanceOf(Date);
    expect(first?.getTime()).toBe(later?.getTime());
  });

  it('undoes everything after a first SELECT when the transaction fails', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`SELECT n FROM begin_check WHERE id = ${1}`.execute(trx);
        await sql`INSERT INTO begin_check VALUES (${1}, ${10})`.execute(trx);
        throw new Error('refused after the write');
      }),
    ).rejects.toThrow('refused after the write');
    const rows = await sql`SELECT * FROM begin_check WHERE id = ${1}`.execute(database.db);
    expect(rows.rows).toEqual([]);
  });

  it('undoes a write that is the first statement (it waits for BEGIN, as before)', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO begin_check VALUES (${2}, ${20})`.execute(trx);
        throw new Error('refused after the write');
      }),
    ).rejects.toThrow('refused after the write');
    const rows = await sql`SELECT * FROM begin_check WHERE id = ${2}`.execute(database.db);
    expect(rows.rows).toEqual([]);
  });

  it('rolls back when the first statement itself fails, and the connection goes on', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`SELECT n / ${0}::int FROM (VALUES (1)) AS v(n)`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: '22012' });
    const committed = await database.db.transaction().execute(async (trx) => {
      await sql`SELECT ${1}::int`.execute(trx);
      await sql`INSERT INTO begin_check VALUES (${3}, ${30})`.execute(trx);
      return true;
    });
    expect(committed).toBe(true);
    const rows = await sql<{ n: number }>`SELECT n FROM begin_check WHERE id = ${3}`.execute(database.db);
    expect(rows.rows).toEqual([{ n: 30 }]);
  });

  it('leaves no transaction open after one that ended before its first statement', async () => {
    await database.db.connection().execute(async (connection) => {
      await connection.transaction().execute(async () => {});
      await expect(
        connection.transaction().execute(async () => {
          throw new Error('nothing to do');
        }),
      ).rejects.toThrow('nothing to do');
      // On the same connection: a statement outside any transaction is the first of its own.
      await sql`SELECT ${1}::int`.execute(connection);
      const after = await firstOfItsTransaction(connection);
      expect(after.rows[0]?.fresh).toBe(true);
    });
  });

  it('keeps each statement after the first in the same transaction', async () => {
    const fresh = await database.db.transaction().execute(async (trx) => {
      await sql`SELECT ${1}::int`.execute(trx);
      return (await firstOfItsTransaction(trx)).rows[0]?.fresh;
    });
    expect(fresh).toBe(false);
  });
});
