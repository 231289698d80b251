import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/server/db/database.ts';
import { pipelined } from '../../src/server/db/pipeline.ts';
import { createTestDatabase } from '../support/database.ts';

// Decisions 67 and 68: a transaction's BEGIN is held back and sent with its first statement (in one
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

  /** The id of the transaction a statement runs in (each statement outside one has its own). */
  const transactionId = async (executor: Parameters<ReturnType<typeof sql>['execute']>[0]) =>
    (await sql<{ xid: string }>`SELECT pg_current_xact_id()::text AS xid`.execute(executor)).rows[0]?.xid;

  it('keeps each statement after the first in the same transaction', async () => {
    const [first, second] = await database.db
      .transaction()
      .execute(async (trx) => [await transactionId(trx), await transactionId(trx)]);
    expect(first).toBeDefined();
    expect(second).toBe(first);
    // Outside a transaction each statement has its own: the check can tell them apart.
    expect(await transactionId(database.db)).not.toBe(await transactionId(database.db));
  });

  describe('a batch of statements written together (decision 68)', () => {
    const statement = <R>(text: string, ...values: unknown[]) =>
      CompiledQuery.raw(text, values) as CompiledQuery<R>;

    it('runs them in order and gives each its own result', async () => {
      const [written, read, none] = await database.db
        .transaction()
        .execute((trx) =>
          pipelined(trx, [
            statement<{ id: number }>('INSERT INTO begin_check VALUES ($1, $2) RETURNING id', 10, 100),
            statement<{ n: number }>('SELECT n FROM begin_check WHERE id = $1', 10),
            statement<{ n: number }>('SELECT n FROM begin_check WHERE id = $1', 11),
          ] as const),
        );
      expect(written.rows).toEqual([{ id: 10 }]);
      // The read after the write in the same batch sees it: one after the other, as sent.
      expect(read.rows).toEqual([{ n: 100 }]);
      expect(none.rows).toEqual([]);
    });

    it('opens the transaction before a batch that comes first, and keeps it open after', async () => {
      const [batchTime, laterTime] = await database.db.transaction().execute(async (trx) => {
        const [a] = await pipelined(trx, [
          statement<{ t: Date }>('SELECT now() AS t, $1::int AS one', 1),
        ] as const);
        await sql`SELECT pg_sleep(0.02)`.execute(trx);
        const b = await sql<{ t: Date }>`SELECT now() AS t`.execute(trx);
        return [a.rows[0]?.t, b.rows[0]?.t];
      });
      expect(batchTime?.getTime()).toBe(laterTime?.getTime());
    });

    it('fails with the first failure and undoes the whole transaction', async () => {
      await expect(
        database.db
          .transaction()
          .execute((trx) =>
            pipelined(trx, [
              statement('INSERT INTO begin_check VALUES ($1, $2)', 12, 120),
              statement('SELECT n / $1::int FROM begin_check WHERE id = 12', 0),
              statement('INSERT INTO begin_check VALUES ($1, $2)', 13, 130),
            ] as const),
          ),
      ).rejects.toMatchObject({ code: '22012' });
      const rows = await sql`SELECT id FROM begin_check WHERE id IN (12, 13)`.execute(database.db);
      expect(rows.rows).toEqual([]);
      // The pool's connections go on working.
      const [after] = await pipelined(database.db, [
        statement<{ n: number }>('SELECT $1::int AS n', 7),
      ] as const);
      expect(after.rows).toEqual([{ n: 7 }]);
    });
  });

  describe('a last write that carries the COMMIT (decision 68)', () => {
    const statement = <R>(text: string, ...values: unknown[]) =>
      CompiledQuery.raw(text, values) as CompiledQuery<R>;

    it('commits the transaction with the write', async () => {
      const returned = await database.db.transaction().execute(async (trx) => {
        await sql`SELECT ${1}::int`.execute(trx);
        const [written] = await pipelined(
          trx,
          [
            statement<{ id: number }>('INSERT INTO begin_check VALUES ($1, $2) RETURNING id', 20, 200),
          ] as const,
          { commit: true },
        );
        return written.rows[0]?.id;
      });
      expect(returned).toBe(20);
      const rows = await sql<{ n: number }>`SELECT n FROM begin_check WHERE id = ${20}`.execute(database.db);
      expect(rows.rows).toEqual([{ n: 200 }]);
    });

    it('rolls everything back when the write fails, and the connection goes on', async () => {
      await expect(
        database.db.transaction().execute(async (trx) => {
          await sql`INSERT INTO begin_check VALUES (${21}, ${210})`.execute(trx);
          // The primary key of row 20 is taken: the write fails, the COMMIT rolls back.
          await pipelined(trx, [statement('INSERT INTO begin_check VALUES ($1, $2)', 20, 0)] as const, {
            commit: true,
          });
        }),
      ).rejects.toMatchObject({ code: '23505' });
      const rows = await sql`SELECT id FROM begin_check WHERE id = ${21}`.execute(database.db);
      expect(rows.rows).toEqual([]);
      const after = await database.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO begin_check VALUES (${22}, ${220})`.execute(trx);
        return (await sql<{ n: number }>`SELECT n FROM begin_check WHERE id = ${22}`.execute(trx)).rows;
      });
      expect(after).toEqual([{ n: 220 }]);
    });

    it('refuses a statement after the COMMIT instead of running it outside the transaction', async () => {
      await expect(
        database.db.transaction().execute(async (trx) => {
          await pipelined(trx, [statement('INSERT INTO begin_check VALUES ($1, $2)', 23, 230)] as const, {
            commit: true,
          });
          await sql`INSERT INTO begin_check VALUES (${24}, ${240})`.execute(trx);
        }),
      ).rejects.toThrow('after the transaction was committed');
      const rows = await sql<{
        id: number;
      }>`SELECT id FROM begin_check WHERE id IN (23, 24) ORDER BY id`.execute(database.db);
      // The committed write stays (the caller must not fail after it); the late one never ran.
      expect(rows.rows).toEqual([{ id: 23 }]);
      // The next transaction on the pool works as usual.
      const [first, second] = await database.db
        .transaction()
        .execute(async (trx) => [await transactionId(trx), await transactionId(trx)]);
      expect(second).toBe(first);
    });

    it('commits a batch that opens the transaction too (BEGIN, the statement and COMMIT at once)', async () => {
      const locked = await database.db.transaction().execute(async (trx) => {
        const [row] = await pipelined(
          trx,
          [statement<{ id: number }>('SELECT id FROM begin_check WHERE id = $1 FOR UPDATE', 20)] as const,
          { commit: true },
        );
        return row.rows;
      });
      expect(locked).toEqual([{ id: 20 }]);
    });

    it('writes nothing when a value cannot be sent, even what came before it in the batch', async () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(
        database.db.transaction().execute(async (trx) => {
          await sql`INSERT INTO begin_check VALUES (${25}, ${250})`.execute(trx);
          await pipelined(
            trx,
            [
              statement('INSERT INTO begin_check VALUES ($1, $2)', 26, 260),
              statement('SELECT $1::jsonb', circular),
            ] as const,
            { commit: true },
          );
        }),
      ).rejects.toThrow(/circular/i);
      const rows = await sql`SELECT id FROM begin_check WHERE id IN (25, 26)`.execute(database.db);
      expect(rows.rows).toEqual([]);
    });

    it('refuses to batch writes outside a transaction, where each would commit on its own', async () => {
      await expect(
        pipelined(database.db, [statement('INSERT INTO begin_check VALUES ($1, $2)', 27, 270)] as const),
      ).rejects.toThrow('only in a transaction');
      const rows = await sql`SELECT id FROM begin_check WHERE id = ${27}`.execute(database.db);
      expect(rows.rows).toEqual([]);
    });
  });
});
