import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/http/app.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildDesk, buildPatron, buildStaff, TEST_PASSWORD } from '../support/factories.ts';
import { anonymous, createTestApp, signIn, type TestApp, withBearer } from '../support/http.ts';

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
});
afterAll(async () => t.close());

describe('sign-in and sessions', () => {
  it('signs a staff member in with an httpOnly SameSite session cookie and tells the abilities', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username: 'north-circulation-desk-operator', password: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'shelfshare_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    const body = response.json();
    expect(body.user).toMatchObject({
      kind: 'staff',
      username: 'north-circulation-desk-operator',
      institutionCode: 'NORTH',
    });
    expect(body.csrfToken).toEqual(expect.any(String));
    expect(body.abilities.institutions).toEqual([
      expect.objectContaining({
        code: 'NORTH',
        privileges: expect.arrayContaining(['circulation.desk', 'consortial.services']),
      }),
    ]);
  });

  it('answers a wrong password and an unknown user alike, with 401 INVALID_CREDENTIALS', async () => {
    const wrong = await anonymous(t.app).post('/api/auth/sign-in', {
      username: 'north-user-manager',
      password: 'not-the-password',
    });
    const unknown = await anonymous(t.app).post('/api/auth/sign-in', {
      username: 'nobody-here',
      password: 'not-the-password',
    });
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({
        code: 'INVALID_CREDENTIALS',
        message: 'Wrong username or password.',
      });
      expect(response.cookies).toHaveLength(0);
    }
  });

  it('refuses a malformed sign-in with 400 naming the field', async () => {
    const response = await anonymous(t.app).post('/api/auth/sign-in', { username: '' });
    expect(response.statusCode).toBe(400);
    const fields = response.json().details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['username', 'password']));
  });

  it('reports the session, and nothing after sign-out', async () => {
    const client = await signIn(t.app, 'south-user-manager');
    expect((await client.get('/api/auth/session')).json().user.username).toBe('south-user-manager');
    expect((await client.post('/api/auth/sign-out')).statusCode).toBe(204);
    const after = await client.get('/api/auth/session');
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('UNAUTHENTICATED');
  });

  it('refuses a cookie-authenticated write without the anti-forgery token, and writes nothing', async () => {
    const client = await signIn(t.app, 'north-general-system-administrator');
    const url = `/api/institutions/${cast.north.institution.id}/user-groups`;
    const body = { code: 'FORGED', name: 'Forged group' };
    const withoutToken = await t.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { cookie: client.cookie },
    });
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.json().code).toBe('CSRF_TOKEN_INVALID');
    const wrongToken = await t.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { cookie: client.cookie, 'x-csrf-token': 'guess' },
    });
    expect(wrongToken.statusCode).toBe(403);
    const groups = await t.database.db
      .selectFrom('user_groups')
      .select('code')
      .where('code', '=', 'FORGED')
      .execute();
    expect(groups).toHaveLength(0);
    // The same write with the token goes through.
    expect((await client.post(url, body)).statusCode).toBe(201);
  });

  it('lets a patron sign in to discovery at their institution only', async () => {
    await buildPatron(t.database.db, {
      institution: cast.north.institution,
      identifier: 'N-42',
      password: 'patron-secret-1',
    });
    const ok = await anonymous(t.app).post('/api/auth/patron-sign-in', {
      institution: 'NORTH',
      identifier: 'N-42',
      password: 'patron-secret-1',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toMatchObject({ kind: 'patron', institutionCode: 'NORTH' });
    expect(ok.json().abilities).toEqual({ institutions: [], networks: [] });
    const elsewhere = await anonymous(t.app).post('/api/auth/patron-sign-in', {
      institution: 'SOUTH',
      identifier: 'N-42',
      password: 'patron-secret-1',
    });
    expect(elsewhere.statusCode).toBe(401);
  });

  it('keeps patrons out of staff configuration (403)', async () => {
    await buildPatron(t.database.db, {
      institution: cast.south.institution,
      identifier: 'S-7',
      password: 'patron-secret-2',
    });
    const login = await anonymous(t.app).post('/api/auth/patron-sign-in', {
      institution: 'SOUTH',
      identifier: 'S-7',
      password: 'patron-secret-2',
    });
    const cookie = login.cookies.find((c) => c.name === 'shelfshare_session')?.value;
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/institutions/${cast.south.institution.id}/libraries`,
      headers: { cookie: `shelfshare_session=${cookie}` },
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('choosing a desk', () => {
  it('sets the desk of the session and shows it with its library and institution', async () => {
    const desk = await buildDesk(t.database.db, { library: cast.north.main, code: 'FRONT' });
    const client = await signIn(t.app, 'north-circulation-desk-operator');
    const response = await client.put('/api/auth/session/desk', { deskId: desk.id });
    expect(response.statusCode).toBe(200);
    expect(response.json().desk).toMatchObject({
      id: desk.id,
      code: 'FRONT',
      libraryId: cast.north.main.id,
      institutionCode: 'NORTH',
    });
    expect((await client.get('/api/auth/session')).json().desk.id).toBe(desk.id);
  });

  it('refuses a desk of an institution where the staff member has no role (403), and an unknown desk (404)', async () => {
    const southDesk = await buildDesk(t.database.db, { library: cast.south.main });
    const client = await signIn(t.app, 'north-circulation-desk-operator');
    expect((await client.put('/api/auth/session/desk', { deskId: southDesk.id })).statusCode).toBe(403);
    expect(
      (await client.put('/api/auth/session/desk', { deskId: '00000000-0000-4000-8000-000000000000' }))
        .statusCode,
    ).toBe(404);
    expect((await client.put('/api/auth/session/desk', { deskId: 'not-a-uuid' })).statusCode).toBe(400);
  });
});

describe('API tokens for scripts', () => {
  it('acts as the staff member without cookie or anti-forgery token, until revoked', async () => {
    const client = await signIn(t.app, 'east-general-system-administrator');
    const created = await client.post('/api/auth/tokens', { name: 'nightly export' });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    const script = withBearer(t.app, token);
    const url = `/api/institutions/${cast.east.institution.id}/material-types`;
    expect((await script.post(url, { code: 'MAP', name: 'Map' })).statusCode).toBe(201);
    const stored = await t.database.db
      .selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    expect((await client.delete(`/api/auth/tokens/${id}`)).statusCode).toBe(204);
    expect((await script.get(url)).statusCode).toBe(401);
  });

  it('decision 69: a role taken away or an account deactivated through this server holds at once for a token in use', async () => {
    const holder = await buildStaff(t.database.db, {
      institution: cast.north.institution,
      username: 'token-holder-roles',
      roles: ['circulation_desk_operator'],
    });
    const token = (
      await (await signIn(t.app, holder.username)).post('/api/auth/tokens', { name: 'desk' })
    ).json().token as string;
    const script = withBearer(t.app, token);
    const patrons = `/api/institutions/${cast.north.institution.id}/patrons?q=a`;
    expect((await script.get(patrons)).statusCode).toBe(200);
    const admin = await signIn(t.app, cast.north.staff.user_administrator.username);
    const staffUrl = `/api/institutions/${cast.north.institution.id}/staff/${holder.id}`;
    const [role] = (await admin.get(staffUrl)).json().roles;
    expect((await admin.delete(`${staffUrl}/roles/${role.id}`)).statusCode).toBe(204);
    expect((await script.get(patrons)).statusCode).toBe(403);
    expect((await admin.post(`${staffUrl}/roles`, { role: 'circulation_desk_operator' })).statusCode).toBe(
      201,
    );
    expect((await script.get(patrons)).statusCode).toBe(200);
    expect((await admin.patch(staffUrl, { active: false })).statusCode).toBe(200);
    expect((await script.get(patrons)).statusCode).toBe(401);
  });

  it('decision 69: a change made by another server process holds once the trust period of the token has passed', async () => {
    const trustMs = 1000;
    const otherServer = await buildApp({
      db: t.database.db,
      engine: t.database.engine,
      apiTokenTrustMs: trustMs,
    });
    try {
      const holder = await buildStaff(t.database.db, {
        institution: cast.north.institution,
        username: 'token-holder-elsewhere',
        roles: ['circulation_desk_operator'],
      });
      const token = (
        await (await signIn(t.app, holder.username)).post('/api/auth/tokens', { name: 'desk' })
      ).json().token as string;
      const script = withBearer(otherServer, token);
      const patrons = `/api/institutions/${cast.north.institution.id}/patrons?q=a`;
      expect((await script.get(patrons)).statusCode).toBe(200);
      // Another process (here: straight SQL, as a second server would write it) revokes it.
      const revokedAt = Date.now();
      await t.database.db
        .updateTable('api_tokens')
        .set({ revoked_at: new Date() })
        .where('staff_id', '=', holder.id)
        .execute();
      const answer = (await script.get(patrons)).statusCode;
      // Trusted still while the period lasts (unless this test ran too slowly to see it)...
      if (Date.now() - revokedAt < trustMs / 2) expect(answer).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, trustMs + 50));
      // ...and refused once it has passed: a revocation is never trusted away for longer.
      expect((await script.get(patrons)).statusCode).toBe(401);
    } finally {
      await otherServer.close();
    }
  });

  it('answers an unknown token with 401', async () => {
    const response = await withBearer(t.app, 'ss_made-up').get(
      `/api/institutions/${cast.east.institution.id}/libraries`,
    );
    expect(response.statusCode).toBe(401);
  });
});
