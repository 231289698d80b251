import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type MarcReadResult, readMarcFile } from './reader.ts';
import { isDataField } from './record.ts';

const dir = resolve('..', 'shared', 'data', 'marc');

async function readAll(file: string): Promise<MarcReadResult[]> {
  const results: MarcReadResult[] = [];
  for await (const r of readMarcFile(resolve(dir, file))) results.push(r);
  return results;
}

const bad = (results: MarcReadResult[]) => results.filter((r) => !r.record);
const title = (r: MarcReadResult) => {
  const field = r.record?.fields.find((f) => f.tag === '245');
  return field && isDataField(field) ? field.subfields : undefined;
};

describe('MARC reader on the real files (SOURCES.md)', () => {
  // Record counts from SOURCES.md's table of clean files: every record reads.
  it.each([
    ['uva-library-solrmarc.mrc', 2000],
    ['uva-library-older-export-solrmarc.mrc', 76],
    ['loc-books-marc2bibframe2.xml', 99],
    ['british-library-marc2bibframe2.xml', 99],
    ['nlm-medical-marc2bibframe2.xml', 99],
    ['gwu-library-marc2bibframe2.xml', 99],
    ['dnb-serials-marc2bibframe2.xml', 99],
    ['princeton-special-collections-marc2bibframe2.xml', 99],
    ['koha-sample-bibs-misc4dev.xml', 435],
    ['evergreen-concerto-bibs.xml', 264],
    ['laurentian-french-pre1923-evergreen.mrc', 500],
    ['laurentian-jazz-evergreen.mrc', 1000],
    ['nepali-script-evergreen.mrc', 96],
    ['armenian-cyrillic-fsl-evergreen.mrc', 52],
    ['hebrew-script-evergreen.mrc', 20],
    ['pride-and-prejudice-multisource-marc4j.mrc', 383],
    ['loc-perl-books-pymarc.mrc', 10],
    ['loc-programming-books-pymarc.mrc', 20],
    ['mixed-scripts-blacklight.mrc', 30],
    ['library-sample-traject.mrc', 31],
  ])('%s: %i records, all readable', async (file, count) => {
    const results = await readAll(file);
    expect(results).toHaveLength(count);
    expect(bad(results).map((r) => `${r.position}: ${r.error}`)).toEqual([]);
  });

  it('converts MARC-8 diacritics (Laurentian French)', async () => {
    const [first] = await readAll('laurentian-french-pre1923-evergreen.mrc');
    expect(title(first as MarcReadResult)?.[0]?.value).toBe("L'autre monde, mythes et légendes :");
  });

  it('converts MARC-8 CJK, Hebrew and subscripts', async () => {
    const uva = await readAll('uva-library-solrmarc.mrc');
    const cjk = uva[1770]?.record?.fields.find((f) => f.tag === '880');
    expect(JSON.stringify(cjk)).toContain('中国古人类学与旧石器时代考古学');
    const hebrew = (await readAll('hebrew-script-evergreen.mrc'))[0]?.record?.fields.find(
      (f) => f.tag === '880',
    );
    expect(JSON.stringify(hebrew)).toContain('לתורה בלמועדים');
    const older = (await readAll('uva-library-older-export-solrmarc.mrc'))[15];
    expect(JSON.stringify(older?.record)).toContain('33¹/₃ rpm');
  });

  it('reads the mislabelled Armenian/Cyrillic file as UTF-8 and says so', async () => {
    const results = await readAll('armenian-cyrillic-fsl-evergreen.mrc');
    expect(title(results[0] as MarcReadResult)?.[0]?.value).toBe('Люди с чистой совестью :');
    expect(
      results.every((r) => r.warnings.some((w) => /leader\/09 says MARC-8, but the bytes are UTF-8/.test(w))),
    ).toBe(true);
    expect(results[0]?.record?.leader[9]).toBe('a');
  });

  it('keeps UTF-8 text decomposed as it came (DNB)', async () => {
    const results = await readAll('dnb-serials-marc2bibframe2.xml');
    expect(bad(results)).toEqual([]);
  });
});

describe('MARC reader on the broken files: each bad record reported, the rest read', () => {
  const report = async (file: string) =>
    bad(await readAll(file)).map((r) => ({
      position: r.position,
      offset: r.offset,
      line: r.line,
      error: r.error,
    }));

  it('broken-leader-and-directory: records 2-7 refused with the reason, 1 and 8 read', async () => {
    const results = await readAll('broken-leader-and-directory-pymarc.mrc');
    expect(results.filter((r) => r.record).map((r) => r.position)).toEqual([1, 8]);
    expect(await report('broken-leader-and-directory-pymarc.mrc')).toEqual([
      {
        position: 2,
        offset: 127,
        line: undefined,
        error: expect.stringMatching(/base address of data \(99937\) is outside/),
      },
      {
        position: 3,
        offset: 254,
        line: undefined,
        error: expect.stringMatching(/base address of data \(0\) is outside/),
      },
      { position: 4, offset: 381, line: undefined, error: expect.stringMatching(/not a multiple of 12/) },
      { position: 5, offset: 509, line: undefined, error: expect.stringMatching(/not a multiple of 12/) },
      { position: 6, offset: 637, line: undefined, error: expect.stringMatching(/not a number \('f0037'\)/) },
      { position: 7, offset: 764, line: undefined, error: expect.stringMatching(/no fields/) },
    ]);
  });

  it('broken-truncated-file: 18 records, then the cut-off 19th', async () => {
    const results = await readAll('broken-truncated-file-marc4j.mrc');
    expect(results.filter((r) => r.record)).toHaveLength(18);
    expect(await report('broken-truncated-file-marc4j.mrc')).toEqual([
      {
        position: 19,
        offset: 65536 - 3034,
        line: undefined,
        error: expect.stringMatching(/3034 bytes with no record terminator/),
      },
    ]);
  });

  it('broken-bad-directory: the 2nd record refused, 4 read', async () => {
    const results = await readAll('broken-bad-directory-marc4j.mrc');
    expect(results.filter((r) => r.record).map((r) => r.position)).toEqual([1, 3, 4, 5]);
    expect((await report('broken-bad-directory-marc4j.mrc'))[0]).toMatchObject({ position: 2, offset: 1571 });
  });

  it('broken-oversize-record: the 123,375-byte record refused, the two after it read', async () => {
    const results = await readAll('broken-oversize-record-marc4j.mrc');
    expect(results.filter((r) => r.record).map((r) => r.position)).toEqual([2, 3]);
    expect((await report('broken-oversize-record-marc4j.mrc'))[0]?.error).toMatch(
      /123375 bytes, over ISO 2709's maximum/,
    );
  });

  it('broken-pride-and-prejudice-many-errors: 298 read, 85 refused (bytes not UTF-8, bad directories)', async () => {
    const results = await readAll('broken-pride-and-prejudice-many-errors-marc4j.mrc');
    expect(results).toHaveLength(383);
    const refused = bad(results);
    expect(refused).toHaveLength(85);
    expect(refused.filter((r) => /not UTF-8/.test(r.error ?? ''))).toHaveLength(69);
    expect(refused[0]).toMatchObject({
      position: 2,
      offset: 665,
      error: expect.stringMatching(/bytes at 1234 \(field 350\) are not UTF-8/),
    });
  });

  it('broken-invalid-utf8: the record refused with the byte and field', async () => {
    expect(await report('broken-invalid-utf8-ruby-marc.mrc')).toEqual([
      {
        position: 1,
        offset: 0,
        line: undefined,
        error: expect.stringMatching(/bytes at 718 \(field 245\) are not UTF-8/),
      },
    ]);
  });

  it('broken-marc8-incomplete-escape: the record refused with the byte and field', async () => {
    expect(await report('broken-marc8-incomplete-escape-marc4j.mrc')).toEqual([
      {
        position: 1,
        offset: 0,
        line: undefined,
        error: expect.stringMatching(/MARC-8 cannot be converted at byte \d+ \(field 880\)/),
      },
    ]);
  });

  it('broken-leader-10-11: read, with a warning', async () => {
    const [result] = await readAll('broken-leader-10-11-marc4j.mrc');
    expect(result?.record).toBeDefined();
    expect(result?.warnings).toEqual([expect.stringMatching(/leader\/10-11/)]);
  });

  it('broken-marcxml-bad-bytes: the 2nd record refused at line 72, the 1st and 3rd read', async () => {
    const results = await readAll('broken-marcxml-bad-bytes-ruby-marc.xml');
    expect(results.filter((r) => r.record).map((r) => r.position)).toEqual([1, 3]);
    expect(await report('broken-marcxml-bad-bytes-ruby-marc.xml')).toEqual([
      {
        position: 2,
        offset: expect.any(Number),
        line: 55,
        error: expect.stringMatching(/not well-formed XML: .*U\+0007.*line 72/),
      },
    ]);
  });

  it('broken-marcxml-control-chars: refused at line 9', async () => {
    expect(await report('broken-marcxml-control-chars-koha.xml')).toEqual([
      {
        position: 1,
        offset: expect.any(Number),
        line: 3,
        error: expect.stringMatching(/U\+001F is not allowed in XML 1\.0 \(line 9/),
      },
    ]);
  });

  it('broken-marcxml-missing-subfield-code: refused, naming the field', async () => {
    expect(await report('broken-marcxml-missing-subfield-code-marc4j.xml')).toEqual([
      {
        position: 1,
        offset: expect.any(Number),
        line: 2,
        error: 'field 020 has a subfield without a valid code',
      },
    ]);
  });

  it('broken-bad-isbns: all 10 records read (the ISBNs are a matter for the work key)', async () => {
    expect(await readAll('broken-bad-isbns-evergreen.xml')).toHaveLength(10);
    expect(await report('broken-bad-isbns-evergreen.xml')).toEqual([]);
  });
});
