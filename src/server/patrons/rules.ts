import { DateTime } from 'luxon';
import { searchWords } from '../shared/text.ts';
import type { FieldProblem } from '../shared/validation.ts';
import type { PatronUpdate } from './schemas.ts';

/**
 * Pure rules of the patron record (PAT-1): what is stored for search, when a record is expired
 * or blocked, and the cross-field checks of a record. No I/O here; the use cases call these.
 */

/** The words of a text as patron search sees them: folded (case, diacritics) and split on punctuation. */
export const patronSearchWords = searchWords;

export interface SearchableNames {
  lastName: string;
  firstName?: string;
  middleName?: string;
  preferredName?: string | null;
  primaryIdentifier: string;
  identifiers?: readonly { value: string }[];
}

/**
 * PAT-1: `patrons.search_text`, kept up to date on every write. Names come first (last name
 * first) so that ordering by it orders by folded name; identifiers follow. Words are separated by
 * single spaces, so a query word matches the start of a stored word (`' ' || search_text LIKE '% word%'`).
 */
export function buildSearchText(p: SearchableNames): string {
  return [
    p.lastName,
    p.firstName ?? '',
    p.middleName ?? '',
    p.preferredName ?? '',
    p.primaryIdentifier,
    ...(p.identifiers ?? []).map((i) => i.value),
  ]
    .flatMap(patronSearchWords)
    .join(' ');
}

/** At most this many words of a query are used; more add nothing but cost. */
const MAX_QUERY_WORDS = 8;

/** The words of a search query, each to match the start of a word of the record. */
export function searchQueryWords(query: string): string[] {
  return [...new Set(patronSearchWords(query))].slice(0, MAX_QUERY_WORDS);
}

/** Escapes LIKE's wildcards (PostgreSQL's default escape character is the backslash). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The calendar day now in a time zone, 'YYYY-MM-DD' (dates of a patron are the institution's days). */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return DateTime.fromJSDate(now).setZone(timeZone).toISODate() as string;
}

/**
 * A record is expired from its expiry date on: "expire now" sets the expiry date to today, and
 * the record must count as expired at once. No expiry date: never expires.
 */
export function isExpired(expiryDate: string | null, today: string): boolean {
  return expiryDate !== null && expiryDate <= today;
}

/** PAT-1 expire: today, unless the record already expired earlier (an earlier date is kept). */
export function expiryDateWhenExpiring(current: string | null, today: string): string {
  return current !== null && current <= today ? current : today;
}

/**
 * Emails, phones and addresses: one entry is the preferred one. When none is marked, the first
 * is; more than one marked is refused by validation before this is called.
 */
export function withOnePreferred<T extends { preferred?: boolean }>(
  entries: readonly T[],
): (T & { preferred: boolean })[] {
  const marked = entries.findIndex((e) => e.preferred === true);
  const preferredIndex = marked === -1 ? 0 : marked;
  return entries.map((e, i) => ({ ...e, preferred: i === preferredIndex }));
}

/** The contact lists as stored: typed entries, exactly one preferred, every address field present. */
export function storedContacts(input: Pick<PatronUpdate, 'emails' | 'phones' | 'addresses'>) {
  return {
    emails: input.emails && withOnePreferred(input.emails),
    phones: input.phones && withOnePreferred(input.phones),
    addresses:
      input.addresses &&
      withOnePreferred(input.addresses).map((a) => ({
        lines: a.lines,
        city: a.city ?? '',
        region: a.region ?? '',
        postalCode: a.postalCode ?? '',
        country: a.country ?? '',
        type: a.type,
        preferred: a.preferred,
      })),
  };
}

/** The purge date of a record cannot come before its expiry date (a record is purged after it expires). */
export function refuseWhenPurgedBeforeExpiry(
  dates: { expiryDate: string | null; purgeDate: string | null },
  field: 'purgeDate' | 'expiryDate' = 'purgeDate',
): FieldProblem[] {
  if (dates.expiryDate && dates.purgeDate && dates.purgeDate < dates.expiryDate) {
    return [
      {
        field,
        message:
          field === 'purgeDate'
            ? `cannot be before the expiry date ${dates.expiryDate}`
            : `cannot be after the purge date ${dates.purgeDate}`,
      },
    ];
  }
  return [];
}

/** Canonical JSON (object keys sorted), to compare stored jsonb with new values. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
