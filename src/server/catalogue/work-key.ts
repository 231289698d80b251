import { foldForSearch } from '../shared/text.ts';
import {
  publicationYear,
  recordIsbns,
  recordIssns,
  recordNetworkIds,
  recordOclcNumbers,
} from './bib-fields.ts';
import { normaliseIsbn, normaliseIssn, normaliseOclc } from './identifiers.ts';
import { dataFields, type MarcRecord, subfieldValues } from './marc/record.ts';

/**
 * GET-1 / CIRC-1: the network-wide work key, so that the same title held by several members is
 * one work. The first rule that applies gives the key; each key names its kind:
 *
 * 1. `net:<id>`   a network identifier, an 035 $a `(SHELFSHARE)<id>` (the network's own number,
 *                 which a member adds to overrule everything below);
 * 2. `isbn:<13>`  the first valid ISBN of the 020 $a, as ISBN-13;
 * 3. `issn:<NNNN-NNNC>` the first valid ISSN (022 $l, the linking ISSN, before 022 $a);
 * 4. `oclc:<n>`   the first OCLC number of the 035 $a (`(OCoLC)`, ocm/ocn/on), digits without
 *                 leading zeros;
 * 5. `tad:<title>|<author>|<year>` the title (245 $a $n $p, leading article dropped), the main
 *                 entry's first element (the surname) and Date 1 of the 008, folded like the
 *                 search index (case and diacritics) and stripped of punctuation.
 *
 * ISBN and ISSN come before OCLC although GET-1 lists OCLC first. The same edition is catalogued
 * with an ISBN by every member (it is printed in the book), but whether a record carries an
 * OCLC 035 depends on the member's system: UVA's records all have one, Koha's copy of the same
 * book has none. Ranking OCLC first would give those two copies different keys; ranking the
 * ISBN first gives them one. Records without an ISBN/ISSN still meet on the OCLC number.
 *
 * `rec:<hash>` is left for a record with no identifier and no title: it matches nothing else.
 *
 * The key is for one edition (what an ISBN names): two editions of a title with different
 * ISBNs are two works, as GET-1's identifiers imply. A pure key picks one number per record,
 * so the import adds one step (adoptWorkKeys in import.ts): a record that shares an ISBN, ISSN
 * or OCLC number with a record already in the network takes that record's key, which joins
 * catalogues that list an edition's ISBNs in another order or carry only its OCLC number.
 */
export function workKey(record: MarcRecord): string {
  const [f245] = dataFields(record, '245');
  let title = f245 ? subfieldValues(f245, 'a', 'n', 'p').join(' ') : '';
  // 245 ind2: how many leading characters (an article) to skip.
  const nonFiling = Number(f245?.ind2);
  if (nonFiling > 0 && nonFiling <= 9) title = title.slice(nonFiling);
  const [mainEntry] = dataFields(record, '100', '110', '111');
  return workKeyForFields(
    {
      networkIds: recordNetworkIds(record),
      isbns: recordIsbns(record),
      issns: linkingIssnFirst(record),
      oclcNumbers: recordOclcNumbers(record),
      title,
      author: mainEntry ? (subfieldValues(mainEntry, 'a')[0] ?? '') : '',
      year: publicationYear(record),
    },
    () => JSON.stringify(record),
  );
}

/** What the key is made of: identifiers (any common spelling) and title, author, year. */
export interface WorkKeyFields {
  networkIds?: readonly string[];
  isbns: readonly string[];
  issns: readonly string[];
  oclcNumbers: readonly string[];
  title: string;
  author: string;
  year: number | null;
}

const firstOf = (values: readonly string[], normalise: (v: string) => string | undefined) => {
  for (const value of values) {
    const normal = normalise(value);
    if (normal) return normal;
  }
  return undefined;
};

/** An OCLC number as stored (digits) or as written in an 035 (`(OCoLC)ocm0001234`). */
const oclcDigits = (value: string) => normaliseOclc(value) ?? /^\s*0*(\d+)\s*$/.exec(value)?.[1];

/**
 * The work key from a record's fields, for records catalogued by hand (inventory) and, through
 * `workKey`, for imported ones, so both give the same key for the same book.
 */
export function workKeyForFields(
  fields: WorkKeyFields,
  fallback: () => string = () => JSON.stringify(fields),
): string {
  const networkId = firstOf(fields.networkIds ?? [], (v) => v.trim() || undefined);
  if (networkId) return `net:${networkId}`;
  const isbn = firstOf(fields.isbns, normaliseIsbn);
  if (isbn) return `isbn:${isbn}`;
  const issn = firstOf(fields.issns, normaliseIssn);
  if (issn) return `issn:${issn}`;
  const oclc = firstOf(fields.oclcNumbers, oclcDigits);
  if (oclc) return `oclc:${oclc}`;
  const title = keyTitle(fields.title);
  if (title) return `tad:${title}|${keyAuthor(fields.author)}|${fields.year ?? ''}`;
  return `rec:${fingerprint(fallback())}`;
}

function linkingIssnFirst(record: MarcRecord): string[] {
  const linking = dataFields(record, '022').flatMap((f) => subfieldValues(f, 'l'));
  return [...linking, ...recordIssns(record)];
}

/** Folded, punctuation-free text: what two catalogues' spellings of one title have in common. */
export function normaliseForKey(text: string): string {
  return foldForSearch(text)
    .replace(/['’ʼ`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** English articles, dropped when the record does not say how many characters to skip. */
const LEADING_ARTICLE = /^(the|an|a) (?=\S)/;

/** The title part of the key: folded, without punctuation or a leading English article. */
export function keyTitle(title: string): string {
  return normaliseForKey(title).replace(LEADING_ARTICLE, '');
}

/** The author part: the name's first element (a person's surname, or a body's name). */
export function keyAuthor(author: string): string {
  return normaliseForKey(author.split(',')[0] ?? '');
}

/** A short stable hash (FNV-1a, 64 bits as hex) for the fallback key. */
function fingerprint(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}
