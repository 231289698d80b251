import { networkIdentifier, normaliseIsbn, normaliseIssn, normaliseOclc } from './identifiers.ts';
import {
  controlField,
  dataFields,
  type MarcDataField,
  type MarcRecord,
  subfieldValue,
  subfieldValues,
} from './marc/record.ts';

/** The columns of `bib_records` that come from the MARC record (CIRC-1). */
export interface BibFields {
  /** The record's own control number (001), or null when it has none. */
  sourceId: string | null;
  title: string;
  subtitle: string;
  author: string;
  publisher: string;
  publicationYear: number | null;
  edition: string;
  language: string | null;
  format: BibFormat;
  isbns: string[];
  issns: string[];
  oclcNumbers: string[];
  networkIds: string[];
  subjects: string[];
}

export type BibFormat =
  | 'book'
  | 'serial'
  | 'manuscript'
  | 'score'
  | 'map'
  | 'video'
  | 'sound'
  | 'music'
  | 'image'
  | 'computer'
  | 'kit'
  | 'mixed'
  | 'object'
  | 'other';

/** Title of a record that has no 245 $a. */
export const UNTITLED = '[untitled]';

/** Drops ISBD punctuation and brackets around a subfield ("Programming Perl /" -> "Programming Perl"). */
export function cleanText(value: string): string {
  return value
    .replace(/\s+/g, ' ')
    .replace(/^[\s[]+/, '')
    .replace(/[\s/:;,=+\]]+$/, '')
    .replace(/(\S{2,}|\d)\.$/, '$1')
    .trim();
}

const joinClean = (values: string[]) => cleanText(values.filter((v) => v.trim()).join(' '));

/** Leader/06-07 as a format name (MARC 21 type of record and bibliographic level). */
export function formatOf(leader: string): BibFormat {
  const type = leader[6];
  const level = leader[7];
  switch (type) {
    case 'a':
      return level === 'b' || level === 'i' || level === 's' ? 'serial' : 'book';
    case 't':
      return 'manuscript';
    case 'c':
    case 'd':
      return 'score';
    case 'e':
    case 'f':
      return 'map';
    case 'g':
      return 'video';
    case 'i':
      return 'sound';
    case 'j':
      return 'music';
    case 'k':
      return 'image';
    case 'm':
      return 'computer';
    case 'o':
      return 'kit';
    case 'p':
      return 'mixed';
    case 'r':
      return 'object';
    default:
      return 'other';
  }
}

const unique = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => !!v))];

/** Valid ISBNs of the 020 $a, as ISBN-13, in record order ($z holds cancelled or invalid ones). */
export function recordIsbns(record: MarcRecord): string[] {
  return unique(dataFields(record, '020').flatMap((f) => subfieldValues(f, 'a').map(normaliseIsbn)));
}

/** Valid ISSNs of the 022 $a and the linking ISSN $l. */
export function recordIssns(record: MarcRecord): string[] {
  return unique(dataFields(record, '022').flatMap((f) => subfieldValues(f, 'a', 'l').map(normaliseIssn)));
}

/** OCLC numbers of the 035 $a, and of the 001 when the record comes from OCLC (003 OCoLC or an ocm/ocn/on 001). */
export function recordOclcNumbers(record: MarcRecord): string[] {
  const fromControl = controlField(record, '001');
  const org = controlField(record, '003')?.trim().toUpperCase();
  const controlNumber =
    fromControl === undefined
      ? undefined
      : org === 'OCOLC'
        ? /^\s*(?:oc[mn]|on)?\s*0*(\d+)\s*$/i.exec(fromControl)?.[1]
        : normaliseOclc(fromControl);
  return unique([
    ...dataFields(record, '035').flatMap((f) => subfieldValues(f, 'a').map(normaliseOclc)),
    controlNumber,
  ]);
}

/** Network identifiers (035 $a `(SHELFSHARE)...`). */
export function recordNetworkIds(record: MarcRecord): string[] {
  return unique(dataFields(record, '035').flatMap((f) => subfieldValues(f, 'a').map(networkIdentifier)));
}

/** Date 1 of the 008, or the first plausible year in 264/260 $c. */
export function publicationYear(record: MarcRecord): number | null {
  const f008 = controlField(record, '008');
  const date1 = f008?.slice(7, 11);
  if (date1 && /^\d{4}$/.test(date1) && Number(date1) >= 500 && Number(date1) <= 2100) return Number(date1);
  for (const field of [...dataFields(record, '264'), ...dataFields(record, '260')]) {
    for (const value of subfieldValues(field, 'c')) {
      const year = /(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)/.exec(value)?.[1];
      if (year) return Number(year);
    }
  }
  return null;
}

function mainEntry(record: MarcRecord): string {
  const [field] = dataFields(record, '100', '110', '111');
  if (!field) return '';
  const codes =
    field.tag === '100' ? ['a', 'b', 'c', 'q', 'd'] : field.tag === '110' ? ['a', 'b'] : ['a', 'n', 'd', 'c'];
  return joinClean(subfieldValues(field, ...codes));
}

function publisher(record: MarcRecord): string {
  const publication = dataFields(record, '264').find((f) => f.ind2 === '1');
  const field = publication ?? dataFields(record, '260')[0] ?? dataFields(record, '264')[0];
  return field ? joinClean(subfieldValues(field, 'b')) : '';
}

function language(record: MarcRecord): string | null {
  const code = controlField(record, '008')?.slice(35, 38).toLowerCase();
  if (code && /^[a-z]{3}$/.test(code)) return code;
  const [f041] = dataFields(record, '041');
  const fallback = f041 ? subfieldValue(f041, 'a')?.slice(0, 3).toLowerCase() : undefined;
  return fallback && /^[a-z]{3}$/.test(fallback) ? fallback : null;
}

/** A 6XX heading: main part, then subdivisions ($v $x $y $z) after " -- ". */
function subjectHeading(field: MarcDataField): string {
  const main: string[] = [];
  const subdivisions: string[] = [];
  for (const s of field.subfields) {
    if (!/[a-z]/.test(s.code)) continue; // $0-$9: authority links, sources, linkage
    const value = cleanText(s.value);
    if (!value) continue;
    if ('vxyz'.includes(s.code)) subdivisions.push(value);
    else main.push(value);
  }
  return [main.join(' '), ...subdivisions].filter(Boolean).join(' -- ');
}

/** The bib_records columns of a record. Pure: the same record always gives the same fields. */
export function extractBibFields(record: MarcRecord): BibFields {
  const [f245] = dataFields(record, '245');
  const title = f245 ? joinClean(subfieldValues(f245, 'a', 'n', 'p')) : '';
  const subtitle = f245 ? joinClean(subfieldValues(f245, 'b')) : '';
  const [f250] = dataFields(record, '250');
  const sourceId = controlField(record, '001')?.trim() || null;
  const subjects = unique(
    record.fields
      .filter((f): f is MarcDataField => 'subfields' in f && /^6\d\d$/.test(f.tag))
      .map(subjectHeading),
  ).slice(0, 100);
  return {
    sourceId,
    title: title || UNTITLED,
    subtitle,
    author: mainEntry(record),
    publisher: publisher(record),
    publicationYear: publicationYear(record),
    edition: f250 ? joinClean(subfieldValues(f250, 'a', 'b')) : '',
    language: language(record),
    format: formatOf(record.leader),
    isbns: recordIsbns(record),
    issns: recordIssns(record),
    oclcNumbers: recordOclcNumbers(record),
    networkIds: recordNetworkIds(record),
    subjects,
  };
}
