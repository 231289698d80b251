import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '../../src/server/circulation/repository.ts';
import type { OpenedDatabase } from '../../src/server/db/database.ts';
import { MAX_PREPARED_PER_CONNECTION } from '../../src/server/db/prepared.ts';
import { createTestDatabase } from '../support/database.ts';

// Decision 64: parameterised statements are prepared once per connection and then reused.
// pg_prepared_statements lists what this connection has prepared, so each check runs inside
// one transaction (one connection).
describe('named prepared statements', () => {
  let database: OpenedDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  const prepared = (trx: Executor) =>
    sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(trx);

  it('prepares a parameterised query once and reuses it with other values', async () => {
    await database.db.transaction().execute(async (trx) => {
      const first = await sql<{ n: number }>`SELECT ${1}::int + 1 AS n`.execute(trx);
      const second = await sql<{ n: number }>`SELECT ${41}::int + 1 AS n`.execute(trx);
      expect(first.rows[0]?.n).toBe(2);
      expect(second.rows[0]?.n).toBe(42);
      const statements = (await prepared(trx)).rows.filter((r) => r.statement.includes('+ 1 AS n'));
      expect(statements).toHaveLength(1);
      expect(statements[0]?.name).toMatch(/^s0_/);
    });
  });

  it('leaves statements without parameters unnamed, so several statements still run as one', async () => {
    await database.db.transaction().execute(async (trx) => {
      await sql.raw('SELECT 1 AS a; SELECT 2 AS b').execute(trx);
      const statements = (await prepared(trx)).rows.filter((r) => r.statement.includes('AS a'));
      expect(statements).toHaveLength(0);
    });
  });

  it('prepares afresh after another process changed a table a statement reads with SELECT *', async () => {
    await sql`CREATE TABLE stale_check (a int)`.execute(database.db);
    await sql`INSERT INTO stale_check VALUES (1)`.execute(database.db);
    const read = () =>
      database.db.transaction().execute(async (trx) => {
        // Twice on one connection: the second call is the prepared statement.
        await sql`SELECT * FROM stale_check WHERE a = ${1}`.execute(trx);
        return (await sql<Record<string, unknown>>`SELECT * FROM stale_check WHERE a = ${1}`.execute(trx))
          .rows;
      });
    // Every connection of the pool has it prepared before the table changes.
    await Promise.all(Array.from({ length: 10 }, read));
    await sql`ALTER TABLE stale_check ADD COLUMN b int DEFAULT 7`.execute(database.db);
    const afterChange = await Promise.allSettled(Array.from({ length: 10 }, read));
    // The statement prepared before the change cannot give the new row type (PostgreSQL's rule).
    expect(afterChange.some((o) => o.status === 'rejected')).toBe(true);
    for (const outcome of afterChange) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: '0A000' });
      else expect(outcome.value).toEqual([{ a: 1, b: 7 }]);
    }
    // Each connection met the error at most once: every call now reads the new column.
    const settled = await Promise.all(Array.from({ length: 10 }, read));
    for (const rows of settled) expect(rows).toEqual([{ a: 1, b: 7 }]);
  });
  it(`stops naming new statements on a connection after ${MAX_PREPARED_PER_CONNECTION}, and they still run`, async () => {
    await database.db.transaction().execute(async (trx) => {
      // Texts that differ only in their number of parameters, like an IN list of n values.
      for (let n = 1; n <= MAX_PREPARED_PER_CONNECTION + 5; n++) {
        const values = Array.from({ length: n }, (_, k) => sql`${k}::int`);
        const result = await sql<{ n: number }>`SELECT cardinality(ARRAY[${sql.join(values)}]) AS n`.execute(
          trx,
        );
        expect(result.rows[0]?.n).toBe(n);
      }
      // Statements this connection prepared before count towards its limit too.
      const cardinality = (await prepared(trx)).rows.filter((r) => r.statement.includes('cardinality'));
      expect(cardinality.length).toBeLessThanOrEqual(MAX_PREPARED_PER_CONNECTION);
      expect(cardinality.length).toBeGreaterThan(MAX_PREPARED_PER_CONNECTION - 10);
    });
  });
});
