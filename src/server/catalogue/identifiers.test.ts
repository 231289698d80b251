import { describe, expect, it } from 'vitest';
import { networkIdentifier, normaliseIsbn, normaliseIssn, normaliseOclc } from './identifiers.ts';

describe('normaliseIsbn', () => {
  it('turns an ISBN-10 into the ISBN-13 of the same book', () => {
    expect(normaliseIsbn('0596000278')).toBe('9780596000271');
    expect(normaliseIsbn('978-0-596-00027-1')).toBe('9780596000271');
    expect(normaliseIsbn('184533213X')).toBe('9781845332136');
  });

  it('drops qualifiers, prices, hyphens and spaces (LC, BL and vendor habits)', () => {
    expect(normaliseIsbn('0679450041 (acid-free paper)')).toBe('9780679450047');
    expect(normaliseIsbn('0553268473 (pbk.) :')).toBe('9780553268478');
    expect(normaliseIsbn('9781845332136 (hbk.)')).toBe('9781845332136');
    expect(normaliseIsbn('ISBN 0-19-282760-X')).toBe('9780192827609');
    expect(normaliseIsbn('0 19 282760 X (pbk.)')).toBe('9780192827609');
    expect(normaliseIsbn('0440487331pbk.')).toBe('9780440487333');
  });

  it('finds the ISBN-10 in front of a price run into it (broken-bad-isbns)', () => {
    expect(normaliseIsbn('089542262X295')).toBe('9780895422620');
    expect(normaliseIsbn('0553101315175')).toBe('9780553101317');
  });

  it('refuses wrong check digits, 13-digit numbers ending in X, EANs and short values', () => {
    expect(normaliseIsbn('0596000279')).toBeUndefined();
    expect(normaliseIsbn('9780596000272')).toBeUndefined();
    expect(normaliseIsbn('978788430094X')).toBeUndefined();
    expect(normaliseIsbn('8901452100503')).toBeUndefined();
    expect(normaliseIsbn('059600027')).toBeUndefined();
    expect(normaliseIsbn('4980858214bbd :')).toBeUndefined();
    expect(normaliseIsbn('HL00361126 :')).toBeUndefined();
    expect(normaliseIsbn('')).toBeUndefined();
  });
});

describe('normaliseIssn', () => {
  it('writes a valid ISSN as NNNN-NNNC', () => {
    expect(normaliseIssn('0028-0836')).toBe('0028-0836');
    expect(normaliseIssn('00280836')).toBe('0028-0836');
    expect(normaliseIssn('1050-124x (Print)')).toBe('1050-124X');
  });

  it('refuses a wrong check digit', () => {
    expect(normaliseIssn('0028-0837')).toBeUndefined();
    expect(normaliseIssn('no issn')).toBeUndefined();
  });
});

describe('normaliseOclc', () => {
  it('reads the (OCoLC) prefix and OCLC’s ocm/ocn/on prefixes, without leading zeros', () => {
    expect(normaliseOclc('(OCoLC)ocm00012345')).toBe('12345');
    expect(normaliseOclc('(OCoLC)12345')).toBe('12345');
    expect(normaliseOclc('(OCoLC)on1234567890')).toBe('1234567890');
    expect(normaliseOclc('(OCLC)987')).toBe('987');
    expect(normaliseOclc('ocn123456789')).toBe('123456789');
    expect(normaliseOclc('ocm00012345')).toBe('12345');
  });

  it('ignores other systems’ numbers and zero', () => {
    expect(normaliseOclc('(Sirsi) o10699230')).toBeUndefined();
    expect(normaliseOclc('(DLC) 2001012345')).toBeUndefined();
    expect(normaliseOclc('12345')).toBeUndefined();
    expect(normaliseOclc('(OCoLC)0')).toBeUndefined();
  });
});

describe('networkIdentifier', () => {
  it('reads an 035 (SHELFSHARE) number', () => {
    expect(networkIdentifier('(SHELFSHARE)W-000123')).toBe('W-000123');
    expect(networkIdentifier(' (shelfshare) 42 ')).toBe('42');
    expect(networkIdentifier('(OCoLC)123')).toBeUndefined();
    expect(networkIdentifier('(SHELFSHARE)')).toBeUndefined();
  });
});
