import { describe, expect, it } from 'vitest';
import { foldForSearch, searchWords } from './text.ts';

describe('foldForSearch (GET-1)', () => {
  it('drops case and Latin diacritics', () => {
    expect(foldForSearch('Zoë Lindqvist')).toBe('zoe lindqvist');
    expect(foldForSearch('ÉCOLE Ñandú Straße Æsir Øresund Łódź')).toBe(
      'ecole nandu strasse aesir oresund lodz',
    );
  });

  it('folds decomposed and precomposed text alike', () => {
    expect(foldForSearch('Gro\u0308ße')).toBe(foldForSearch('Größe'));
  });

  it('drops Hebrew points but keeps Devanagari vowel signs', () => {
    expect(foldForSearch('שָׁלוֹם')).toBe('שלום');
    expect(foldForSearch('नेपाली')).toBe('नेपाली');
  });

  it('keeps Cyrillic and CJK words (й folds to и, as ё to е: both spellings find each other)', () => {
    expect(foldForSearch('Война и мир')).toBe(foldForSearch('ВОИНА И МИР'));
    expect(foldForSearch('Ёлка')).toBe('елка');
    expect(searchWords('東京大学 の 本')).toEqual(['東京大学', 'の', '本']);
  });
});

describe('searchWords', () => {
  it('splits on punctuation and spaces', () => {
    expect(searchWords("O'Connell: ghost-writer, 2nd ed.")).toEqual([
      'o',
      'connell',
      'ghost',
      'writer',
      '2nd',
      'ed',
    ]);
  });
});
