import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import { createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
});
afterAll(async () => t.close());

describe('the consistency check (INV section)', () => {
  it('holds on a consistent database and names a broken item state (INV-2), for its owner only', async () => {
    const book = await buildItem(t.database.db, { institution: cast.north.institution, barcode: 'INV-1' });
    expect(await checkInvariants(t.database.db)).toEqual([]);
    // An item marked on loan with no loan holding it: what INV-2 forbids.
    await t.database.db
      .updateTable('items')
      .set({ in_place: false, process_type: 'loan' })
      .where('id', '=', book.itemId)
      .execute();
    const violations = await checkInvariants(t.database.db);
    expect(violations).toEqual([
      expect.objectContaining({
        invariant: 'INV-2',
        rows: [expect.objectContaining({ item_id: book.itemId, barcode: 'INV-1' })],
      }),
    ]);
    const northAdmin = await signIn(t.app, cast.north.staff.general_system_administrator.username);
    const north = (await northAdmin.get(`/api/institutions/${cast.north.institution.id}/invariants`)).json();
    expect(north).toMatchObject({ holds: false, violations: [{ invariant: 'INV-2' }] });
    const southAdmin = await signIn(t.app, cast.south.staff.general_system_administrator.username);
    expect(
      (await southAdmin.get(`/api/institutions/${cast.south.institution.id}/invariants`)).json(),
    ).toEqual({ holds: true, violations: [] });
    const operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
    expect((await operator.get(`/api/institutions/${cast.north.institution.id}/invariants`)).statusCode).toBe(
      403,
    );
    await t.database.db
      .updateTable('items')
      .set({ in_place: true, process_type: null })
      .where('id', '=', book.itemId)
      .execute();
    expect(await checkInvariants(t.database.db)).toEqual([]);
  });
});
