import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, createCast } from '../support/cast.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;
let admin: Client;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  admin = await signIn(t.app, cast.north.staff.general_system_administrator.username);
  base = `/api/institutions/${cast.north.institution.id}`;
});
afterAll(async () => t.close());

/** Row counts of every configuration table plus the audit trail: a refused write changes none. */
async function snapshot() {
  const tables = [
    'institutions',
    'networks',
    'network_members',
    'network_relations',
    'libraries',
    'library_opening_hours',
    'library_closed_days',
    'circulation_desks',
    'locations',
    'library_relations',
    'transit_times',
    'user_groups',
    'item_policies',
    'material_types',
    'terms_of_use',
    'terms_of_use_rules',
    'loan_limits',
    'linked_account_rules',
    'staff',
    'role_assignments',
    'audit_log',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(
      t.database.db,
    );
    counts[table] = result.rows[0]?.n ?? -1;
  }
  const updated = await sql<{ v: string }>`SELECT max(updated_at)::text AS v FROM institutions`.execute(
    t.database.db,
  );
  return { counts, institutionsUpdated: updated.rows[0]?.v };
}

const uuid = '00000000-0000-4000-8000-000000000001';

/**
 * NET-7: every configuration endpoint refuses bad input with 400, names the bad field, and
 * writes nothing. `field` is the name that must appear in details.fields.
 */
const BAD_INPUTS: {
  name: string;
  method: 'POST' | 'PATCH' | 'PUT';
  url: () => string;
  body: unknown | (() => unknown);
  field: string;
}[] = [
  {
    name: 'library without a name',
    method: 'POST',
    url: () => `${base}/libraries`,
    body: { code: 'SCI' },
    field: 'name',
  },
  {
    name: 'library with a bad code',
    method: 'POST',
    url: () => `${base}/libraries`,
    body: { code: 'has space', name: 'X' },
    field: 'code',
  },
  {
    name: 'library with a made-up time zone',
    method: 'POST',
    url: () => `${base}/libraries`,
    body: { code: 'TZ', name: 'X', timeZone: 'Mars/Olympus' },
    field: 'timeZone',
  },
  {
    name: 'library with an unknown field',
    method: 'POST',
    url: () => `${base}/libraries`,
    body: { code: 'U', name: 'X', colour: 'red' },
    field: 'body',
  },
  {
    name: 'desk without a library',
    method: 'POST',
    url: () => `${base}/desks`,
    body: { code: 'D', name: 'Desk' },
    field: 'libraryId',
  },
  {
    name: 'desk with a malformed library id',
    method: 'POST',
    url: () => `${base}/desks`,
    body: { libraryId: 'abc', code: 'D', name: 'Desk' },
    field: 'libraryId',
  },
  {
    name: 'location without a code',
    method: 'POST',
    url: () => `${base}/locations`,
    body: { libraryId: uuid, name: 'Stacks' },
    field: 'code',
  },
  {
    name: 'user group with an empty name',
    method: 'POST',
    url: () => `${base}/user-groups`,
    body: { code: 'UG', name: '  ' },
    field: 'name',
  },
  {
    name: 'item policy with a long code',
    method: 'POST',
    url: () => `${base}/item-policies`,
    body: { code: 'X'.repeat(40), name: 'P' },
    field: 'code',
  },
  {
    name: 'material type without a name',
    method: 'POST',
    url: () => `${base}/material-types`,
    body: { code: 'MT' },
    field: 'name',
  },
  {
    name: 'terms of use with a fractional fine (CIRC-11 minor units)',
    method: 'POST',
    url: () => `${base}/terms-of-use`,
    body: { code: 'T', name: 'T', loanPeriod: 14, overdueFinePerDayMinor: 0.5 },
    field: 'overdueFinePerDayMinor',
  },
  {
    name: 'terms of use with a negative loan period',
    method: 'POST',
    url: () => `${base}/terms-of-use`,
    body: { code: 'T', name: 'T', loanPeriod: -3 },
    field: 'loanPeriod',
  },
  {
    name: 'loanable terms of use without a period or due date (CIRC-2)',
    method: 'POST',
    url: () => `${base}/terms-of-use`,
    body: { code: 'T', name: 'T' },
    field: 'loanPeriod',
  },
  {
    name: 'renewable terms of use without a renewal period',
    method: 'POST',
    url: () => `${base}/terms-of-use`,
    body: { code: 'T', name: 'T', loanPeriod: 7, renewalsAllowed: 2 },
    field: 'renewalPeriod',
  },
  {
    name: 'terms of use with an unknown pickup policy',
    method: 'POST',
    url: () => `${base}/terms-of-use`,
    body: { code: 'T', name: 'T', loanPeriod: 7, pickupLocationPolicy: 'anywhere' },
    field: 'pickupLocationPolicy',
  },
  {
    name: 'rule without terms of use',
    method: 'POST',
    url: () => `${base}/terms-of-use-rules`,
    body: { priority: 5 },
    field: 'termsOfUseId',
  },
  {
    name: 'fallback rule with criteria (CIRC-2)',
    method: 'POST',
    url: () => `${base}/terms-of-use-rules`,
    body: { termsOfUseId: uuid, isFallback: true, userGroupId: uuid },
    field: 'isFallback',
  },
  {
    name: 'loan limit below zero',
    method: 'POST',
    url: () => `${base}/loan-limits`,
    body: { maxLoans: -1 },
    field: 'maxLoans',
  },
  {
    name: 'network loan limit per material type',
    method: 'POST',
    url: () => `${base}/loan-limits`,
    body: { scope: 'network', materialTypeId: uuid, maxLoans: 5 },
    field: 'materialTypeId',
  },
  {
    name: 'linked-account rule with a fixed expiry but no date (PAT-4)',
    method: 'POST',
    url: () => `${base}/linked-account-rules`,
    body: { userGroupId: uuid, expiryMode: 'fixed', isDefault: true },
    field: 'expiryFixedDate',
  },
  {
    name: 'linked-account rule with no source that is not the default',
    method: 'POST',
    url: () => `${base}/linked-account-rules`,
    body: { userGroupId: uuid, expiryMode: 'same_as_home' },
    field: 'sourceInstitutionId',
  },
  {
    name: 'linked-account rule with an unknown expiry mode',
    method: 'POST',
    url: () => `${base}/linked-account-rules`,
    body: { userGroupId: uuid, expiryMode: 'forever' },
    field: 'expiryMode',
  },
  {
    name: 'institution with a lowercase currency (NET-1)',
    method: 'PATCH',
    url: () => base,
    body: { currency: 'eur' },
    field: 'currency',
  },
  {
    name: 'institution with an unknown exposure (NET-5)',
    method: 'PATCH',
    url: () => base,
    body: { discoveryExposure: 'everything' },
    field: 'discoveryExposure',
  },
  {
    name: 'institution with an unknown registration mode (NET-4)',
    method: 'PATCH',
    url: () => base,
    body: { remoteRegistrationMode: 'sometimes' },
    field: 'remoteRegistrationMode',
  },
  {
    name: 'institution with a guest group of another institution (NET-4)',
    method: 'PATCH',
    url: () => base,
    body: { guestUserGroupId: uuid },
    field: 'guestUserGroupId',
  },
  {
    name: 'calendar with closing before opening (NET-6)',
    method: 'PUT',
    url: () => `${base}/libraries/${cast.north.main.id}/calendar`,
    body: { openingHours: [{ weekday: 1, opens: '18:00', closes: '09:00' }], closedDays: [] },
    field: 'openingHours.0.closes',
  },
  {
    name: 'calendar with weekday 8',
    method: 'PUT',
    url: () => `${base}/libraries/${cast.north.main.id}/calendar`,
    body: { openingHours: [{ weekday: 8, opens: '09:00', closes: '17:00' }], closedDays: [] },
    field: 'openingHours.0.weekday',
  },
  {
    name: 'calendar with an impossible date',
    method: 'PUT',
    url: () => `${base}/libraries/${cast.north.main.id}/calendar`,
    body: { openingHours: [], closedDays: [{ day: '2026-02-30' }] },
    field: 'closedDays.0.day',
  },
  {
    name: 'library relation to itself',
    method: 'PUT',
    url: () => `${base}/library-relations`,
    body: () => ({
      libraryId: cast.north.main.id,
      forLibraryId: cast.north.main.id,
      lends: true,
      delivers: true,
    }),
    field: 'forLibraryId',
  },
  {
    name: "library relation naming South's library",
    method: 'PUT',
    url: () => `${base}/library-relations`,
    body: () => ({
      libraryId: cast.north.main.id,
      forLibraryId: cast.south.main.id,
      lends: true,
      delivers: true,
    }),
    field: 'forLibraryId',
  },
  {
    name: 'transit time of -1 days',
    method: 'PUT',
    url: () => `${base}/transit-times`,
    body: () => ({ fromLibraryId: cast.north.main.id, toLibraryId: cast.south.main.id, days: -1 }),
    field: 'days',
  },
  {
    name: "transit time from South's library",
    method: 'PUT',
    url: () => `${base}/transit-times`,
    body: () => ({ fromLibraryId: cast.south.main.id, toLibraryId: cast.north.main.id, days: 2 }),
    field: 'fromLibraryId',
  },
  {
    name: 'staff with a short password',
    method: 'POST',
    url: () => `${base}/staff`,
    body: { username: 'newbie', name: 'New', password: 'short' },
    field: 'password',
  },
  {
    name: 'staff with an uppercase username',
    method: 'POST',
    url: () => `${base}/staff`,
    body: { username: 'NewBie', name: 'New', password: 'long-enough-password' },
    field: 'username',
  },
  {
    name: 'role that does not exist',
    method: 'POST',
    url: () => `${base}/staff/${cast.north.staff.user_manager.id}/roles`,
    body: { role: 'librarian_in_chief' },
    field: 'role',
  },
  {
    name: "role limited to South's library",
    method: 'POST',
    url: () => `${base}/staff/${cast.north.staff.user_manager.id}/roles`,
    body: () => ({ role: 'circulation_desk_operator', libraryId: cast.south.main.id }),
    field: 'libraryId',
  },
];

describe('bad configuration input: 400 naming the field, nothing written (NET-7)', () => {
  for (const bad of BAD_INPUTS) {
    it(bad.name, async () => {
      const before = await snapshot();
      const body = typeof bad.body === 'function' ? bad.body() : bad.body;
      const response = await admin.request(bad.method, bad.url(), body);
      expect(response.statusCode, response.body).toBe(400);
      const error = response.json();
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(bad.field);
      expect(error.details.fields.map((f: { field: string }) => f.field)).toContain(bad.field);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('refuses a body that is not JSON with 400', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `${base}/libraries`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken, 'content-type': 'application/json' },
      payload: '{"code": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('refuses a malformed id in the path with 400', async () => {
    const response = await admin.get('/api/institutions/not-a-uuid/libraries');
    expect(response.statusCode).toBe(400);
    expect(response.json().details.fields[0].field).toBe('params.institutionId');
  });

  it("refuses a desk in another institution's library with 400 naming libraryId, and writes nothing", async () => {
    const before = await snapshot();
    const response = await admin.post(`${base}/desks`, {
      libraryId: cast.south.main.id,
      code: 'X',
      name: 'Desk',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'INVALID_REFERENCE',
      details: { fields: [{ field: 'libraryId', message: expect.any(String) }] },
    });
    expect(await snapshot()).toEqual(before);
  });
});

describe('duplicates and deletes', () => {
  it('refuses a second library with the same code in one institution (409 naming code)', async () => {
    expect((await admin.post(`${base}/libraries`, { code: 'DUP', name: 'First' })).statusCode).toBe(201);
    const before = await snapshot();
    const second = await admin.post(`${base}/libraries`, { code: 'DUP', name: 'Second' });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({
      code: 'DUPLICATE',
      details: { fields: [{ field: 'code', message: expect.any(String) }] },
    });
    expect(second.body).not.toMatch(/institution_id|duplicate key|constraint "/i);
    expect(await snapshot()).toEqual(before);
  });

  it('allows the same library code in another institution', async () => {
    const southAdmin = await signIn(t.app, cast.south.staff.general_system_administrator.username);
    expect(
      (
        await southAdmin.post(`/api/institutions/${cast.south.institution.id}/libraries`, {
          code: 'DUP',
          name: 'South dup',
        })
      ).statusCode,
    ).toBe(201);
  });

  it('refuses to delete a library that has desks (409 IN_USE) and deletes an unused one', async () => {
    const library = (await admin.post(`${base}/libraries`, { code: 'USED', name: 'Used library' })).json();
    await admin.post(`${base}/desks`, { libraryId: library.id, code: 'D1', name: 'Desk one' });
    const refusedDelete = await admin.delete(`${base}/libraries/${library.id}`);
    expect(refusedDelete.statusCode).toBe(409);
    expect(refusedDelete.json().code).toBe('IN_USE');
    const unused = (await admin.post(`${base}/libraries`, { code: 'UNUSED', name: 'Unused library' })).json();
    expect((await admin.delete(`${base}/libraries/${unused.id}`)).statusCode).toBe(204);
    expect((await admin.get(`${base}/libraries/${unused.id}`)).statusCode).toBe(404);
  });
});

describe('terms of use and rules (CIRC-2)', () => {
  it('keeps exactly one fallback rule, which cannot be deleted', async () => {
    const fulfillment = await signIn(t.app, cast.north.staff.fulfillment_administrator.username);
    const terms = (
      await fulfillment.post(`${base}/terms-of-use`, {
        code: 'STD',
        name: 'Standard',
        loanPeriod: 28,
        renewalsAllowed: 2,
        renewalPeriod: 14,
      })
    ).json();
    const fallback = await fulfillment.post(`${base}/terms-of-use-rules`, {
      termsOfUseId: terms.id,
      isFallback: true,
      priority: 1000,
    });
    expect(fallback.statusCode).toBe(201);
    const second = await fulfillment.post(`${base}/terms-of-use-rules`, {
      termsOfUseId: terms.id,
      isFallback: true,
    });
    expect(second.statusCode).toBe(409);
    const refusedDelete = await fulfillment.delete(`${base}/terms-of-use-rules/${fallback.json().id}`);
    expect(refusedDelete.statusCode).toBe(422);
    expect(refusedDelete.json().code).toBe('DELETE_REFUSED');
  });

  it('validates an update against the whole record: removing the loan period of a loanable record is refused', async () => {
    const fulfillment = await signIn(t.app, cast.north.staff.fulfillment_administrator.username);
    const terms = (
      await fulfillment.post(`${base}/terms-of-use`, { code: 'WEEK', name: 'Week loan', loanPeriod: 7 })
    ).json();
    const response = await fulfillment.patch(`${base}/terms-of-use/${terms.id}`, { loanPeriod: null });
    expect(response.statusCode).toBe(400);
    expect(response.json().details.fields[0].field).toBe('loanPeriod');
    expect((await fulfillment.get(`${base}/terms-of-use/${terms.id}`)).json().loanPeriod).toBe(7);
    const ok = await fulfillment.patch(`${base}/terms-of-use/${terms.id}`, {
      loanPeriod: null,
      fixedDueDate: '2027-06-30',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ loanPeriod: null, fixedDueDate: '2027-06-30' });
  });

  it("refuses a rule pointing at South's terms of use (400 INVALID_REFERENCE)", async () => {
    const southFulfillment = await signIn(t.app, cast.south.staff.fulfillment_administrator.username);
    const southTerms = (
      await southFulfillment.post(`/api/institutions/${cast.south.institution.id}/terms-of-use`, {
        code: 'S',
        name: 'South terms',
        loanPeriod: 21,
      })
    ).json();
    const fulfillment = await signIn(t.app, cast.north.staff.fulfillment_administrator.username);
    const response = await fulfillment.post(`${base}/terms-of-use-rules`, { termsOfUseId: southTerms.id });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'INVALID_REFERENCE',
      details: { fields: [{ field: 'termsOfUseId', message: expect.any(String) }] },
    });
  });
});

describe('the audit trail (NET-7)', () => {
  it('records who created, changed and deleted a record, and when, with before and after', async () => {
    const created = (
      await admin.post(`${base}/libraries`, {
        code: 'AUD',
        name: 'Audited library',
        servesOtherInstitutions: false,
      })
    ).json();
    await admin.patch(`${base}/libraries/${created.id}`, {
      name: 'Audited library, renamed',
      servesOtherInstitutions: true,
    });
    await admin.delete(`${base}/libraries/${created.id}`);
    const trail = (await admin.get(`${base}/audit?entityType=library&entityId=${created.id}`)).json();
    expect(trail.map((e: { action: string }) => e.action)).toEqual(['delete', 'update', 'create']);
    for (const entry of trail) {
      expect(entry.actorUsername).toBe(cast.north.staff.general_system_administrator.username);
      expect(Date.now() - Date.parse(entry.at)).toBeLessThan(60_000);
      expect(entry.requestId).toEqual(expect.any(String));
    }
    const update = trail[1];
    expect(update.before).toMatchObject({ name: 'Audited library', servesOtherInstitutions: false });
    expect(update.after).toMatchObject({ name: 'Audited library, renamed', servesOtherInstitutions: true });
  });

  it('records calendar, network-settings, relation and transit-time changes', async () => {
    await admin.put(`${base}/libraries/${cast.north.main.id}/calendar`, {
      openingHours: [{ weekday: 1, opens: '08:00', closes: '20:00' }],
      closedDays: [{ day: '2026-12-25', reason: 'Christmas Day' }],
    });
    await admin.patch(base, { remoteRegistrationMode: 'auto', searchableIdentifierTypes: ['BARCODE'] });
    await admin.put(`${base}/library-relations`, {
      libraryId: cast.north.main.id,
      forLibraryId: cast.north.branch.id,
      lends: true,
      delivers: false,
    });
    await admin.put(`${base}/transit-times`, {
      fromLibraryId: cast.north.main.id,
      toLibraryId: cast.east.main.id,
      days: 4,
    });
    const types = (await admin.get(`${base}/audit`)).json().map((e: { entityType: string }) => e.entityType);
    expect(types).toEqual(
      expect.arrayContaining(['library_calendar', 'institution', 'library_relation', 'transit_time']),
    );
    const institution = (await admin.get(base)).json();
    expect(institution).toMatchObject({
      remoteRegistrationMode: 'auto',
      searchableIdentifierTypes: ['BARCODE'],
    });
    const calendar = (await admin.get(`${base}/libraries/${cast.north.main.id}/calendar`)).json();
    expect(calendar).toEqual({
      openingHours: [{ weekday: 1, opens: '08:00', closes: '20:00' }],
      closedDays: [{ day: '2026-12-25', reason: 'Christmas Day' }],
    });
    const transit = (await admin.get(`${base}/transit-times`)).json();
    expect(transit).toContainEqual({
      fromLibraryId: cast.north.main.id,
      toLibraryId: cast.east.main.id,
      days: 4,
    });
  });
});
