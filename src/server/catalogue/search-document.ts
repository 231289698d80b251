import { type RawBuilder, sql } from 'kysely';
import { foldForSearch } from '../shared/text.ts';

export interface SearchableBib {
  title: string;
  subtitle?: string;
  author?: string;
  subjects?: readonly string[];
  publisher?: string;
  identifiers?: readonly string[];
}

/**
 * The tsvector of a bibliographic record: title (weight A), author (B), subjects (C), the rest
 * (D). The 'simple' configuration does no stemming, which suits a catalogue in many languages.
 */
export function searchDocumentSql(bib: SearchableBib): RawBuilder<string> {
  const title = foldForSearch(`${bib.title} ${bib.subtitle ?? ''}`);
  const author = foldForSearch(bib.author ?? '');
  const subjects = foldForSearch((bib.subjects ?? []).join(' '));
  const rest = foldForSearch(`${bib.publisher ?? ''} ${(bib.identifiers ?? []).join(' ')}`);
  return sql<string>`setweight(to_tsvector('simple', ${title}), 'A') || setweight(to_tsvector('simple', ${author}), 'B') || setweight(to_tsvector('simple', ${subjects}), 'C') || setweight(to_tsvector('simple', ${rest}), 'D')`;
}
