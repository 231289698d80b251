import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/server/db/database.ts';
import { createTestDatabase } from '../support/database.ts';

// Decision 67 on PostgreSQL, where BEGIN and the first statement share one socket write: the
// row lock taken by a transaction's first statement (every desk operation's first) is held until
// the transaction ends, so a second desk waits for it.
describe('a lock taken by the statement sent with BEGIN', () => {
  let database: OpenedDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await sql`CREATE TABLE lock_check (id int PRIMARY KEY, n int NOT NULL)`.execute(database.db);
    await sql`INSERT INTO lock_check VALUES (1, 0)`.execute(database.db);
  });
  afterAll(() => database.close());

  it('is held until commit, and the other desk then sees the committed row', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
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
    release();
    await first;
    expect(await second).toBe(1);
  });
});
