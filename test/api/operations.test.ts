import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/server/db/migrate.ts';
import { DEMO_INSTITUTIONS, DEMO_PASSWORD, seedDemoNetworkIfEmpty } from '../../src/server/seed/demo.ts';
import { TEST_ENGINE } from '../support/database.ts';
import { anonymous, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('operations', () => {
  it('reports health with the database engine', async () => {
    const response = await anonymous(t.app).get('/api/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: TEST_ENGINE });
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('echoes a well-formed request id and answers unknown API routes with a JSON 404', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/nothing-here',
      headers: { 'x-request-id': 'desk-7-abc' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-request-id']).toBe('desk-7-abc');
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', message: expect.any(String) });
  });

  it('serves a valid OpenAPI 3 document that documents every API route', async () => {
    const document = (await anonymous(t.app).get('/api/openapi.json')).json();
    expect(document.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(document));
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(
      document.paths as Record<string, Record<string, unknown>>,
    )) {
      for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const apiRoutes = t.app.registeredRoutes
      .filter((r) => r.url.startsWith('/api/'))
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(apiRoutes.length).toBeGreaterThan(40);
    for (const route of apiRoutes) expect(documented, route).toContain(route);
  });

  it('applies each migration once: a second run applies nothing', async () => {
    expect(await migrateToLatest(t.database.db)).toEqual([]);
  });

  it('seeds the demo network once, with one staff account per role per institution', async () => {
    expect(await seedDemoNetworkIfEmpty(t.database.db)).toBe(true);
    expect(await seedDemoNetworkIfEmpty(t.database.db)).toBe(false);
    const institutions = (await anonymous(t.app).get('/api/public/institutions')).json();
    expect(institutions.map((i: { code: string }) => i.code).sort()).toEqual(['EAST', 'NORTH', 'SOUTH']);
    expect(new Set(institutions.map((i: { timeZone: string }) => i.timeZone)).size).toBe(3);
    for (const demo of DEMO_INSTITUTIONS) {
      const detail = (await anonymous(t.app).get(`/api/public/institutions/${demo.code}`)).json();
      expect(detail.libraries).toHaveLength(3);
    }
    const operator = await signIn(t.app, 'south-desk-operator', DEMO_PASSWORD);
    const session = (await operator.get('/api/auth/session')).json();
    const desks = (await operator.get(`/api/institutions/${session.user.institutionId}/desks`)).json();
    expect(desks.length).toBeGreaterThanOrEqual(3);
    expect(desks[0]).toMatchObject({ libraryName: expect.any(String) });
    const staff = await t.database.db
      .selectFrom('role_assignments')
      .select('role')
      .where('institution_id', 'is not', null)
      .execute();
    expect(staff).toHaveLength(3 * 7);
  });

  it('answers an unknown institution code in discovery with 404', async () => {
    const response = await anonymous(t.app).get('/api/public/institutions/NOPE');
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('INSTITUTION_NOT_FOUND');
  });
});
