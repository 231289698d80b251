import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireStaff } from '../../src/server/auth/authorize.ts';
import { resolveSessionToken } from '../../src/server/auth/sessions.ts';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import { lendItem } from '../../src/server/circulation/lend.ts';
import { dayAt, plusDays } from '../../src/server/circulation/rules/index.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import {
  buildBorrower,
  type CirculationSetup,
  circulationSetup,
  closeLibrary,
  setDueAt,
} from '../support/circulation.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let ada: Client; // the desk operator at North's main library
let morgan: Client; // the desk manager
const ZONE = 'America/Toronto';
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  ada = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
  morgan = await signIn(t.app, cast.north.staff.circulation_desk_manager.username);
});
afterAll(async () => t.close());

describe('issue 4 acceptance: a morning at the North University main desk', () => {
  it('lends, refuses with every reason, overrides, renews, refuses a renewal, returns late with the fine on the owner calendar, and sends an item home', async () => {
    const db = t.database.db;
    const today = dayAt(ZONE, new Date());
    const desk = north.desks.main.id;
    const lend = (client: Client, body: Record<string, unknown>) =>
      client.post('/api/circulation/loans', { deskId: desk, ...body });

    // 1. A student borrows a book (CIRC-2 fallback terms: 21 days on the main library calendar).
    const student = await buildBorrower(db, cast.north, { identifier: 'S-1001', lastName: 'Student' });
    const novel = await buildItem(db, { institution: cast.north.institution, title: 'Middlemarch' });
    const lent = await lend(ada, { itemBarcode: novel.barcode, patronId: student.id });
    expect(lent.statusCode).toBe(201);
    expect(dayAt(ZONE, new Date(lent.json().loan.dueAt))).toBe(plusDays(today, 21));

    // 2. A blocked, expired patron is refused with every reason at once (CIRC-4, PAT-7).
    const blocked = await buildBorrower(db, cast.north, {
      identifier: 'S-1002',
      expiryDate: plusDays(today, -1),
    });
    await db
      .insertInto('patron_blocks')
      .values({
        institution_id: north.institutionId,
        patron_id: blocked.id,
        block_type: 'FINES',
        reason: 'unpaid',
      })
      .execute();
    const atlas = await buildItem(db, { institution: cast.north.institution, title: 'Atlas of the World' });
    const refused = await lend(ada, { itemBarcode: atlas.barcode, patronId: blocked.id });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().details.reasons.map((r: { code: string }) => r.code)).toEqual([
      'PATRON_EXPIRED',
      'PATRON_BLOCKED',
    ]);
    // Ada may not override; Morgan, the manager, does, and the override is recorded.
    const override = { codes: ['PATRON_EXPIRED', 'PATRON_BLOCKED'], note: 'Renewing membership today' };
    expect((await lend(ada, { itemBarcode: atlas.barcode, patronId: blocked.id, override })).statusCode).toBe(
      403,
    );
    const overridden = await lend(morgan, { itemBarcode: atlas.barcode, patronId: blocked.id, override });
    expect(overridden.statusCode).toBe(201);
    const atlasHistory = (
      await ada.get(`/api/institutions/${north.institutionId}/items/${atlas.itemId}/history`)
    ).json();
    expect(atlasHistory.map((h: { event: string }) => h.event)).toEqual(['loan', 'override']);
    expect(atlasHistory[1]).toMatchObject({
      operator: { id: cast.north.staff.circulation_desk_manager.id },
      details: { codes: override.codes, note: override.note },
    });

    // 3. The student renews in time (CIRC-5), twice, and the third renewal is refused.
    const loanId = lent.json().loan.id;
    const renew = () => ada.post(`/api/circulation/loans/${north.institutionId}/${loanId}/renew`, {});
    for (const n of [1, 2]) {
      await setDueAt(db, loanId, new Date(Date.now() + DAY));
      const renewed = await renew();
      expect(renewed.statusCode).toBe(200);
      expect(renewed.json().loan.renewalsUsed).toBe(n);
      expect(dayAt(ZONE, new Date(renewed.json().loan.dueAt))).toBe(plusDays(today, 14));
    }
    await setDueAt(db, loanId, new Date(Date.now() + DAY));
    const third = await renew();
    expect(third.statusCode).toBe(422);
    expect(third.json().details.reasons.map((r: { code: string }) => r.code)).toEqual(['RENEWALS_EXHAUSTED']);

    // 4. A book lent three weeks and six days ago comes back six days late at its home library;
    // the home library (the owner's calendar) was closed on two of those days: 4 x 0.25 CAD.
    const actor = requireStaff(
      (await resolveSessionToken(db, morgan.cookie.split('=')[1] as string))?.actor ?? null,
    );
    const textbook = await buildItem(db, { institution: cast.north.institution, title: 'Calculus' });
    const lentEarly = await lendItem(
      { db, actor, requestId: 'scenario', now: new Date(Date.now() - 27 * DAY) },
      { deskId: desk, itemBarcode: textbook.barcode, patronId: student.id },
    );
    expect(dayAt(ZONE, new Date(lentEarly.loan.dueAt))).toBe(plusDays(today, -6));
    await closeLibrary(db, north.libraries.home, plusDays(today, -3));
    await closeLibrary(db, north.libraries.home, plusDays(today, -1));
    const late = await ada.post('/api/circulation/returns', {
      deskId: north.desks.home.id,
      itemBarcode: textbook.barcode,
    });
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({
      loan: { id: lentEarly.loan.id, status: 'returned' },
      fine: { amountMinor: 100, currency: 'CAD', overdueDays: 4 },
      nextStep: { kind: 'reshelve' },
    });

    // 5. Middlemarch is returned at the branch library and sent home.
    const away = await ada.post('/api/circulation/returns', {
      deskId: north.desks.branch.id,
      itemBarcode: novel.barcode,
    });
    expect(away.json().nextStep).toMatchObject({
      kind: 'transit',
      reason: 'home_library',
      text: 'Put in transit to North University Catalogue Library',
    });
    const open = (
      await ada.get(`/api/circulation/patrons/${north.institutionId}/${student.id}/loans`)
    ).json();
    expect(open).toEqual([]);
    expect(await checkInvariants(db)).toEqual([]);
  });
});
