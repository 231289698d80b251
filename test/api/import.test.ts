import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportSummary, importMarcFile } from '../../src/server/catalogue/import.ts';
import { readMarcFile } from '../../src/server/catalogue/marc/reader.ts';
import type { Db, OpenedDatabase } from '../../src/server/db/database.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { createTestDatabase } from '../support/database.ts';
import { buildInstitution, buildLibrary, type InstitutionRef } from '../support/factories.ts';

// MARC import (issue 3) on the real files in ../shared/data/marc (SOURCES.md).
const MARC = resolve('..', 'shared', 'data', 'marc');
const file = (name: string) => join(MARC, name);

let database: OpenedDatabase;
let db: Db;
let cast: Cast;
let scratch: string;

/** What an institution needs before an import: locations, material types, an item policy. */
async function readyForImport(institution: InstitutionRef, libraryIds: string[]) {
  for (const libraryId of libraryIds) {
    await db
      .insertInto('locations')
      .values(
        ['STACKS', 'REF'].map((code) => ({
          institution_id: institution.id,
          library_id: libraryId,
          code,
          name: code,
        })),
      )
      .execute();
  }
  await db
    .insertInto('material_types')
    .values(
      ['BOOK', 'DVD', 'SERIAL', 'SCORE'].map((code) => ({
        institution_id: institution.id,
        code,
        name: code,
      })),
    )
    .execute();
  await db
    .insertInto('item_policies')
    .values(['REGULAR', 'NONCIRC'].map((code) => ({ institution_id: institution.id, code, name: code })))
    .execute();
}

/** A fresh institution with a MAIN library, ready for an import. */
async function freshInstitution(code: string) {
  const institution = await buildInstitution(db, { code });
  const main = await buildLibrary(db, { institution, code: 'MAIN' });
  await readyForImport(institution, [main.id]);
  return institution;
}

async function inventory(institutionId: string) {
  const row = async (table: 'bib_records' | 'holdings' | 'items') =>
    db
      .selectFrom(table)
      .select([sql<number>`count(*)::int`.as('count'), sql<string>`max(updated_at)::text`.as('last')])
      .where('institution_id', '=', institutionId)
      .executeTakeFirstOrThrow();
  return { bibs: await row('bib_records'), holdings: await row('holdings'), items: await row('items') };
}

const refusedPositions = (summary: ImportSummary) =>
  summary.problems.filter((p) => p.severity === 'error').map((p) => p.record);

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  cast = await createCast(db);
  for (const member of [cast.north, cast.south, cast.east]) {
    await readyForImport(member.institution, [member.main.id, member.branch.id]);
  }
  scratch = mkdtempSync(join(tmpdir(), 'shelfshare-import-'));
});

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await database?.close();
});

describe('MARC import: record counts of the clean files (SOURCES.md)', () => {
  it.each([
    ['hebrew-script-evergreen.mrc', 20, 'MARC-8 binary with Hebrew escapes', []],
    ['uva-library-older-export-solrmarc.mrc', 76, 'MARC-8 binary; u399 twice, the 2nd refused', [25]],
    ['mixed-scripts-blacklight.mrc', 30, 'UTF-8 binary; record 4 is marked deleted', []],
    ['armenian-cyrillic-fsl-evergreen.mrc', 52, 'UTF-8 bytes under a MARC-8 leader', []],
    ['loc-books-marc2bibframe2.xml', 99, 'MARCXML', []],
  ])('%s: %i records read (%s)', async (name, count, _about, refused) => {
    const institution = await freshInstitution(`C${name.slice(0, 6).toUpperCase().replace(/\W/g, '')}`);
    const summary = await importMarcFile(db, { institutionId: institution.id, path: file(name) });
    expect(summary).toMatchObject({ read: count, rejected: refused.length, updated: 0 });
    expect(refusedPositions(summary)).toEqual(refused);
    expect(summary.created + summary.unchanged + summary.rejected).toBe(count);
    const rows = await inventory(institution.id);
    expect(rows.bibs.count).toBe(summary.created);
    expect(rows.items.count).toBeGreaterThanOrEqual(summary.created);
    const run = await db
      .selectFrom('import_runs')
      .selectAll()
      .where('id', '=', summary.runId)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({
      file_name: name,
      records_read: count,
      records_created: summary.created,
      records_rejected: refused.length,
    });
    expect(run.finished_at).not.toBeNull();
  });

  it('stores the record, its fields, a content hash and the search document', async () => {
    const institution = await freshInstitution('FIELDS');
    await importMarcFile(db, { institutionId: institution.id, path: file('loc-perl-books-pymarc.mrc') });
    const bib = await db
      .selectFrom('bib_records')
      .selectAll()
      .where('institution_id', '=', institution.id)
      .where('title', '=', 'Programming the Perl DBI')
      .executeTakeFirstOrThrow();
    expect(bib).toMatchObject({
      work_key: 'isbn:9781565926998',
      author: 'Descartes, Alligator',
      publisher: "O'Reilly",
      publication_year: 2000,
      language: 'eng',
      format: 'book',
      isbns: ['9781565926998'],
    });
    expect(bib.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((bib.marc as { leader: string }).leader).toHaveLength(24);
    const found = await sql<{
      id: string;
    }>`SELECT id FROM bib_records WHERE search_document @@ to_tsquery('simple', 'perl & dbi') AND institution_id = ${institution.id}`.execute(
      db,
    );
    expect(found.rows.map((r) => r.id)).toEqual([bib.id]);
  });
});

describe('MARC import: broken files are reported record by record, the good records load', () => {
  it.each([
    ['broken-leader-and-directory-pymarc.mrc', 2, [2, 3, 4, 5, 6, 7]],
    ['broken-truncated-file-marc4j.mrc', 18, [19]],
    ['broken-bad-directory-marc4j.mrc', 4, [2]],
    ['broken-oversize-record-marc4j.mrc', 2, [1]],
    ['broken-invalid-utf8-ruby-marc.mrc', 0, [1]],
    ['broken-marc8-incomplete-escape-marc4j.mrc', 0, [1]],
    ['broken-leader-10-11-marc4j.mrc', 1, []],
    ['broken-marcxml-bad-bytes-ruby-marc.xml', 1, [2]],
    ['broken-marcxml-control-chars-koha.xml', 0, [1]],
    ['broken-marcxml-missing-subfield-code-marc4j.xml', 0, [1]],
    ['broken-bad-isbns-evergreen.xml', 10, []],
  ])('%s: %i loaded, records %j refused', async (name, loaded, refused) => {
    const institution = await freshInstitution(`B${name.slice(7, 19).toUpperCase().replace(/\W/g, '')}`);
    const summary = await importMarcFile(db, { institutionId: institution.id, path: file(name) });
    expect(refusedPositions(summary)).toEqual(refused);
    expect(summary.rejected).toBe(refused.length);
    expect(summary.created).toBe(loaded);
    expect((await inventory(institution.id)).bibs.count).toBe(loaded);
    for (const problem of summary.problems) {
      expect(problem.reason).not.toBe('');
      expect(problem.record).toEqual(expect.any(Number));
      expect(problem.offset).toEqual(expect.any(Number));
    }
    // A file with a problem says so: every broken file has at least one (broken-bad-isbns
    // is broken only in its ISBNs, which the work key ignores).
    if (name !== 'broken-bad-isbns-evergreen.xml') expect(summary.problems.length).toBeGreaterThan(0);
  });

  it('names the position and reason of each bad record (broken-leader-and-directory)', async () => {
    const institution = await freshInstitution('BPOSITION');
    const summary = await importMarcFile(db, {
      institutionId: institution.id,
      path: file('broken-leader-and-directory-pymarc.mrc'),
    });
    expect(summary.problems.filter((p) => p.severity === 'error')).toEqual([
      expect.objectContaining({
        record: 2,
        offset: 127,
        reason: expect.stringMatching(/base address of data \(99937\)/),
      }),
      expect.objectContaining({
        record: 3,
        offset: 254,
        reason: expect.stringMatching(/base address of data \(0\)/),
      }),
      expect.objectContaining({
        record: 4,
        offset: 381,
        reason: expect.stringMatching(/not a multiple of 12/),
      }),
      expect.objectContaining({
        record: 5,
        offset: 509,
        reason: expect.stringMatching(/not a multiple of 12/),
      }),
      expect.objectContaining({ record: 6, offset: 637, reason: expect.stringMatching(/'f0037'/) }),
      expect.objectContaining({ record: 7, offset: 764, reason: expect.stringMatching(/no fields/) }),
    ]);
    const run = await db
      .selectFrom('import_runs')
      .select('problems')
      .where('id', '=', summary.runId)
      .executeTakeFirstOrThrow();
    expect(run.problems).toEqual(JSON.parse(JSON.stringify(summary.problems)));
  });

  it('loads the 298 readable records of broken-pride-and-prejudice-many-errors and refuses the other 85', async () => {
    const institution = await freshInstitution('BPRIDE');
    const summary = await importMarcFile(db, {
      institutionId: institution.id,
      path: file('broken-pride-and-prejudice-many-errors-marc4j.mrc'),
    });
    expect(summary.read).toBe(383);
    const unreadable = summary.problems.filter(
      (p) => p.severity === 'error' && !/already read/.test(p.reason),
    );
    expect(unreadable).toHaveLength(85);
    expect(summary.created + summary.unchanged + summary.rejected - unreadable.length).toBe(298);
  });

  it('refuses to import into an institution that has nowhere to put copies, and writes nothing', async () => {
    const institution = await buildInstitution(db, { code: 'EMPTY' });
    await expect(
      importMarcFile(db, { institutionId: institution.id, path: file('loc-perl-books-pymarc.mrc') }),
    ).rejects.toMatchObject({ code: 'INSTITUTION_NOT_READY_FOR_IMPORT' });
    const runs = await db
      .selectFrom('import_runs')
      .select('id')
      .where('institution_id', '=', institution.id)
      .execute();
    expect(runs).toEqual([]);
  });
});

describe('MARC import: importing again', () => {
  it('changes nothing when the same files are imported again (row counts and updated_at)', async () => {
    const institution = await freshInstitution('AGAIN');
    const files = [
      'uva-library-older-export-solrmarc.mrc',
      'loc-books-marc2bibframe2.xml',
      'broken-leader-and-directory-pymarc.mrc',
    ];
    const first: ImportSummary[] = [];
    for (const name of files)
      first.push(await importMarcFile(db, { institutionId: institution.id, path: file(name) }));
    const before = await inventory(institution.id);
    for (const [i, name] of files.entries()) {
      const again = await importMarcFile(db, { institutionId: institution.id, path: file(name) });
      expect(again).toMatchObject({ created: 0, updated: 0, rejected: first[i]?.rejected });
      expect(again.unchanged).toBe((first[i]?.created ?? 0) + (first[i]?.unchanged ?? 0));
    }
    expect(await inventory(institution.id)).toEqual(before);
  });

  it('updates a changed record in place and leaves the others alone', async () => {
    const institution = await freshInstitution('CHANGE');
    const original = readFileSync(file('loc-perl-books-pymarc.mrc'));
    await importMarcFile(db, { institutionId: institution.id, path: file('loc-perl-books-pymarc.mrc') });
    // Same length, so the directory stays right: "Programming the Perl DBI" -> "...Perl DBX".
    const changed = Buffer.from(original);
    const at = changed.indexOf('Programming the Perl DBI');
    changed.write('Programming the Perl DBX', at, 'latin1');
    const copy = join(scratch, 'loc-perl-books-changed.mrc');
    writeFileSync(copy, changed);
    const before = await db
      .selectFrom('bib_records')
      .select(['id', 'updated_at'])
      .where('institution_id', '=', institution.id)
      .where('title', '=', 'Programming the Perl DBI')
      .executeTakeFirstOrThrow();
    const summary = await importMarcFile(db, { institutionId: institution.id, path: copy });
    expect(summary).toMatchObject({ read: 10, created: 0, updated: 1, unchanged: 9, rejected: 0 });
    const after = await db
      .selectFrom('bib_records')
      .select(['id', 'title', 'updated_at'])
      .where('id', '=', before.id)
      .executeTakeFirstOrThrow();
    expect(after.title).toBe('Programming the Perl DBX');
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
    const items = await db
      .selectFrom('items')
      .select(['barcode', 'withdrawn_at'])
      .where('bib_id', '=', before.id)
      .execute();
    expect(items).toEqual([{ barcode: expect.stringMatching(/^CHANGE-/), withdrawn_at: null }]);
  });
});

describe('MARC import: holdings and items', () => {
  it('makes copies from the 999 fields (barcode, call number), placing unknown libraries at the first library’s STACKS', async () => {
    const institution = await freshInstitution('HOLD');
    const alderman = await buildLibrary(db, { institution, code: 'ALDERMAN' });
    await db
      .insertInto('locations')
      .values({ institution_id: institution.id, library_id: alderman.id, code: 'STACKS', name: 'Stacks' })
      .execute();
    const summary = await importMarcFile(db, {
      institutionId: institution.id,
      path: file('uva-library-solrmarc.mrc'),
      records: { from: 1, to: 200 },
    });
    expect(summary).toMatchObject({ read: 200, created: 200, rejected: 0 });
    // Record 192 lists two barcodes twice: reported, not fatal.
    expect(summary.problems).toContainEqual(
      expect.objectContaining({
        record: 192,
        severity: 'warning',
        reason: expect.stringMatching(/occurs twice/),
      }),
    );
    const copy = await db
      .selectFrom('items as i')
      .innerJoin('holdings as h', 'h.id', 'i.holding_id')
      .innerJoin('libraries as l', 'l.id', 'h.library_id')
      .innerJoin('locations as loc', 'loc.id', 'h.location_id')
      .innerJoin('material_types as m', 'm.id', 'i.material_type_id')
      .select(['i.barcode', 'h.call_number', 'l.code as library', 'loc.code as location', 'm.code as type'])
      .where('i.institution_id', '=', institution.id)
      .where('i.barcode', '=', 'X000876011')
      .executeTakeFirstOrThrow();
    expect(copy).toEqual({
      barcode: 'X000876011',
      call_number: 'F2235.3 .A144',
      library: 'ALDERMAN',
      location: 'STACKS',
      type: 'BOOK',
    });
    const elsewhere = await db
      .selectFrom('items as i')
      .innerJoin('holdings as h', 'h.id', 'i.holding_id')
      .innerJoin('libraries as l', 'l.id', 'h.library_id')
      .select(['l.code'])
      .where('i.institution_id', '=', institution.id)
      .where('l.code', '=', 'MAIN')
      .execute();
    expect(elsewhere.length).toBeGreaterThan(0); // other UVA libraries are unknown here: MAIN
  });

  it('generates one copy with the barcode <institution>-<001> when a record has no local holdings', async () => {
    const summary = await importMarcFile(db, {
      institutionId: cast.north.institution.id,
      path: file('loc-perl-books-pymarc.mrc'),
    });
    expect(summary.created).toBe(10);
    const items = await db
      .selectFrom('items as i')
      .innerJoin('bib_records as b', 'b.id', 'i.bib_id')
      .innerJoin('holdings as h', 'h.id', 'i.holding_id')
      .innerJoin('locations as loc', 'loc.id', 'h.location_id')
      .select(['i.barcode', 'b.source_id', 'h.library_id', 'loc.code as location'])
      .where('i.institution_id', '=', cast.north.institution.id)
      .execute();
    expect(items).toHaveLength(10);
    for (const item of items) {
      expect(item.barcode).toBe(`NORTH-${item.source_id}`);
      expect(item).toMatchObject({ library_id: cast.north.main.id, location: 'STACKS' });
    }
  });

  it('reports a barcode already used by another record, and loads the record without that copy', async () => {
    const institution = await freshInstitution('DUPBAR');
    const first = await importMarcFile(db, {
      institutionId: institution.id,
      path: file('uva-library-solrmarc.mrc'),
      records: { from: 1, to: 5 },
    });
    expect(first.created).toBe(5);
    // A copy of record 1 under another 001 still carries record 1's barcode.
    const original = readFileSync(file('uva-library-solrmarc.mrc'));
    const end = original.indexOf(0x1d) + 1;
    const record = Buffer.from(original.subarray(0, end));
    const at = record.indexOf('u1\x1e', 0, 'latin1');
    expect(at).toBeGreaterThan(0);
    record.write('u9', at, 'latin1');
    const copy = join(scratch, 'duplicate-barcode.mrc');
    writeFileSync(copy, record);
    const second = await importMarcFile(db, { institutionId: institution.id, path: copy });
    expect(second).toMatchObject({ read: 1, created: 1, rejected: 0 });
    expect(second.problems.length).toBeGreaterThan(0);
    for (const problem of second.problems) {
      expect(problem).toMatchObject({
        record: 1,
        severity: 'warning',
        reason: expect.stringMatching(/already belongs to another record/),
      });
    }
    const copies = await db
      .selectFrom('items')
      .select('barcode')
      .where('institution_id', '=', institution.id)
      .execute();
    expect(copies).toHaveLength(new Set(copies.map((c) => c.barcode)).size);
  });
});

describe('MARC import: one work across members (SOURCES.md Overlaps)', () => {
  beforeAll(async () => {
    const load = (institution: InstitutionRef, name: string, records?: { from: number; to: number }) =>
      importMarcFile(db, {
        institutionId: institution.id,
        path: file(name),
        ...(records ? { records } : {}),
      });
    await load(cast.south.institution, 'koha-sample-bibs-misc4dev.xml');
    await load(cast.south.institution, 'evergreen-concerto-bibs.xml');
    await load(cast.east.institution, 'pride-and-prejudice-multisource-marc4j.mrc');
    await load(cast.east.institution, 'laurentian-jazz-evergreen.mrc');
    await load(cast.north.institution, 'uva-library-solrmarc.mrc', { from: 860, to: 880 });
  }, 120_000);

  const members = () => [cast.north.institution.id, cast.south.institution.id, cast.east.institution.id];
  const holders = async (where: { title?: string; isbn?: string }) =>
    db
      .selectFrom('bib_records as b')
      .innerJoin('institutions as i', 'i.id', 'b.institution_id')
      .select(['b.work_key', 'i.code'])
      .where('b.institution_id', 'in', members())
      .$if(where.title !== undefined, (q) => q.where(sql<boolean>`lower(b.title) = lower(${where.title})`))
      .$if(where.isbn !== undefined, (q) => q.where(sql<boolean>`${where.isbn} = ANY(b.isbns)`))
      .execute();

  it.each([
    ['CGI programming with Perl', '9781565924192', ['NORTH', 'SOUTH']],
    ['Programming the Perl DBI', '9781565926998', ['NORTH', 'SOUTH']],
    ['The complete novels', '9780143039501', ['EAST', 'SOUTH']],
    ['Lady Susan ; The Watsons ; Sanditon', '9780140431025', ['EAST', 'SOUTH']],
    ['The poems', '9780333353615', ['NORTH', 'SOUTH']],
    ['The swing era', '9780195043129', ['EAST', 'SOUTH']],
  ])('"%s" (ISBN %s) is one work held by %j', async (title, isbn, expected) => {
    const rows = await holders({ isbn });
    expect(new Set(rows.map((r) => r.work_key))).toEqual(new Set([`isbn:${isbn}`]));
    expect([...new Set(rows.map((r) => r.code))].sort()).toEqual(expected);
    expect((await holders({ title })).map((r) => r.work_key)).toContain(`isbn:${isbn}`);
  });

  it('keeps "Programming Perl" and "Early jazz" editions apart: no shared identifier', async () => {
    for (const [title, a, b] of [
      ['Programming Perl', 'NORTH', 'SOUTH'],
      ['Early jazz', 'EAST', 'SOUTH'],
    ] as const) {
      const rows = await holders({ title });
      const keysOf = (code: string) => new Set(rows.filter((r) => r.code === code).map((r) => r.work_key));
      expect(keysOf(a).size).toBeGreaterThan(0);
      expect(keysOf(b).size).toBeGreaterThan(0);
      for (const key of keysOf(a)) expect(keysOf(b).has(key)).toBe(false);
    }
  });

  it('joins the Huntington recital records of both Evergreen sets by title, author and date', async () => {
    const rows = await holders({ title: 'Huntington student recital, Dec. 6, 1999' });
    expect(rows.map((r) => r.code).sort()).toEqual(['EAST', 'SOUTH']);
    expect(new Set(rows.map((r) => r.work_key)).size).toBe(1);
  });

  it('gives the 25 same-edition clusters of pride-and-prejudice (53 records) one work key each', async () => {
    // The file repeats some records (same 001, same content); one institution holds such a
    // record once, so each repeat goes to another member: first copies to PRIDE1, second
    // copies to PRIDE2, and so on.
    const bytes = readFileSync(file('pride-and-prejudice-multisource-marc4j.mrc'));
    const ids: string[] = [];
    for await (const r of readMarcFile(file('pride-and-prejudice-multisource-marc4j.mrc'))) {
      const f001 = r.record?.fields.find((f) => f.tag === '001');
      ids.push(f001 && 'value' in f001 ? f001.value : `#${r.position}`);
    }
    const parts: Buffer[][] = [[], [], []];
    const seen = new Map<string, number>();
    let start = 0;
    for (const id of ids) {
      const end = bytes.indexOf(0x1d, start) + 1;
      const copy = seen.get(id) ?? 0;
      seen.set(id, copy + 1);
      parts[copy]?.push(bytes.subarray(start, end));
      start = end;
    }
    const institutions: string[] = [];
    for (const [i, records] of parts.entries()) {
      if (records.length === 0) continue;
      const institution = await freshInstitution(`PRIDE${i + 1}`);
      const path = join(scratch, `pride-${i + 1}.mrc`);
      writeFileSync(path, Buffer.concat(records));
      const summary = await importMarcFile(db, { institutionId: institution.id, path });
      expect(summary).toMatchObject({ read: records.length, created: records.length });
      institutions.push(institution.id);
    }
    const rows = await db
      .selectFrom('bib_records')
      .select(['id', 'work_key', 'isbns'])
      .where('institution_id', 'in', institutions)
      .execute();
    expect(rows).toHaveLength(383);
    // Clusters as SOURCES.md counts them: records joined by any shared ISBN.
    const parent = new Map(rows.map((r) => [r.id, r.id]));
    const find = (id: string): string => {
      const p = parent.get(id) as string;
      return p === id ? id : find(p);
    };
    const firstWithIsbn = new Map<string, string>();
    for (const row of rows) {
      for (const isbn of row.isbns) {
        const other = firstWithIsbn.get(isbn);
        if (other) parent.set(find(row.id), find(other));
        else firstWithIsbn.set(isbn, row.id);
      }
    }
    const clusters = new Map<string, typeof rows>();
    for (const row of rows) clusters.set(find(row.id), [...(clusters.get(find(row.id)) ?? []), row]);
    const shared = [...clusters.values()].filter((c) => c.length > 1);
    expect(shared).toHaveLength(25);
    expect(shared.flat()).toHaveLength(53);
    for (const cluster of shared) expect(new Set(cluster.map((r) => r.work_key)).size).toBe(1);
  });
});
