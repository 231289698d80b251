import { type Expression, type SqlBool, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { buildTsQuery, identifierForms } from './query.ts';

export interface CatalogueSearch {
  q?: string;
  title?: string;
  author?: string;
  subject?: string;
  identifier?: string;
  /** Institution codes; only their copies count. */
  institutions?: string[];
  available?: boolean;
  materialType?: string;
  /** Library code (with `institutions`, or across members when codes repeat). */
  library?: string;
  yearFrom?: number;
  yearTo?: number;
  page: number;
  pageSize: number;
}

export interface WorkHolder {
  institutionId: string;
  institutionCode: string;
  institutionName: string;
  bibId: string;
  itemCount: number;
  availableCount: number;
}

export interface WorkResult {
  workKey: string;
  title: string;
  subtitle: string;
  author: string;
  publicationYear: number | null;
  format: string;
  isbns: string[];
  score: number;
  holders: WorkHolder[];
}

/**
 * GET-1: searches the whole network's catalogue and answers one result per work (work key),
 * listing every member whose matching record holds it, with item and available counts.
 * Relevance is the best ts_rank among the work's records; ties go by title.
 */
export async function searchCatalogue(
  db: Db,
  search: CatalogueSearch,
): Promise<{ total: number; results: WorkResult[] }> {
  const tsQuery = buildTsQuery(search);
  const query = tsQuery ? sql`to_tsquery('simple', ${tsQuery})` : null;

  // Items that count for the filters: not withdrawn, of the material type, in the library, available.
  const itemFilter = (bibId: Expression<string>) => {
    let sub = db
      .selectFrom('items as fi')
      .innerJoin('holdings as fh', 'fh.id', 'fi.holding_id')
      .select(sql`1`.as('one'))
      .whereRef('fi.bib_id', '=', bibId)
      .where('fi.withdrawn_at', 'is', null);
    if (search.available) sub = sub.where('fi.in_place', '=', true);
    if (search.materialType) {
      sub = sub.where('fi.material_type_id', 'in', (eb) =>
        eb
          .selectFrom('material_types')
          .select('id')
          .where('code', '=', search.materialType as string),
      );
    }
    if (search.library) {
      sub = sub.where('fh.library_id', 'in', (eb) =>
        eb
          .selectFrom('libraries')
          .select('id')
          .where('code', '=', search.library as string),
      );
    }
    return sub;
  };
  const needsItems = Boolean(search.available || search.materialType || search.library);

  let matches = db
    .selectFrom('bib_records as b')
    .innerJoin('institutions as inst', 'inst.id', 'b.institution_id')
    .select([
      'b.id',
      'b.work_key',
      query ? sql<number>`ts_rank(b.search_document, ${query})`.as('rank') : sql<number>`0`.as('rank'),
      // What the page shows, carried from the row the match read anyway: the page's records
      // are not read a second time.
      sql<string>`lower(b.title)`.as('sort_title'),
      'b.institution_id',
      'b.title',
      'b.subtitle',
      'b.author',
      'b.publication_year',
      'b.format',
      'b.isbns',
      'inst.code as institution_code',
      'inst.name as institution_name',
    ])
    .where('b.withdrawn_at', 'is', null);
  if (query) matches = matches.where(sql<SqlBool>`b.search_document @@ ${query}`);
  if (search.identifier) {
    const forms = identifierForms(search.identifier);
    matches = matches.where((eb) =>
      eb.or([
        eb('b.source_id', '=', forms.raw),
        ...(forms.isbn13 ? [eb(sql`${forms.isbn13}`, '=', eb.fn.any('b.isbns'))] : []),
        ...(forms.issn ? [eb(sql`${forms.issn}`, '=', eb.fn.any('b.issns'))] : []),
        ...(forms.oclc ? [eb(sql`${forms.oclc}`, '=', eb.fn.any('b.oclc_numbers'))] : []),
      ]),
    );
  }
  if (search.institutions?.length) matches = matches.where('inst.code', 'in', search.institutions);
  if (search.yearFrom !== undefined) matches = matches.where('b.publication_year', '>=', search.yearFrom);
  if (search.yearTo !== undefined) matches = matches.where('b.publication_year', '<=', search.yearTo);
  if (needsItems) matches = matches.where((eb) => eb.exists(itemFilter(eb.ref('b.id'))));

  // One statement: the matching records (found once), the page of works they make, and the
  // page's records with their copy counts (docs/benchmarks.md: the search ran its match twice
  // and read every matching record again for its title, then the page's records a third time).
  const rows = await db
    .with('matches', () => matches)
    .with('page', (qb) =>
      qb
        .selectFrom('matches')
        .select([
          'work_key',
          sql<number>`max(rank)`.as('score'),
          sql<string>`min(sort_title)`.as('sort_title'),
          sql<number>`count(*) over ()`.as('total'),
        ])
        .groupBy('work_key')
        .orderBy('score', 'desc')
        .orderBy('sort_title')
        .orderBy('work_key')
        .limit(search.pageSize)
        .offset((search.page - 1) * search.pageSize),
    )
    .selectFrom('page')
    .innerJoin('matches as m', 'm.work_key', 'page.work_key')
    // Each record's copies, counted through the items' (institution, record) index: one small
    // lookup per record of the page, where grouping every item of the catalogue by record took
    // seconds at a million items (docs/benchmarks.md).
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('items as i')
          .select([
            sql<number>`count(*)::int`.as('item_count'),
            sql<number>`count(*) FILTER (WHERE i.in_place)::int`.as('available_count'),
          ])
          .whereRef('i.institution_id', '=', 'm.institution_id')
          .whereRef('i.bib_id', '=', 'm.id')
          .where('i.withdrawn_at', 'is', null)
          .as('counts'),
      (join) => join.onTrue(),
    )
    .select([
      'page.work_key',
      'page.score',
      'page.total',
      'm.id',
      'm.title',
      'm.subtitle',
      'm.author',
      'm.publication_year',
      'm.format',
      'm.isbns',
      'm.institution_id',
      'm.institution_code',
      'm.institution_name',
      sql<number>`coalesce(counts.item_count, 0)`.as('item_count'),
      sql<number>`coalesce(counts.available_count, 0)`.as('available_count'),
    ])
    .orderBy('page.score', 'desc')
    .orderBy('page.sort_title')
    .orderBy('page.work_key')
    .orderBy('m.rank', 'desc')
    .orderBy('m.institution_name')
    .execute();
  if (rows.length === 0) {
    // Past the last page the window count is not available: count the works.
    const counted = await db
      .with('matches', () => matches)
      .selectFrom('matches')
      .select(sql<number>`count(DISTINCT work_key)::int`.as('n'))
      .executeTakeFirstOrThrow();
    return { total: counted.n, results: [] };
  }
  // The rows come work by work in the page's order, each work's best-ranked record first.
  const byWork = new Map<string, typeof rows>();
  for (const row of rows) {
    const own = byWork.get(row.work_key);
    if (own) own.push(row);
    else byWork.set(row.work_key, [row]);
  }
  const results = [...byWork.values()].map((own) => {
    // The best-ranked record describes the work (ties: the first institution by name).
    const best = own[0] as (typeof own)[number];
    return {
      workKey: best.work_key,
      title: best.title,
      subtitle: best.subtitle,
      author: best.author,
      publicationYear: best.publication_year,
      format: best.format,
      isbns: best.isbns,
      score: Number(best.score),
      holders: own
        .map((r) => ({
          institutionId: r.institution_id,
          institutionCode: r.institution_code,
          institutionName: r.institution_name,
          bibId: r.id,
          itemCount: Number(r.item_count),
          availableCount: Number(r.available_count),
        }))
        .sort((a, b) => a.institutionName.localeCompare(b.institutionName)),
    };
  });
  return { total: Number(rows[0]?.total ?? 0), results };
}
