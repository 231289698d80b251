import { describe, expect, it } from 'vitest';
import { cleanText, extractBibFields, formatOf, UNTITLED } from './bib-fields.ts';
import type { MarcDataField, MarcField, MarcRecord } from './marc/record.ts';

const field = (tag: string, subfields: string, ind1 = ' ', ind2 = ' '): MarcDataField => ({
  tag,
  ind1,
  ind2,
  subfields: subfields
    .split('$')
    .slice(1)
    .map((s) => ({ code: s[0] as string, value: s.slice(1) })),
});
const record = (leader: string, ...fields: MarcField[]): MarcRecord => ({ leader, fields });

describe('extractBibFields (CIRC-1)', () => {
  const perl = record(
    '00000cam a2200000 a 4500',
    { tag: '001', value: ' fol05731351 ' },
    { tag: '008', value: '000602s2000    nyua     b    001 0 eng  ' },
    field('020', '$a0471383147 (paper/cd-rom : alk. paper)'),
    field('020', '$z0000000000'),
    field('035', '$a(OCoLC)ocm44026447'),
    field('100', '$aMartinsson, Tobias,$d1976-', '1'),
    field('245', '$aActivePerl with ASP and ADO /$cTobias Martinsson.', '1', '0'),
    field('250', '$a2nd ed.'),
    field('260', '$aNew York :$bJohn Wiley & Sons,$c2000.'),
    field('650', '$aPerl (Computer program language)$0http://id.loc.gov/x', ' ', '0'),
    field('650', '$aActive server pages.', ' ', '0'),
    field('651', '$aUnited States$xHistory$yCivil War, 1861-1865$vFiction.', ' ', '0'),
  );

  it('extracts the columns of bib_records', () => {
    expect(extractBibFields(perl)).toEqual({
      sourceId: 'fol05731351',
      title: 'ActivePerl with ASP and ADO',
      subtitle: '',
      author: 'Martinsson, Tobias, 1976-',
      publisher: 'John Wiley & Sons',
      publicationYear: 2000,
      edition: '2nd ed',
      language: 'eng',
      format: 'book',
      isbns: ['9780471383147'],
      issns: [],
      oclcNumbers: ['44026447'],
      networkIds: [],
      subjects: [
        'Perl (Computer program language)',
        'Active server pages',
        'United States -- History -- Civil War, 1861-1865 -- Fiction',
      ],
    });
  });

  it('prefers the 264 publication statement, and falls back to 041 for the language', () => {
    const r = record(
      '00000nam a2200000 i 4500',
      { tag: '008', value: '200101s2020    xx            000 0 |||  ' },
      field('041', '$afre$aeng', '0'),
      field('245', '$aLe divin :$bexpériences et hypothèses.', '0', '3'),
      field('264', '$bDistributor,$c2021', ' ', '2'),
      field('264', '$aParis :$bGallimard,$c[2020]', ' ', '1'),
    );
    const bib = extractBibFields(r);
    expect(bib).toMatchObject({
      title: 'Le divin',
      subtitle: 'expériences et hypothèses',
      publisher: 'Gallimard',
      language: 'fre',
      sourceId: null,
    });
    expect(bib.publicationYear).toBe(2020);
  });

  it('titles a record without a 245', () => {
    expect(extractBibFields(record('00000nam a2200000 a 4500')).title).toBe(UNTITLED);
  });

  it('joins the title with its part number', () => {
    const r = record(
      '00000nam a2200000 a 4500',
      field('245', "$aStandard & Poor's register, 2003.$nv. 2.", '0', '0'),
    );
    expect(extractBibFields(r).title).toBe("Standard & Poor's register, 2003. v. 2");
  });
});

describe('formatOf (leader/06-07)', () => {
  it.each([
    ['am', 'book'],
    ['as', 'serial'],
    ['ai', 'serial'],
    ['tm', 'manuscript'],
    ['cm', 'score'],
    ['em', 'map'],
    ['gm', 'video'],
    ['im', 'sound'],
    ['jm', 'music'],
    ['km', 'image'],
    ['mm', 'computer'],
    ['om', 'kit'],
    ['pc', 'mixed'],
    ['rm', 'object'],
    ['  ', 'other'],
  ])('%s is %s', (typeAndLevel, format) => {
    expect(formatOf(`00000n${typeAndLevel} a2200000 a 4500`)).toBe(format);
  });
});

describe('cleanText', () => {
  it('drops ISBD punctuation and brackets at the ends', () => {
    expect(cleanText('Programming Perl /')).toBe('Programming Perl');
    expect(cleanText('[videorecording] :')).toBe('videorecording');
    expect(cleanText('Wall, Larry.')).toBe('Wall, Larry');
    expect(cleanText('U.S.')).toBe('U.S');
  });
});
