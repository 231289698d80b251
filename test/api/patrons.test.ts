import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, createCast } from '../support/cast.ts';
import { buildUserGroup } from '../support/factories.ts';
import { anonymous, type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;
let groups: { undergrad: string; grad: string; southUndergrad: string };
let manager: Client;
let north: string;

const missingId = '00000000-0000-4000-8000-00000000beef';

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  const db = t.database.db;
  groups = {
    undergrad: (await buildUserGroup(db, { institution: cast.north.institution, code: 'UNDERGRAD' })).id,
    grad: (await buildUserGroup(db, { institution: cast.north.institution, code: 'GRAD' })).id,
    southUndergrad: (await buildUserGroup(db, { institution: cast.south.institution, code: 'UNDERGRAD' })).id,
  };
  manager = await signIn(t.app, cast.north.staff.user_manager.username);
  north = `/api/institutions/${cast.north.institution.id}/patrons`;
});
afterAll(async () => t.close());

/** Row counts of the patron tables, to show that a refusal wrote nothing. */
async function counts() {
  const db = t.database.db;
  const count = async (table: 'patrons' | 'patron_identifiers' | 'patron_blocks') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    patrons: await count('patrons'),
    identifiers: await count('patron_identifiers'),
    blocks: await count('patron_blocks'),
  };
}

let sequence = 0;
/** A valid new patron of North, overridable. */
function newPatron(overrides: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    primaryIdentifier: `T${1000 + sequence}`,
    firstName: 'Test',
    lastName: `Patron${sequence}`,
    userGroupId: groups.undergrad,
    ...overrides,
  };
}

async function create(body: Record<string, unknown>, client = manager) {
  const response = await client.post(north, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('PAT-1 patron records: create, read, update', () => {
  it('creates a full record and reads it back with identifiers, user group and flags', async () => {
    const created = await create(
      newPatron({
        primaryIdentifier: 'N-70001',
        firstName: 'Zoë',
        middleName: 'Anne',
        lastName: 'Lindqvist',
        preferredName: 'Zo',
        emails: [
          { address: 'zoe@north.example', type: 'school' },
          { address: 'zoe@home.example', type: 'personal' },
        ],
        phones: [
          { number: '+1 416 555 0100', type: 'home' },
          { number: '+1 416 555 0199', type: 'mobile', preferred: true },
        ],
        addresses: [{ lines: ['1 College Street'], city: 'Toronto', country: 'CA', type: 'home' }],
        expiryDate: '2030-06-30',
        purgeDate: '2031-06-30',
        generalNote: 'Uses the accessible reading room.',
        identifiers: [
          { type: 'BARCODE', value: '21000700' },
          { type: 'UNIVERSITY_ID', value: 'U-700' },
        ],
        password: 'a-discovery-password',
      }),
    );
    const read = await manager.get(`${north}/${created.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);
    expect(created).toMatchObject({
      institutionId: cast.north.institution.id,
      primaryIdentifier: 'N-70001',
      firstName: 'Zoë',
      lastName: 'Lindqvist',
      userGroup: { id: groups.undergrad, code: 'UNDERGRAD', name: expect.any(String) },
      identifiers: [
        { type: 'BARCODE', value: '21000700' },
        { type: 'UNIVERSITY_ID', value: 'U-700' },
      ],
      blocks: [],
      expired: false,
      blocked: false,
      hasDiscoveryLogin: true,
      status: 'active',
    });
    // One entry of each list is preferred: the marked one, else the first.
    expect(created.emails.map((e: { preferred: boolean }) => e.preferred)).toEqual([true, false]);
    expect(created.phones.map((e: { preferred: boolean }) => e.preferred)).toEqual([false, true]);
    expect(created.addresses[0]).toMatchObject({ city: 'Toronto', postalCode: '', preferred: true });
    // The discovery login works with the password given at creation.
    const signInResponse = await anonymous(t.app).post('/api/auth/patron-sign-in', {
      institution: 'NORTH',
      identifier: 'N-70001',
      password: 'a-discovery-password',
    });
    expect(signInResponse.statusCode).toBe(200);
    const stored = await t.database.db
      .selectFrom('patrons')
      .select('password_hash')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('changes any subset of a record; identifiers given replace all others', async () => {
    const created = await create(
      newPatron({ lastName: 'Oldname', identifiers: [{ type: 'BARCODE', value: '21000800' }] }),
    );
    const patched = await manager.patch(`${north}/${created.id}`, {
      lastName: 'Newname',
      userGroupId: groups.grad,
      identifiers: [{ type: 'UNIVERSITY_ID', value: 'U-800' }],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      firstName: 'Test',
      lastName: 'Newname',
      userGroup: { code: 'GRAD' },
      identifiers: [{ type: 'UNIVERSITY_ID', value: 'U-800' }],
    });
    // The search text follows every change: the old name and barcode no longer find the patron.
    const byOld = (await manager.get(`${north}?q=Oldname`)).json();
    expect(byOld.total).toBe(0);
    const byBarcode = (await manager.get(`${north}?q=21000800`)).json();
    expect(byBarcode.total).toBe(0);
    const byNew = (await manager.get(`${north}?q=newname`)).json();
    expect(byNew.patrons.map((p: { id: string }) => p.id)).toEqual([created.id]);

    const added = await manager.post(`${north}/${created.id}/identifiers`, {
      type: 'BARCODE',
      value: '21000801',
    });
    expect(added.statusCode).toBe(201);
    expect(added.json().identifiers).toHaveLength(2);
    expect((await manager.get(`${north}?q=21000801`)).json().total).toBe(1);
    const removed = await manager.delete(`${north}/${created.id}/identifiers/BARCODE/21000801`);
    expect(removed.statusCode).toBe(204);
    expect((await manager.get(`${north}?q=21000801`)).json().total).toBe(0);
    const again = await manager.delete(`${north}/${created.id}/identifiers/BARCODE/21000801`);
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('IDENTIFIER_NOT_FOUND');
  });

  it('answers unknown patrons, and patrons of another institution, 404 PATRON_NOT_FOUND', async () => {
    const southManager = await signIn(t.app, cast.south.staff.user_manager.username);
    const southPatron = (
      await southManager.post(`/api/institutions/${cast.south.institution.id}/patrons`, {
        primaryIdentifier: 'S-404',
        lastName: 'Elsewhere',
        userGroupId: groups.southUndergrad,
      })
    ).json();
    for (const id of [missingId, southPatron.id]) {
      for (const response of [
        await manager.get(`${north}/${id}`),
        await manager.patch(`${north}/${id}`, { lastName: 'X' }),
        await manager.post(`${north}/${id}/blocks`, { blockType: 'FINES' }),
        await manager.post(`${north}/${id}/expire`),
        await manager.put(`${north}/${id}/password`, { password: 'long-enough-password' }),
        await manager.post(`${north}/${id}/identifiers`, { type: 'BARCODE', value: 'x-404' }),
      ]) {
        expect(response.statusCode, response.body).toBe(404);
        expect(response.json().code).toBe('PATRON_NOT_FOUND');
      }
    }
  });
});

describe('PAT-1 search by name or identifier', () => {
  let zoe: { id: string };
  let walker: { id: string };
  let adams: { id: string };

  beforeAll(async () => {
    zoe = await create(
      newPatron({ firstName: 'Zoë', lastName: 'Brontë-Łukasiewicz', primaryIdentifier: 'SRCH-1' }),
    );
    walker = await create(
      newPatron({ firstName: 'Sam', lastName: 'Walker', identifiers: [{ type: 'BARCODE', value: '77001' }] }),
    );
    adams = await create(newPatron({ firstName: 'Alex', lastName: 'Adams', primaryIdentifier: '770012' }));
  });

  it('ignores case and diacritics: Zoe finds Zoë, lukasiewicz finds Łukasiewicz', async () => {
    for (const q of ['Zoe', 'zoë', 'ZOE bronte', 'lukasiewicz', 'Brontë-Łukasiewicz', 'zo bro']) {
      const result = (await manager.get(`${north}?q=${encodeURIComponent(q)}`)).json();
      expect(
        result.patrons.map((p: { id: string }) => p.id),
        q,
      ).toContain(zoe.id);
    }
    // Words match the start of a word of the record, not its middle.
    expect((await manager.get(`${north}?q=ontë`)).json().total).toBe(0);
  });

  it('ranks an exact identifier match first, primary or other, ignoring case', async () => {
    const result = (await manager.get(`${north}?q=77001`)).json();
    expect(result.patrons.map((p: { id: string }) => p.id)).toEqual([walker.id, adams.id]);
    expect(result.patrons[0]).toMatchObject({ identifierMatch: true, lastName: 'Walker', blocked: false });
    expect(result.patrons[1].identifierMatch).toBe(false);
    const byPrimary = (await manager.get(`${north}?q=srch-1`)).json();
    expect(byPrimary.patrons[0]).toMatchObject({ id: zoe.id, identifierMatch: true });
  });

  it('pages with limit and offset and reports the total', async () => {
    const all = (await manager.get(`${north}?limit=100`)).json();
    expect(all.total).toBeGreaterThanOrEqual(3);
    const second = (await manager.get(`${north}?limit=1&offset=1`)).json();
    expect(second).toMatchObject({ total: all.total, limit: 1, offset: 1 });
    expect(second.patrons).toEqual([all.patrons[1]]);
    const bad = await manager.get(`${north}?limit=0&offset=-1&sort=name`);
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .details.fields.map((f: { field: string }) => f.field)
        .sort(),
    ).toEqual(expect.arrayContaining(['querystring.limit', 'querystring.offset']));
  });
});

describe('PAT-1 identifiers are unique per institution and type', () => {
  it('refuses a taken primary identifier or identifier with 409 DUPLICATE naming the field, writing nothing', async () => {
    const holder = await create(
      newPatron({ primaryIdentifier: 'DUP-1', identifiers: [{ type: 'BARCODE', value: '21009999' }] }),
    );
    const before = await counts();

    const samePrimary = await manager.post(north, newPatron({ primaryIdentifier: 'DUP-1' }));
    expect(samePrimary.statusCode).toBe(409);
    expect(samePrimary.json()).toMatchObject({
      code: 'DUPLICATE',
      details: { fields: [{ field: 'primaryIdentifier' }] },
    });

    const sameBarcode = await manager.post(
      north,
      newPatron({
        identifiers: [
          { type: 'UNIVERSITY_ID', value: 'free-1' },
          { type: 'BARCODE', value: '21009999' },
        ],
      }),
    );
    expect(sameBarcode.statusCode).toBe(409);
    expect(sameBarcode.json().details.fields).toEqual([
      { field: 'identifiers.1.value', message: expect.stringContaining('already used') },
    ]);

    const other = await create(newPatron());
    const byPatch = await manager.patch(`${north}/${other.id}`, {
      primaryIdentifier: 'DUP-1',
      identifiers: [{ type: 'BARCODE', value: '21009999' }],
    });
    expect(byPatch.statusCode).toBe(409);
    expect(byPatch.json().details.fields.map((f: { field: string }) => f.field)).toEqual([
      'primaryIdentifier',
      'identifiers.0.value',
    ]);
    const byAdd = await manager.post(`${north}/${other.id}/identifiers`, {
      type: 'BARCODE',
      value: '21009999',
    });
    expect(byAdd.statusCode).toBe(409);
    expect(byAdd.json().details.fields[0].field).toBe('value');
    // Adding an identifier the patron already has is refused too.
    const own = await manager.post(`${north}/${holder.id}/identifiers`, {
      type: 'BARCODE',
      value: '21009999',
    });
    expect(own.statusCode).toBe(409);
    expect(own.json().details.fields).toEqual([
      { field: 'value', message: 'the patron already has BARCODE 21009999' },
    ]);

    expect(await counts()).toEqual({ ...before, patrons: before.patrons + 1 });

    // The same value is free under another type, and at another institution.
    const otherType = await manager.post(`${north}/${other.id}/identifiers`, {
      type: 'LIBRARY_CARD',
      value: '21009999',
    });
    expect(otherType.statusCode).toBe(201);
    const southManager = await signIn(t.app, cast.south.staff.user_manager.username);
    const atSouth = await southManager.post(`/api/institutions/${cast.south.institution.id}/patrons`, {
      primaryIdentifier: 'DUP-1',
      lastName: 'Southerner',
      userGroupId: groups.southUndergrad,
      identifiers: [{ type: 'BARCODE', value: '21009999' }],
    });
    expect(atSouth.statusCode).toBe(201);
  });
});

describe('PAT-1 bad input is refused with 400 naming the fields, and nothing is written', () => {
  it('refuses bad bodies on create', async () => {
    const before = await counts();
    const cases: [Record<string, unknown>, string[]][] = [
      [{ ...newPatron(), lastName: undefined }, ['lastName']],
      [{ ...newPatron(), lastName: '   ' }, ['lastName']],
      [newPatron({ nickname: 'Zed' }), ['body']],
      [newPatron({ emails: [{ address: 'not-an-email', type: 'school' }] }), ['emails.0.address']],
      [newPatron({ emails: [{ address: 'a@b.example', type: 'pigeon' }] }), ['emails.0.type']],
      [
        newPatron({
          phones: [
            { number: '+1 555 0100', type: 'home', preferred: true },
            { number: '+1 555 0101', type: 'mobile', preferred: true },
          ],
        }),
        ['phones'],
      ],
      [newPatron({ expiryDate: '2027-02-30' }), ['expiryDate']],
      [newPatron({ userGroupId: 'UNDERGRAD' }), ['userGroupId']],
      [newPatron({ identifiers: [{ type: 'barcode', value: '1' }] }), ['identifiers.0.type']],
      [
        newPatron({
          identifiers: [
            { type: 'BARCODE', value: '5' },
            { type: 'BARCODE', value: '5' },
          ],
        }),
        ['identifiers.1.value'],
      ],
      [newPatron({ password: 'short' }), ['password']],
      // Checked by the use case, after the schema.
      [newPatron({ userGroupId: groups.southUndergrad }), ['userGroupId']],
      [newPatron({ expiryDate: '2030-01-01', purgeDate: '2029-01-01' }), ['purgeDate']],
    ];
    for (const [body, fields] of cases) {
      const response = await manager.post(north, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
      expect(
        response.json().details.fields.map((f: { field: string }) => f.field),
        JSON.stringify(body),
      ).toEqual(fields);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses bad bodies on every other write', async () => {
    const patron = await create(newPatron({ expiryDate: '2030-01-01', purgeDate: '2031-01-01' }));
    const before = await counts();
    const url = `${north}/${patron.id}`;
    const refusals = [
      await manager.patch(url, { lastName: '' }),
      await manager.patch(url, { expiryDate: '2032-01-01' }),
      await manager.patch(url, { status: 'deleted' }),
      await manager.patch(url, { userGroupId: groups.southUndergrad }),
      await manager.patch(url, { password: 'a-long-password' }),
      await manager.post(`${url}/identifiers`, { type: 'BARCODE' }),
      await manager.post(`${url}/blocks`, { blockType: 'fines' }),
      await manager.post(`${url}/blocks`, { blockType: 'FINES', expiresAt: '2020-01-01T00:00:00Z' }),
      await manager.post(`${url}/blocks`, { blockType: 'FINES', until: 'tomorrow' }),
      await manager.put(`${url}/password`, { password: 'short' }),
      await manager.put(`${url}/password`, {}),
      await manager.get(`${north}/not-a-uuid`),
    ];
    for (const response of refusals) {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().details.fields.length).toBeGreaterThan(0);
    }
    expect(refusals[1]?.json().details.fields).toEqual([
      { field: 'expiryDate', message: 'cannot be after the purge date 2031-01-01' },
    ]);
    expect(await counts()).toEqual(before);
    const unchanged = (await manager.get(url)).json();
    expect(unchanged).toEqual(patron);
  });
});

describe('PAT-1 blocks and expiry', () => {
  it('blocks and unblocks a patron; the lifted block keeps who lifted it', async () => {
    const patron = await create(newPatron({ lastName: 'Blockable' }));
    const blocked = await manager.post(`${north}/${patron.id}/blocks`, {
      blockType: 'FINES',
      reason: 'Unpaid fines',
      networkBlock: true,
    });
    expect(blocked.statusCode, blocked.body).toBe(201);
    expect(blocked.json()).toMatchObject({
      blocked: true,
      blocks: [
        {
          blockType: 'FINES',
          reason: 'Unpaid fines',
          networkBlock: true,
          createdBy: cast.north.staff.user_manager.id,
        },
      ],
    });
    const found = (await manager.get(`${north}?q=blockable`)).json();
    expect(found.patrons[0]).toMatchObject({ id: patron.id, blocked: true });

    const blockId = blocked.json().blocks[0].id;
    expect((await manager.delete(`${north}/${patron.id}/blocks/${blockId}`)).statusCode).toBe(204);
    expect((await manager.get(`${north}/${patron.id}`)).json()).toMatchObject({ blocked: false, blocks: [] });
    const row = await t.database.db
      .selectFrom('patron_blocks')
      .select(['removed_by', 'removed_at'])
      .where('id', '=', blockId)
      .executeTakeFirstOrThrow();
    expect(row.removed_by).toBe(cast.north.staff.user_manager.id);
    expect(row.removed_at).toBeInstanceOf(Date);
    const again = await manager.delete(`${north}/${patron.id}/blocks/${blockId}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('BLOCK_NOT_FOUND');
  });

  it('counts a block only until it runs out', async () => {
    const patron = await create(newPatron());
    const soon = new Date(Date.now() + 1500).toISOString();
    const response = await manager.post(`${north}/${patron.id}/blocks`, {
      blockType: 'LIBRARY',
      expiresAt: soon,
    });
    expect(response.json().blocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await manager.get(`${north}/${patron.id}`)).json()).toMatchObject({ blocked: false, blocks: [] });
  });

  it("expires a record now: the expiry date becomes today in the institution's time zone", async () => {
    const patron = await create(newPatron({ expiryDate: '2030-06-30' }));
    expect(patron.expired).toBe(false);
    const expired = await manager.post(`${north}/${patron.id}/expire`);
    expect(expired.statusCode).toBe(200);
    const today = DateTime.now().setZone('America/Toronto').toISODate();
    expect(expired.json()).toMatchObject({ expiryDate: today, expired: true });
    // An already expired record keeps its earlier date.
    const old = await create(newPatron({ expiryDate: '2020-01-31' }));
    expect(old.expired).toBe(true);
    expect((await manager.post(`${north}/${old.id}/expire`)).json().expiryDate).toBe('2020-01-31');
  });

  it('sets and removes the discovery password; the old sessions end', async () => {
    const patron = await create(newPatron({ primaryIdentifier: 'PW-1' }));
    expect(patron.hasDiscoveryLogin).toBe(false);
    const signInAs = (password: string) =>
      anonymous(t.app).post('/api/auth/patron-sign-in', {
        institution: 'NORTH',
        identifier: 'PW-1',
        password,
      });
    expect((await signInAs('first-password-1')).statusCode).toBe(401);
    expect(
      (await manager.put(`${north}/${patron.id}/password`, { password: 'first-password-1' })).statusCode,
    ).toBe(204);
    const session = await signInAs('first-password-1');
    expect(session.statusCode).toBe(200);
    const cookie = session.cookies.find((c) => c.name === 'shelfshare_session')?.value;
    expect((await manager.put(`${north}/${patron.id}/password`, { password: null })).statusCode).toBe(204);
    expect((await signInAs('first-password-1')).statusCode).toBe(401);
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/auth/session',
      headers: { cookie: `shelfshare_session=${cookie}` },
    });
    expect(after.statusCode).toBe(401);
    expect((await manager.get(`${north}/${patron.id}`)).json().hasDiscoveryLogin).toBe(false);
  });
});

describe('who may read and change patron records (PAT-1, PAT-8)', () => {
  it('answers anonymous callers 401', async () => {
    expect((await anonymous(t.app).get(north)).statusCode).toBe(401);
    expect((await anonymous(t.app).post(north, { lastName: '' })).statusCode).toBe(401);
  });

  it('lets desk operators read but not change, and gives the fulfillment administrator nothing (403)', async () => {
    const patron = await create(newPatron());
    const operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
    expect((await operator.get(`${north}/${patron.id}`)).statusCode).toBe(200);
    expect((await operator.get(`${north}?q=test`)).statusCode).toBe(200);
    for (const response of [
      await operator.post(north, newPatron()),
      await operator.patch(`${north}/${patron.id}`, { lastName: 'Changed' }),
      await operator.post(`${north}/${patron.id}/blocks`, { blockType: 'FINES' }),
      await operator.post(`${north}/${patron.id}/expire`),
      await operator.put(`${north}/${patron.id}/password`, { password: 'long-enough-password' }),
    ]) {
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('FORBIDDEN');
    }
    const fulfillment = await signIn(t.app, cast.north.staff.fulfillment_administrator.username);
    expect((await fulfillment.get(north)).statusCode).toBe(403);
    expect((await fulfillment.get(`${north}/${patron.id}`)).statusCode).toBe(403);
  });

  it("PAT-8: South's staff cannot search North's patrons, read them by id or change them", async () => {
    const patron = await create(newPatron({ firstName: 'Private', lastName: 'Northerner' }));
    for (const role of ['user_manager', 'user_administrator', 'circulation_desk_manager'] as const) {
      const south = await signIn(t.app, cast.south.staff[role].username);
      const responses = [
        await south.get(`${north}?q=Northerner`),
        await south.get(`${north}/${patron.id}`),
        await south.patch(`${north}/${patron.id}`, { lastName: 'Hijacked' }),
        await south.post(`${north}/${patron.id}/blocks`, { blockType: 'FINES' }),
        await south.post(north, newPatron()),
      ];
      for (const response of responses) {
        expect(response.statusCode, role).toBe(403);
        expect(response.body).not.toContain('Northerner');
      }
      // Through their own institution's routes North's patron does not exist.
      const own = `/api/institutions/${cast.south.institution.id}/patrons`;
      expect((await south.get(`${own}/${patron.id}`)).statusCode).toBe(404);
      expect((await south.get(`${own}?q=Northerner`)).json().total).toBe(0);
    }
    expect((await manager.get(`${north}/${patron.id}`)).json().lastName).toBe('Northerner');
  });
});
