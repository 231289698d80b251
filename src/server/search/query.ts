import { normaliseIsbn, normaliseIssn, normaliseOclc } from '../catalogue/identifiers.ts';
import { searchWords } from '../shared/text.ts';

export interface SearchTerms {
  q?: string;
  title?: string;
  author?: string;
  subject?: string;
}

/**
 * GET-1: the text part of a catalogue search as a PostgreSQL tsquery. Every word must match
 * (AND). Keywords match anywhere; a title, author or subject word only in that part of the
 * record, by the weights the search document gives them (A title, B author, C subjects).
 * Words are folded like the stored text, and carry only letters, digits and marks, so the
 * query text is safe to pass to to_tsquery. Returns null when there are no words.
 */
export function buildTsQuery(terms: SearchTerms): string | null {
  const parts: string[] = [];
  const add = (text: string | undefined, weight: string) => {
    for (const word of searchWords(text ?? '')) parts.push(`'${word}'${weight}`);
  };
  add(terms.q, '');
  add(terms.title, ':A');
  add(terms.author, ':B');
  add(terms.subject, ':C');
  return parts.length ? parts.join(' & ') : null;
}

/**
 * The forms an identifier may be stored in (catalogue/identifiers.ts normalises them the same
 * way on the way in): ISBN-13, NNNN-NNNC, OCLC digits; `raw` for a control number.
 */
export function identifierForms(raw: string): {
  isbn13: string | null;
  issn: string | null;
  oclc: string | null;
  raw: string;
} {
  const trimmed = raw.trim();
  const digits = /^\d{1,15}$/.test(trimmed) ? trimmed.replace(/^0+(?=\d)/, '') : null;
  return {
    isbn13: normaliseIsbn(trimmed) ?? null,
    issn: normaliseIssn(trimmed) ?? null,
    oclc: normaliseOclc(trimmed) ?? digits,
    raw: trimmed,
  };
}
