import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractBibFields } from './bib-fields.ts';
import { readMarcFile } from './marc/reader.ts';
import type { MarcDataField, MarcField, MarcRecord } from './marc/record.ts';
import { keyAuthor, keyTitle, normaliseForKey, workKey, workKeyForFields } from './work-key.ts';

/** `field('245', '$aThe title :$bsub', '1', '4')` */
const field = (tag: string, subfields: string, ind1 = ' ', ind2 = ' '): MarcDataField => ({
  tag,
  ind1,
  ind2,
  subfields: subfields
    .split('$')
    .slice(1)
    .map((s) => ({ code: s[0] as string, value: s.slice(1) })),
});
const control = (tag: string, value: string): MarcField => ({ tag, value });
const f008 = (year: string) => control('008', `000101s${year}    nyu           000 1 eng  `);
const record = (...fields: MarcField[]): MarcRecord => ({ leader: '00000nam a2200000 a 4500', fields });
const book = (...fields: MarcField[]) =>
  record(
    f008('2000'),
    field('100', '$aWall, Larry,$d1954-', '1'),
    field('245', '$aProgramming Perl /$cLarry Wall.', '1', '0'),
    ...fields,
  );

describe('work key (GET-1)', () => {
  describe('rule order', () => {
    it('takes a network identifier before anything else', () => {
      const r = book(
        field('020', '$a0596000278'),
        field('035', '$a(OCoLC)44128453'),
        field('035', '$a(SHELFSHARE)W42'),
      );
      expect(workKey(r)).toBe('net:W42');
    });

    it('takes the ISBN before the OCLC number, so a copy without an 035 meets one with it', () => {
      const withOclc = book(field('020', '$a0596000278 (pbk.)'), field('035', '$a(OCoLC)ocm44128453'));
      const withoutOclc = book(field('020', '$a9780596000271'));
      expect(workKey(withOclc)).toBe('isbn:9780596000271');
      expect(workKey(withoutOclc)).toBe(workKey(withOclc));
    });

    it('takes the ISSN (linking ISSN first) when there is no ISBN', () => {
      expect(workKey(book(field('022', '$a0028-0836'), field('035', '$a(OCoLC)1586310')))).toBe(
        'issn:0028-0836',
      );
      expect(workKey(book(field('022', '$a1050-124X$l0028-0836')))).toBe('issn:0028-0836');
    });

    it('takes the OCLC number when there is no ISBN or ISSN', () => {
      expect(workKey(book(field('035', '$a(Sirsi) o10699230'), field('035', '$a(OCoLC)ocm00012345')))).toBe(
        'oclc:12345',
      );
    });

    it('reads the OCLC number from an 001 when the 003 is OCoLC or the 001 has an OCLC prefix', () => {
      expect(workKey(book(control('001', 'ocm05702874'), control('003', 'OCoLC')))).toBe('oclc:5702874');
      expect(workKey(book(control('001', '214285386'), control('003', 'OCoLC')))).toBe('oclc:214285386');
      expect(workKey(book(control('001', 'ocn214285386')))).toBe('oclc:214285386');
      expect(workKey(book(control('001', 'u3987')))).toMatch(/^tad:/);
    });

    it('falls back to title, author and date', () => {
      expect(workKey(book())).toBe('tad:programming perl|wall|2000');
    });

    it('gives a record with neither identifiers nor a title a key of its own', () => {
      const a = record(f008('2000'), field('500', '$aA note.'));
      const b = record(f008('2000'), field('500', '$aAnother note.'));
      expect(workKey(a)).toMatch(/^rec:[0-9a-f]{16}$/);
      expect(workKey(a)).toBe(workKey(structuredClone(a)));
      expect(workKey(a)).not.toBe(workKey(b));
    });
  });

  describe('identifiers that do not count', () => {
    it('skips invalid ISBNs and cancelled ones ($z) and uses the next rule', () => {
      const r = book(
        field('020', '$a0596000279'),
        field('020', '$z0596000278'),
        field('035', '$a(OCoLC)44128453'),
      );
      expect(workKey(r)).toBe('oclc:44128453');
    });

    it('uses the first valid 020 $a', () => {
      expect(
        workKey(book(field('020', '$a12.95'), field('020', '$a0596000278'), field('020', '$a0192827609'))),
      ).toBe('isbn:9780596000271');
    });

    it('skips an ISSN with a wrong check digit', () => {
      expect(workKey(book(field('022', '$a0028-0837')))).toBe('tad:programming perl|wall|2000');
    });
  });

  describe('title, author and date', () => {
    const tad = (...fields: MarcField[]) => workKey(record(...fields));

    it('ignores case, diacritics and punctuation', () => {
      const a = tad(
        f008('1862'),
        field('100', '$aHugo, Victor,$d1802-1885.', '1'),
        field('245', '$aLes Misérables :$broman.', '1', '4'),
      );
      const b = tad(
        f008('1862'),
        field('100', '$aHUGO, VICTOR', '1'),
        field('245', '$aLes miserables /', '1', '4'),
      );
      expect(a).toBe('tad:miserables|hugo|1862');
      expect(b).toBe(a);
    });

    it('drops the non-filing characters the 245 second indicator counts', () => {
      expect(tad(f008('1968'), field('245', "$aL'autre monde", '0', '2'))).toBe('tad:autre monde||1968');
      expect(tad(f008('1968'), field('245', '$aDer Prozess', '0', '4'))).toBe('tad:prozess||1968');
    });

    it('drops a leading English article when the indicator does not', () => {
      expect(tad(f008('1989'), field('245', '$aThe swing era', '0', '0'))).toBe('tad:swing era||1989');
      expect(tad(f008('1989'), field('245', '$aA history', '0', '0'))).toBe('tad:history||1989');
    });

    it('keeps the part number and name so volumes stay apart', () => {
      const v1 = tad(f008('2003'), field('245', '$aRegister of corporations.$nv. 1.', '0', '0'));
      const v2 = tad(f008('2003'), field('245', '$aRegister of corporations.$nv. 2.', '0', '0'));
      expect(v1).not.toBe(v2);
    });

    it('uses the surname only, so "Austen, Jane, 1775-1817" and "Austen, J." agree', () => {
      expect(keyAuthor('Austen, Jane, 1775-1817.')).toBe('austen');
      expect(keyAuthor('Austen, J.')).toBe('austen');
      expect(keyAuthor('Miles Davis Quintet.')).toBe('miles davis quintet');
    });

    it('takes the year from the 008, else from 264/260 $c, and tells editions apart by it', () => {
      const from260 = record(
        control('008', '000101nuuuuuuuu'),
        field('245', '$aEarly jazz'),
        field('260', '$c[c1968]'),
      );
      expect(workKey(from260)).toBe('tad:early jazz||1968');
      expect(tad(f008('1968'), field('245', '$aEarly jazz'))).not.toBe(
        tad(f008('1986'), field('245', '$aEarly jazz')),
      );
    });

    it('normalises titles in other scripts without losing them', () => {
      expect(normaliseForKey('Люди с чистой совестью :')).toBe('люди с чистои совестью');
      expect(keyTitle('中国古人类学')).toBe('中国古人类学');
    });
  });

  describe('workKeyForFields (records catalogued by hand)', () => {
    it('agrees with the key of the imported record', () => {
      const imported = book(field('020', '$a0596000278 (pbk.)'));
      expect(
        workKeyForFields({
          isbns: ['978-0-596-00027-1'],
          issns: [],
          oclcNumbers: [],
          title: 'Programming Perl',
          author: 'Wall, Larry',
          year: 2000,
        }),
      ).toBe(workKey(imported));
      expect(
        workKeyForFields({
          isbns: [],
          issns: [],
          oclcNumbers: [],
          title: 'Programming Perl /',
          author: 'Wall, Larry',
          year: 2000,
        }),
      ).toBe(workKey(book()));
    });

    it('accepts OCLC numbers as digits or as written in an 035', () => {
      const base = { isbns: [], issns: [], title: 'x', author: '', year: null };
      expect(workKeyForFields({ ...base, oclcNumbers: ['00012345'] })).toBe('oclc:12345');
      expect(workKeyForFields({ ...base, oclcNumbers: ['(OCoLC)ocm00012345'] })).toBe('oclc:12345');
    });
  });
});

describe('work keys of the real files (SOURCES.md, Overlaps)', () => {
  const dir = resolve('..', 'shared', 'data', 'marc');
  const records = new Map<string, { title: string; subtitle: string; key: string; isbns: string[] }[]>();
  const load = async (file: string) => {
    const list: { title: string; subtitle: string; key: string; isbns: string[] }[] = [];
    for await (const r of readMarcFile(resolve(dir, file))) {
      if (!r.record) continue;
      const bib = extractBibFields(r.record);
      list.push({ title: bib.title, subtitle: bib.subtitle, key: workKey(r.record), isbns: bib.isbns });
    }
    records.set(file, list);
  };
  const keysOf = (file: string, title: string) =>
    (records.get(file) ?? []).filter((r) => r.title.toLowerCase() === title.toLowerCase()).map((r) => r.key);

  beforeAll(async () => {
    await Promise.all(
      [
        'koha-sample-bibs-misc4dev.xml',
        'loc-perl-books-pymarc.mrc',
        'pride-and-prejudice-multisource-marc4j.mrc',
        'uva-library-solrmarc.mrc',
        'laurentian-jazz-evergreen.mrc',
        'evergreen-concerto-bibs.xml',
      ].map(load),
    );
  }, 30_000);

  it.each([
    ['loc-perl-books-pymarc.mrc', 'CGI programming with Perl'],
    ['loc-perl-books-pymarc.mrc', 'Programming the Perl DBI'],
    ['pride-and-prejudice-multisource-marc4j.mrc', 'The complete novels'],
    ['pride-and-prejudice-multisource-marc4j.mrc', 'Lady Susan ; The Watsons ; Sanditon'],
    ['uva-library-solrmarc.mrc', 'The poems'],
    ['laurentian-jazz-evergreen.mrc', 'The swing era'],
  ])('koha and %s share one key for "%s" (same ISBN)', (file, title) => {
    const [koha] = keysOf('koha-sample-bibs-misc4dev.xml', title);
    expect(koha).toMatch(/^isbn:/);
    expect(keysOf(file, title)).toContain(koha);
  });

  it('gives "The poems" the key of its ISBN in both (UVA also has an OCLC number, Koha does not)', () => {
    expect(keysOf('uva-library-solrmarc.mrc', 'The poems')).toContain('isbn:9780333353615');
    expect(keysOf('koha-sample-bibs-misc4dev.xml', 'The poems')).toContain('isbn:9780333353615');
  });

  it.each([
    ['loc-perl-books-pymarc.mrc', 'Programming Perl'],
    ['laurentian-jazz-evergreen.mrc', 'Early jazz'],
  ])('keeps koha and %s apart for "%s": different editions share no identifier', (file, title) => {
    const koha = keysOf('koha-sample-bibs-misc4dev.xml', title);
    expect(koha.length).toBeGreaterThan(0);
    for (const key of keysOf(file, title)) expect(koha).not.toContain(key);
  });

  it('keeps "John Coltrane: his life and music" apart too', () => {
    const match = (file: string) =>
      (records.get(file) ?? [])
        .filter((r) => r.title === 'John Coltrane' && r.subtitle === 'his life and music')
        .map((r) => r.key);
    const koha = match('koha-sample-bibs-misc4dev.xml');
    expect(koha.length).toBeGreaterThan(0);
    for (const key of match('laurentian-jazz-evergreen.mrc')) expect(koha).not.toContain(key);
  });

  it('gives the Huntington recital records in both Evergreen sets one key each (title, author, date)', () => {
    for (const title of ['Huntington student recital, Dec. 6, 1999']) {
      const concerto = keysOf('evergreen-concerto-bibs.xml', title);
      expect(concerto).toHaveLength(1);
      expect(keysOf('laurentian-jazz-evergreen.mrc', title)).toEqual(concerto);
    }
    const composition = (file: string) =>
      (records.get(file) ?? [])
        .filter((r) => r.title.startsWith('Composition student recital, April 6, 2000'))
        .map((r) => r.key);
    expect(composition('evergreen-concerto-bibs.xml')).toHaveLength(1);
    expect(composition('laurentian-jazz-evergreen.mrc')).toEqual(composition('evergreen-concerto-bibs.xml'));
  });

  it('clusters most of pride-and-prejudice’s same-edition records by their first ISBN alone', () => {
    // 25 ISBN clusters (53 records) by any shared ISBN; three pairs list a second binding's
    // ISBN first, and only the import's identifier matching (adoptWorkKeys) joins those.
    const keys = new Map<string, number>();
    for (const r of records.get('pride-and-prejudice-multisource-marc4j.mrc') ?? []) {
      if (r.key.startsWith('isbn:')) keys.set(r.key, (keys.get(r.key) ?? 0) + 1);
    }
    expect([...keys.values()].filter((n) => n > 1)).toHaveLength(22);
  });
});
