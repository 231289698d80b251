import { describe, expect, it } from 'vitest';
import { buildTsQuery, identifierForms } from './query.ts';

describe('buildTsQuery (GET-1)', () => {
  it('ANDs folded keywords', () => {
    expect(buildTsQuery({ q: 'Pride & Préjudice' })).toBe("'pride' & 'prejudice'");
  });

  it('limits fielded words to their weight', () => {
    expect(buildTsQuery({ title: 'Emma', author: 'Austen', subject: 'Courtship' })).toBe(
      "'emma':A & 'austen':B & 'courtship':C",
    );
  });

  it('drops everything that is not a word, so nothing reaches to_tsquery unquoted', () => {
    expect(buildTsQuery({ q: "it's ) | ! :* 'x'" })).toBe("'it' & 's' & 'x'");
    expect(buildTsQuery({ q: '  ---  ' })).toBeNull();
    expect(buildTsQuery({})).toBeNull();
  });

  it('keeps non-Latin words whole', () => {
    expect(buildTsQuery({ q: 'שלום नेपाली' })).toBe("'שלום' & 'नेपाली'");
  });
});

describe('identifierForms', () => {
  it('turns an ISBN-10 into its ISBN-13', () => {
    expect(identifierForms('0-596-00027-8').isbn13).toBe('9780596000271');
    expect(identifierForms('9780596000271').isbn13).toBe('9780596000271');
  });

  it('reads OCLC numbers with their prefixes and leading zeros', () => {
    expect(identifierForms('(OCoLC)00012345').oclc).toBe('12345');
    expect(identifierForms('ocm00012345').oclc).toBe('12345');
  });

  it('formats an ISSN', () => {
    expect(identifierForms('0028-0836').issn).toBe('0028-0836');
    expect(identifierForms('00280836').issn).toBe('0028-0836');
  });

  it('takes plain digits as an OCLC number too', () => {
    expect(identifierForms('00012345').oclc).toBe('12345');
  });
});
