import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, createCast } from '../support/cast.ts';
import { buildInstitution } from '../support/factories.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;
let networkAdmin: Client;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  networkAdmin = await signIn(t.app, cast.networkAdmin.username);
});
afterAll(async () => t.close());

describe('network membership (NET-2)', () => {
  it('lists the members and, by default, relations that allow everything (NET-3)', async () => {
    const network = (await networkAdmin.get(`/api/networks/${cast.network.id}`)).json();
    expect(network.members.map((m: { code: string }) => m.code).sort()).toEqual(['EAST', 'NORTH', 'SOUTH']);
    expect(network.relations).toHaveLength(6);
    for (const relation of network.relations)
      expect(relation).toMatchObject({ walkInLoans: true, pickup: true, returnAnywhere: true });
  });

  it('lets an institution join and leave while keeping its history', async () => {
    const west = await buildInstitution(t.database.db, { code: 'WEST', name: 'West Polytechnic' });
    const joined = await networkAdmin.post(`/api/networks/${cast.network.id}/members`, {
      institutionId: west.id,
    });
    expect(joined.statusCode).toBe(201);
    const again = await networkAdmin.post(`/api/networks/${cast.network.id}/members`, {
      institutionId: west.id,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_A_MEMBER');
    const left = await networkAdmin.delete(`/api/networks/${cast.network.id}/members/${west.id}`);
    expect(left.statusCode).toBe(200);
    const westRows = left.json().members.filter((m: { code: string }) => m.code === 'WEST');
    expect(westRows).toHaveLength(1);
    expect(westRows[0].leftAt).toEqual(expect.any(String));
    // Left members take no part in the relations any more.
    expect(
      left.json().relations.some((r: { ownerInstitutionId: string }) => r.ownerInstitutionId === west.id),
    ).toBe(false);
    // Rejoining opens a new membership; the old one stays in the history.
    await networkAdmin.post(`/api/networks/${cast.network.id}/members`, { institutionId: west.id });
    const network = (await networkAdmin.get(`/api/networks/${cast.network.id}`)).json();
    expect(network.members.filter((m: { code: string }) => m.code === 'WEST')).toHaveLength(2);
  });

  it('refuses an unknown institution with 400 naming institutionId', async () => {
    const response = await networkAdmin.post(`/api/networks/${cast.network.id}/members`, {
      institutionId: '00000000-0000-4000-8000-000000000009',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().details.fields[0].field).toBe('institutionId');
  });
});

describe('relations per ordered pair (NET-3)', () => {
  it('stores one direction without touching the other, and audits it', async () => {
    const url = `/api/networks/${cast.network.id}/relations/${cast.east.institution.id}/${cast.north.institution.id}`;
    const response = await networkAdmin.put(url, { walkInLoans: false, pickup: true, returnAnywhere: false });
    expect(response.statusCode).toBe(200);
    const network = (await networkAdmin.get(`/api/networks/${cast.network.id}`)).json();
    const find = (owner: string, other: string) =>
      network.relations.find(
        (r: { ownerInstitutionId: string; otherInstitutionId: string }) =>
          r.ownerInstitutionId === owner && r.otherInstitutionId === other,
      );
    expect(find(cast.east.institution.id, cast.north.institution.id)).toMatchObject({
      walkInLoans: false,
      pickup: true,
      returnAnywhere: false,
    });
    expect(find(cast.north.institution.id, cast.east.institution.id)).toMatchObject({
      walkInLoans: true,
      pickup: true,
      returnAnywhere: true,
    });
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['entity_type', 'actor_staff_id', 'network_id'])
      .where('entity_type', '=', 'network_relation')
      .execute();
    expect(audit).toContainEqual({
      entity_type: 'network_relation',
      actor_staff_id: cast.networkAdmin.id,
      network_id: cast.network.id,
    });
  });

  it('refuses a relation with a non-member or with itself (400), and a flag missing (400)', async () => {
    const outsider = await buildInstitution(t.database.db);
    const base = `/api/networks/${cast.network.id}/relations`;
    const flags = { walkInLoans: true, pickup: true, returnAnywhere: true };
    const notMember = await networkAdmin.put(`${base}/${outsider.id}/${cast.north.institution.id}`, flags);
    expect(notMember.statusCode).toBe(400);
    expect(notMember.json().details.fields[0].field).toBe('ownerInstitutionId');
    const self = await networkAdmin.put(
      `${base}/${cast.north.institution.id}/${cast.north.institution.id}`,
      flags,
    );
    expect(self.statusCode).toBe(400);
    const missing = await networkAdmin.put(
      `${base}/${cast.north.institution.id}/${cast.south.institution.id}`,
      { walkInLoans: true },
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details.fields.map((f: { field: string }) => f.field)).toEqual([
      'pickup',
      'returnAnywhere',
    ]);
  });

  it("lets members' staff read the network but not change it", async () => {
    const operator = await signIn(t.app, cast.south.staff.circulation_desk_operator.username);
    expect((await operator.get(`/api/networks/${cast.network.id}`)).statusCode).toBe(200);
    expect((await operator.get('/api/networks')).json()).toEqual([
      { id: cast.network.id, code: 'TRI', name: expect.any(String) },
    ]);
    const write = await operator.put(
      `/api/networks/${cast.network.id}/relations/${cast.south.institution.id}/${cast.north.institution.id}`,
      {
        walkInLoans: false,
        pickup: false,
        returnAnywhere: false,
      },
    );
    expect(write.statusCode).toBe(403);
  });
});

describe('creating a network', () => {
  it("makes the founding institution's system administrator its administrator", async () => {
    const admin = await signIn(t.app, cast.south.staff.general_system_administrator.username);
    const response = await admin.post('/api/networks', {
      code: 'GULF',
      name: 'Gulf Coast Network',
      foundingInstitutionId: cast.south.institution.id,
    });
    expect(response.statusCode).toBe(201);
    const network = response.json();
    expect(network.members.map((m: { code: string }) => m.code)).toEqual(['SOUTH']);
    const session = (
      await (
        await signIn(t.app, cast.south.staff.general_system_administrator.username)
      ).get('/api/auth/session')
    ).json();
    expect(session.abilities.networks).toContainEqual(
      expect.objectContaining({ networkId: network.id, privileges: ['network.manage'] }),
    );
    const join = await admin.post(`/api/networks/${network.id}/members`, {
      institutionId: cast.east.institution.id,
    });
    expect(join.statusCode).toBe(201);
  });

  it('refuses a duplicate network code with 409', async () => {
    const admin = await signIn(t.app, cast.east.staff.general_system_administrator.username);
    const response = await admin.post('/api/networks', {
      code: 'TRI',
      name: 'Another TRI',
      foundingInstitutionId: cast.east.institution.id,
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().details.fields).toEqual([{ field: 'code', message: expect.any(String) }]);
  });
});
