import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPatronsCsv, loadPatronsCsvFile } from '../../src/server/patrons/load-csv.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildUserGroup } from '../support/factories.ts';
import { createTestApp, signIn, type TestApp } from '../support/http.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'patrons', 'patrons.csv');

let t: TestApp;
let cast: Cast;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  for (const code of ['UNDERGRAD', 'GRAD', 'STAFF'])
    await buildUserGroup(t.database.db, { institution: cast.north.institution, code });
});
afterAll(async () => t.close());

async function snapshot() {
  return t.database.db
    .selectFrom('patrons')
    .select(['id', 'primary_identifier', 'updated_at', 'search_text', 'emails'])
    .where('institution_id', '=', cast.north.institution.id)
    .orderBy('primary_identifier')
    .execute();
}

async function identifierRows() {
  return t.database.db
    .selectFrom('patron_identifiers')
    .select(['id_type', 'value'])
    .where('institution_id', '=', cast.north.institution.id)
    .orderBy('id_type')
    .orderBy('value')
    .execute();
}

describe('PAT-1 batch load of patrons from CSV', () => {
  it('loads the good rows and reports every bad row with its line and reason', async () => {
    const summary = await loadPatronsCsvFile(t.database.db, { institutionCode: 'NORTH', file: FIXTURE });
    expect(summary).toMatchObject({
      institutionCode: 'NORTH',
      rows: 10,
      created: 4,
      updated: 0,
      unchanged: 0,
    });
    expect(summary.rejected).toBe(6);
    expect(summary.problems).toEqual([
      {
        line: 4,
        primaryIdentifier: 'C0003',
        reason: 'user_group: no user group ASTRONAUT at this institution',
      },
      { line: 5, primaryIdentifier: 'C0004', reason: 'expiry_date: use a date as YYYY-MM-DD' },
      {
        line: 6,
        primaryIdentifier: 'C0005',
        reason: 'barcode: BARCODE 39990001 is already used by another patron',
      },
      { line: 7, primaryIdentifier: 'C0006', reason: 'last_name: is required' },
      { line: 10, primaryIdentifier: 'C0008', reason: 'email: is not an email address' },
      { line: 13, primaryIdentifier: 'C0002', reason: 'primary_identifier: also on line 3 of this file' },
    ]);
    expect((await snapshot()).map((p) => p.primary_identifier)).toEqual(['C0001', 'C0002', 'C0007', 'C0009']);

    // The loaded records are whole: user group by code, contacts, identifiers, dates, note, search.
    const reader = await signIn(t.app, cast.north.staff.user_manager.username);
    const base = `/api/institutions/${cast.north.institution.id}/patrons`;
    const found = (await reader.get(`${base}?q=zoe`)).json();
    expect(found.total).toBe(1);
    const zoe = (await reader.get(`${base}/${found.patrons[0].id}`)).json();
    expect(zoe).toMatchObject({
      primaryIdentifier: 'C0001',
      firstName: 'Zoë',
      lastName: 'Lindqvist',
      userGroup: { code: 'UNDERGRAD' },
      emails: [{ address: 'zoe.lindqvist@north.example', type: 'personal', preferred: true }],
      phones: [{ number: '+1 416 555 0101', type: 'mobile', preferred: true }],
      expiryDate: '2028-06-30',
      purgeDate: '2030-06-30',
      identifiers: [
        { type: 'BARCODE', value: '39990001' },
        { type: 'UNIVERSITY_ID', value: 'U-1001' },
      ],
      hasDiscoveryLogin: false,
    });
    const wang = (await reader.get(`${base}?q=${encodeURIComponent('芳')}`)).json();
    expect(wang.patrons[0]).toMatchObject({ primaryIdentifier: 'C0007', userGroup: { code: 'GRAD' } });
    const wangRecord = (await reader.get(`${base}/${wang.patrons[0].id}`)).json();
    expect(wangRecord.generalNote).toBe('Exchange student,\nspring term');
  });

  it('changes nothing when the same file is loaded again', async () => {
    const before = await snapshot();
    const identifiers = await identifierRows();
    const summary = await loadPatronsCsvFile(t.database.db, { institutionCode: 'NORTH', file: FIXTURE });
    expect(summary).toMatchObject({ rows: 10, created: 0, updated: 0, unchanged: 4, rejected: 6 });
    expect(await snapshot()).toEqual(before);
    expect(await identifierRows()).toEqual(identifiers);
  });

  it("updates existing records from the file's columns only, keeping other identifier types", async () => {
    const reader = await signIn(t.app, cast.north.staff.user_manager.username);
    const base = `/api/institutions/${cast.north.institution.id}/patrons`;
    const keisha = (await reader.get(`${base}?q=C0009`)).json().patrons[0];
    await reader.post(`${base}/${keisha.id}/identifiers`, { type: 'LIBRARY_CARD', value: 'LC-9' });
    await reader.patch(`${base}/${keisha.id}`, { generalNote: 'Kept: not a column of the file' });
    const csv = [
      'Primary_Identifier,Last_Name,User_Group,Barcode,Email',
      'C0009,Landry-Broussard,GRAD,39990099,',
      'C0010,Newcomer,UNDERGRAD,39990010,new@north.example',
    ].join('\r\n');
    const summary = await loadPatronsCsv(t.database.db, { institutionCode: 'NORTH', csv });
    expect(summary).toMatchObject({
      rows: 2,
      created: 1,
      updated: 1,
      unchanged: 0,
      rejected: 0,
      problems: [],
    });
    const updated = (await reader.get(`${base}/${keisha.id}`)).json();
    expect(updated).toMatchObject({
      lastName: 'Landry-Broussard',
      firstName: 'Keisha',
      userGroup: { code: 'GRAD' },
      emails: [],
      generalNote: 'Kept: not a column of the file',
      identifiers: [
        { type: 'BARCODE', value: '39990099' },
        { type: 'LIBRARY_CARD', value: 'LC-9' },
      ],
    });
    expect((await reader.get(`${base}?q=broussard`)).json().total).toBe(1);
    const again = await loadPatronsCsv(t.database.db, { institutionCode: 'NORTH', csv });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it('refuses a file it cannot use at all: unknown institution, bad or missing header', async () => {
    const csv = readFileSync(FIXTURE, 'utf8');
    await expect(loadPatronsCsv(t.database.db, { institutionCode: 'NOWHERE', csv })).rejects.toMatchObject({
      code: 'INSTITUTION_NOT_FOUND',
    });
    await expect(
      loadPatronsCsv(t.database.db, { institutionCode: 'NORTH', csv: 'primary_identifier,surname\nX1,Y' }),
    ).rejects.toMatchObject({
      code: 'CSV_HEADER_INVALID',
      message: expect.stringMatching(/unknown columns: surname; missing columns: last_name, user_group/),
    });
    await expect(loadPatronsCsv(t.database.db, { institutionCode: 'NORTH', csv: '' })).rejects.toMatchObject({
      code: 'CSV_HEADER_INVALID',
    });
    const ragged = await loadPatronsCsv(t.database.db, {
      institutionCode: 'NORTH',
      csv: 'primary_identifier,last_name,user_group\nR1,Short\nR2,"Unclosed,GRAD\n',
    });
    expect(ragged.created).toBe(0);
    expect(ragged.problems[0]).toEqual({
      line: 2,
      primaryIdentifier: 'R1',
      reason: 'has 2 fields, the header has 3',
    });
    expect(ragged.rejected).toBe(2);
  });
});
