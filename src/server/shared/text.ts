/**
 * GET-1: search is insensitive to case and diacritics. Text is folded here, in one place, for
 * both what is stored and what is asked, so no database extension (unaccent) is needed and
 * PGlite and PostgreSQL behave the same. Marks are dropped from Latin, Greek, Cyrillic,
 * Hebrew and Arabic letters (é -> e, niqqud and harakat go), but kept in scripts such as
 * Devanagari where the vowel signs are part of the word.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(
      /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Hebrew}\p{Script=Arabic}])\p{M}+/gu,
      '$1',
    )
    .normalize('NFC')
    .replace(/ß/g, 'ss')
    .replace(/[Ææ]/g, 'ae')
    .replace(/[Œœ]/g, 'oe')
    .replace(/[Øø]/g, 'o')
    .replace(/[Łł]/g, 'l')
    .replace(/[Đđ]/g, 'd')
    .replace(/[Þþ]/g, 'th')
    .toLowerCase();
}

/** The words of a folded text, as the search index splits them (letters, digits and marks). */
export function searchWords(text: string): string[] {
  return foldForSearch(text).match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
}
