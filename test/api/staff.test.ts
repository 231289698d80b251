import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, createCast } from '../support/cast.ts';
import { buildDesk, buildStaff } from '../support/factories.ts';
import { anonymous, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
});
afterAll(async () => t.close());

describe('staff accounts and roles', () => {
  it('lets a user administrator create an account and give it a desk role, audited', async () => {
    const admin = await signIn(t.app, cast.north.staff.user_administrator.username);
    const base = `/api/institutions/${cast.north.institution.id}/staff`;
    const created = await admin.post(base, {
      username: 'jo.desk',
      name: 'Jo Desk',
      password: 'a-long-enough-secret',
    });
    expect(created.statusCode).toBe(201);
    const granted = await admin.post(`${base}/${created.json().id}/roles`, {
      role: 'circulation_desk_operator',
    });
    expect(granted.statusCode).toBe(201);
    expect(granted.json().roles).toEqual([
      expect.objectContaining({
        role: 'circulation_desk_operator',
        institutionId: cast.north.institution.id,
      }),
    ]);
    const jo = await signIn(t.app, 'jo.desk', 'a-long-enough-secret');
    expect((await jo.get('/api/auth/session')).json().abilities.institutions[0].privileges).toContain(
      'circulation.desk',
    );
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('entity_type')
      .where('actor_staff_id', '=', cast.north.staff.user_administrator.id)
      .execute();
    expect(audit.map((a) => a.entity_type).sort()).toEqual(['role_assignment', 'staff']);
  });

  it('refuses to grant a role carrying privileges the granter lacks (no escalation), and writes nothing', async () => {
    const admin = await signIn(t.app, cast.north.staff.user_administrator.username);
    const url = `/api/institutions/${cast.north.institution.id}/staff/${cast.north.staff.user_administrator.id}/roles`;
    const response = await admin.post(url, { role: 'general_system_administrator' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({
      code: 'ROLE_ABOVE_YOUR_OWN',
      details: { missing: expect.arrayContaining(['config.institution.manage']) },
    });
    const roles = await t.database.db
      .selectFrom('role_assignments')
      .select('role')
      .where('staff_id', '=', cast.north.staff.user_administrator.id)
      .execute();
    expect(roles).toEqual([{ role: 'user_administrator' }]);
  });

  it('ends the sessions of an account whose password is reset', async () => {
    const victim = await buildStaff(t.database.db, {
      institution: cast.north.institution,
      roles: ['circulation_desk_operator'],
    });
    const session = await signIn(t.app, victim.username);
    const admin = await signIn(t.app, cast.north.staff.user_administrator.username);
    const reset = await admin.patch(`/api/institutions/${cast.north.institution.id}/staff/${victim.id}`, {
      password: 'a-brand-new-password',
    });
    expect(reset.statusCode).toBe(200);
    expect((await session.get('/api/auth/session')).statusCode).toBe(401);
    await signIn(t.app, victim.username, 'a-brand-new-password');
  });
});

describe('roles limited to one library', () => {
  it('reads the whole institution but works only at its own library', async () => {
    const branchOperator = await buildStaff(t.database.db, {
      institution: cast.north.institution,
      roles: ['circulation_desk_operator'],
      libraryId: cast.north.branch.id,
    });
    const client = await signIn(t.app, branchOperator.username);
    expect((await client.get(`/api/institutions/${cast.north.institution.id}/desks`)).statusCode).toBe(200);
    const branchDesk = await buildDesk(t.database.db, { library: cast.north.branch });
    const mainDesk = await buildDesk(t.database.db, { library: cast.north.main });
    expect((await client.put('/api/auth/session/desk', { deskId: branchDesk.id })).statusCode).toBe(200);
    const elsewhere = await client.put('/api/auth/session/desk', { deskId: mainDesk.id });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().code).toBe('DESK_NOT_ALLOWED');
  });
});

describe('who is asking comes before what is asked', () => {
  it('answers an anonymous write with a bad body 401, not 400', async () => {
    const response = await anonymous(t.app).post(`/api/institutions/${cast.north.institution.id}/libraries`, {
      code: 'not valid!',
    });
    expect(response.statusCode).toBe(401);
  });

  it('answers a cookie write without the anti-forgery token 403, even with a bad body', async () => {
    const admin = await signIn(t.app, cast.north.staff.general_system_administrator.username);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/institutions/${cast.north.institution.id}/libraries`,
      headers: { cookie: admin.cookie },
      payload: { code: 'not valid!' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('CSRF_TOKEN_INVALID');
  });
});

describe('the network audit trail (NET-7)', () => {
  it('shows the network administrator membership and relation changes; others get 403', async () => {
    const admin = await signIn(t.app, cast.networkAdmin.username);
    await admin.put(
      `/api/networks/${cast.network.id}/relations/${cast.south.institution.id}/${cast.east.institution.id}`,
      {
        walkInLoans: false,
        pickup: true,
        returnAnywhere: true,
      },
    );
    await admin.patch(`/api/networks/${cast.network.id}`, { name: 'Tri-Campus Network' });
    const trail = (await admin.get(`/api/networks/${cast.network.id}/audit`)).json();
    expect(trail.map((e: { entityType: string }) => e.entityType)).toEqual(['network', 'network_relation']);
    expect(trail[0]).toMatchObject({
      actorUsername: cast.networkAdmin.username,
      before: { name: expect.any(String) },
      after: { name: 'Tri-Campus Network' },
    });
    const operator = await signIn(t.app, cast.south.staff.circulation_desk_operator.username);
    expect((await operator.get(`/api/networks/${cast.network.id}/audit`)).statusCode).toBe(403);
  });

  it('refuses to show a network to staff of a non-member institution (403)', async () => {
    const outsider = await buildStaff(t.database.db, { roles: ['general_system_administrator'] });
    const client = await signIn(t.app, outsider.username);
    expect((await client.get(`/api/networks/${cast.network.id}`)).statusCode).toBe(403);
    expect((await client.get('/api/networks/00000000-0000-4000-8000-00000000abcd')).statusCode).toBe(403);
  });
});
