import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, createCast } from '../support/cast.ts';
import { inventorySetup } from '../support/catalogue.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;
let cataloguer: Client;
let setup: Awaited<ReturnType<typeof inventorySetup>>;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  setup = await inventorySetup(t.database.db, cast.north.institution);
  cataloguer = await signIn(t.app, cast.north.staff.general_system_administrator.username);
  base = `/api/institutions/${cast.north.institution.id}`;
});
afterAll(async () => t.close());

async function inventoryCounts() {
  const result = await sql<{ b: number; h: number; i: number }>`SELECT
    (SELECT count(*)::int FROM bib_records) AS b, (SELECT count(*)::int FROM holdings) AS h,
    (SELECT count(*)::int FROM items) AS i`.execute(t.database.db);
  return result.rows[0];
}

async function catalogueBook(barcode: string, extra: Record<string, unknown> = {}) {
  const bib = (
    await cataloguer.post(`${base}/bibs`, {
      title: 'Programming Perl',
      author: 'Wall, Larry',
      isbns: ['0596000278'],
      publicationYear: 2000,
      ...extra,
    })
  ).json();
  const holding = (
    await cataloguer.post(`${base}/holdings`, {
      bibId: bib.id,
      locationId: setup.locationId,
      callNumber: 'QA76.73.P22 W35 2000',
    })
  ).json();
  const item = await cataloguer.post(`${base}/items`, {
    holdingId: holding.id,
    barcode,
    materialTypeId: setup.bookTypeId,
    itemPolicyId: setup.regularPolicyId,
    enumeration: 'v.1',
  });
  return { bib, holding, item };
}

describe('inventory (CIRC-1)', () => {
  it('catalogues a record, a holding and an item, and reads the item state by barcode', async () => {
    const { bib, item } = await catalogueBook('N-100001');
    expect(bib.workKey).toEqual(expect.any(String));
    expect(item.statusCode).toBe(201);
    const byBarcode = await cataloguer.get(`${base}/items/by-barcode/N-100001`);
    expect(byBarcode.statusCode).toBe(200);
    expect(byBarcode.json()).toMatchObject({
      barcode: 'N-100001',
      title: 'Programming Perl',
      callNumber: 'QA76.73.P22 W35 2000',
      status: 'in_place',
      statusText: 'On the shelf',
      processType: null,
      enumeration: 'v.1',
      materialType: { code: 'BOOK' },
      institutionCode: 'NORTH',
    });
    const full = (await cataloguer.get(`${base}/bibs/${bib.id}`)).json();
    expect(full.holdings[0].items.map((i: { barcode: string }) => i.barcode)).toEqual(['N-100001']);
  });

  it('gives the same work key to the same ISBN catalogued by two members (GET-1)', async () => {
    const { bib } = await catalogueBook('N-100002');
    const southAdmin = await signIn(t.app, cast.south.staff.general_system_administrator.username);
    const southBib = (
      await southAdmin.post(`/api/institutions/${cast.south.institution.id}/bibs`, {
        title: 'Programming Perl (3rd ed.)',
        isbns: ['978-0-596-00027-1'],
      })
    ).json();
    expect(southBib.workKey).toBe(bib.workKey);
  });

  it('refuses a duplicate barcode in one institution with 409, and writes nothing', async () => {
    await catalogueBook('N-DUP');
    const before = await inventoryCounts();
    const holdingId = (await cataloguer.get(`${base}/items/by-barcode/N-DUP`)).json().holdingId;
    const response = await cataloguer.post(`${base}/items`, {
      holdingId,
      barcode: 'N-DUP',
      materialTypeId: setup.bookTypeId,
      itemPolicyId: setup.regularPolicyId,
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      code: 'DUPLICATE',
      details: { fields: [{ field: 'barcode', message: expect.any(String) }] },
    });
    expect(await inventoryCounts()).toEqual(before);
  });

  it('allows the same barcode at another institution', async () => {
    const south = await inventorySetup(t.database.db, cast.south.institution);
    const southAdmin = await signIn(t.app, cast.south.staff.general_system_administrator.username);
    const southBase = `/api/institutions/${cast.south.institution.id}`;
    const bib = (await southAdmin.post(`${southBase}/bibs`, { title: 'Same barcode elsewhere' })).json();
    const holding = (
      await southAdmin.post(`${southBase}/holdings`, { bibId: bib.id, locationId: south.locationId })
    ).json();
    const item = await southAdmin.post(`${southBase}/items`, {
      holdingId: holding.id,
      barcode: 'N-DUP',
      materialTypeId: south.bookTypeId,
      itemPolicyId: south.regularPolicyId,
    });
    expect(item.statusCode).toBe(201);
  });

  const BAD = [
    {
      name: 'a record without a title',
      url: () => `${base}/bibs`,
      body: () => ({ author: 'Nobody' }),
      field: 'title',
    },
    {
      name: 'a record with a bad language code',
      url: () => `${base}/bibs`,
      body: () => ({ title: 'X', language: 'english' }),
      field: 'language',
    },
    {
      name: 'a record with an ISBN whose check digit is wrong',
      url: () => `${base}/bibs`,
      body: () => ({ title: 'X', isbns: ['0596000279'] }),
      field: 'isbns.0',
    },
    {
      name: 'a record with a year in the future',
      url: () => `${base}/bibs`,
      body: () => ({ title: 'X', publicationYear: 3000 }),
      field: 'publicationYear',
    },
    {
      name: 'a holding with a malformed location',
      url: () => `${base}/holdings`,
      body: () => ({ bibId: setup.locationId, locationId: 'x' }),
      field: 'locationId',
    },
    {
      name: 'a holding for an unknown record',
      url: () => `${base}/holdings`,
      body: () => ({ bibId: setup.locationId, locationId: setup.locationId }),
      field: 'bibId',
    },
    {
      name: 'an item with a space in its barcode',
      url: () => `${base}/items`,
      body: () => ({
        holdingId: setup.locationId,
        barcode: 'A B',
        materialTypeId: setup.bookTypeId,
        itemPolicyId: setup.regularPolicyId,
      }),
      field: 'barcode',
    },
    {
      name: 'an item without a holding',
      url: () => `${base}/items`,
      body: () => ({ barcode: 'X1', materialTypeId: setup.bookTypeId, itemPolicyId: setup.regularPolicyId }),
      field: 'holdingId',
    },
    {
      name: 'an item on an unknown holding',
      url: () => `${base}/items`,
      body: () => ({
        holdingId: setup.locationId,
        barcode: 'X2',
        materialTypeId: setup.bookTypeId,
        itemPolicyId: setup.regularPolicyId,
      }),
      field: 'holdingId',
    },
  ];
  for (const bad of BAD) {
    it(`refuses ${bad.name} with 400 naming ${bad.field}, and writes nothing`, async () => {
      const before = await inventoryCounts();
      const response = await cataloguer.post(bad.url(), bad.body());
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().details.fields.map((f: { field: string }) => f.field)).toContain(bad.field);
      expect(await inventoryCounts()).toEqual(before);
    });
  }

  it("refuses an item with South's material type (400 INVALID_REFERENCE), and writes nothing", async () => {
    const { item } = await catalogueBook('N-100003');
    const south = await inventorySetup(t.database.db, cast.south.institution);
    const before = await inventoryCounts();
    const response = await cataloguer.post(`${base}/items`, {
      holdingId: item.json().holdingId,
      barcode: 'N-100004',
      materialTypeId: south.bookTypeId,
      itemPolicyId: setup.regularPolicyId,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('INVALID_REFERENCE');
    expect(await inventoryCounts()).toEqual(before);
  });

  it('withdraws an item on the shelf, and refuses one on loan (422)', async () => {
    const { item } = await catalogueBook('N-200001');
    const withdrawn = await cataloguer.post(`${base}/items/${item.json().id}/withdraw`);
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn' });
    const { item: onLoan } = await catalogueBook('N-200002');
    await t.database.db
      .updateTable('items')
      .set({ in_place: false, process_type: 'loan' })
      .where('id', '=', onLoan.json().id)
      .execute();
    const refused = await cataloguer.post(`${base}/items/${onLoan.json().id}/withdraw`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      code: 'ITEMS_IN_CIRCULATION',
      details: { reasons: [{ barcode: 'N-200002', processType: 'loan' }] },
    });
    expect((await cataloguer.get(`${base}/items/by-barcode/N-200002`)).json().statusText).toBe('On loan');
  });

  it('lets desk staff read items but not catalogue (403), and other members read nothing (403)', async () => {
    await catalogueBook('N-300001');
    const operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
    expect((await operator.get(`${base}/items/by-barcode/N-300001`)).statusCode).toBe(200);
    expect((await operator.post(`${base}/bibs`, { title: 'Not mine to add' })).statusCode).toBe(403);
    const southOperator = await signIn(t.app, cast.south.staff.circulation_desk_operator.username);
    expect((await southOperator.get(`${base}/items/by-barcode/N-300001`)).statusCode).toBe(403);
  });

  it('stores ISBNs as ISBN-13 so an ISBN-10 search finds the record (GET-1)', async () => {
    const { bib } = await catalogueBook('N-400001');
    expect(bib.isbns).toEqual(['9780596000271']);
    const found = (await t.app.inject({ method: 'GET', url: '/api/search?identifier=0-596-00027-8' })).json();
    expect(found.results.map((r: { workKey: string }) => r.workKey)).toContain(bib.workKey);
  });

  it('answers an unknown barcode with 404 ITEM_NOT_FOUND', async () => {
    const response = await cataloguer.get(`${base}/items/by-barcode/NOPE-1`);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('ITEM_NOT_FOUND');
  });
});
