import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledOnce, compiledPerShape } from '../../src/server/db/compiled.ts';
import type { OpenedDatabase } from '../../src/server/db/database.ts';
import { createTestDatabase } from '../support/database.ts';

// Decision 66: the desk operations' statements are built and compiled once, then run with each
// call's values. These checks hold the helper to giving the same rows as a query built anew.
describe('statements compiled once', () => {
  let database: OpenedDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db
      .insertInto('institutions')
      .values(
        ['north', 'south', 'east'].map((code) => ({
          code: `compiled-${code}`,
          name: `${code} institution`,
          time_zone: 'Europe/Oslo',
          currency: 'NOK',
          address: null,
          email: null,
          guest_user_group_id: null,
        })),
      )
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
  });
  afterAll(() => database.close());

  it('binds each call its own values, fixed values staying as written', async () => {
    const add = compiledOnce((db, v: { a: number; b: number }) =>
      db.selectNoFrom([sql<number>`${v.a}::int + ${v.b}::int + ${100}::int`.as('n')]),
    );
    const first = await add(database.db, { a: 1, b: 2 });
    const second = await add(database.db, { a: 40, b: 2 });
    expect(first.rows).toEqual([{ n: 103 }]);
    expect(second.rows).toEqual([{ n: 142 }]);
  });

  it('gives the rows a query built on every call gives, in and out of a transaction', async () => {
    const built = (code: string) =>
      database.db
        .selectFrom('institutions')
        .select(['id', 'code', 'name'])
        .where('code', '=', code)
        .execute();
    const compiled = compiledOnce((db, v: { code: string }) =>
      db.selectFrom('institutions').select(['id', 'code', 'name']).where('code', '=', v.code),
    );
    const codes = (await database.db.selectFrom('institutions').select('code').execute()).map((r) => r.code);
    expect(codes.length).toBeGreaterThan(1);
    for (const code of [...codes, 'no-such-institution']) {
      expect((await compiled(database.db, { code })).rows).toEqual(await built(code));
    }
    // In a transaction (PGlite has one connection: the query built anew runs before it).
    const code = codes[0] as string;
    const expected = await built(code);
    const inTransaction = await database.db
      .transaction()
      .execute(async (trx) => (await compiled(trx, { code })).rows);
    expect(inTransaction).toEqual(expected);
  });

  it('compiles each shape once and keeps the shapes apart', async () => {
    let builds = 0;
    const count = compiledPerShape((db, v: { min: number }, shape: 'all' | 'above') => {
      builds++;
      const query = db.selectFrom('institutions').select((eb) => eb.fn.countAll<number>().as('n'));
      return shape === 'all'
        ? query.where(sql<boolean>`${v.min}::int IS NOT NULL`)
        : query.where(sql<boolean>`length(code) > ${v.min}::int`);
    });
    const all = Number((await count(database.db, 'all', { min: 0 })).rows[0]?.n);
    const above = Number((await count(database.db, 'above', { min: 100 })).rows[0]?.n);
    // Compiled already: each shape binds the new value to its own statement.
    expect(Number((await count(database.db, 'all', { min: 0 })).rows[0]?.n)).toBe(all);
    expect(Number((await count(database.db, 'above', { min: 0 })).rows[0]?.n)).toBe(all);
    expect(all).toBeGreaterThan(0);
    expect(above).toBe(0);
    expect(builds).toBe(2);
  });

  it('refuses a statement that reads a value without making it a parameter', async () => {
    const branching = compiledOnce((db, v: { code: string }) =>
      // Branching on a value would freeze the first call's branch for every later call.
      v.code ? db.selectFrom('institutions').select('id') : db.selectFrom('libraries').select('id'),
    );
    await expect(branching(database.db, { code: 'x' })).rejects.toThrow(/code did not become parameters/);
  });

  it('refuses a statement that computes with a value, even one it also binds', async () => {
    const computing = compiledOnce((db, v: { code: string }) =>
      // A value turned into text or a number would freeze the first call's value into the SQL.
      db
        .selectFrom('institutions')
        .select('id')
        .where('code', '=', v.code)
        .where('name', '=', `${v.code} institution`),
    );
    await expect(computing(database.db, { code: 'compiled-north' })).rejects.toThrow(/computes with "code"/);
  });
});
