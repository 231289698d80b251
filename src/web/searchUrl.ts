/**
 * The catalogue search lives in the URL (`/discovery/:code/search?q=...`), so a reload, the back
 * button and a shared link all show the same results. This reads and writes that URL.
 */

/** A search as the results page shows it. */
export interface SearchState {
  q: string;
  /** Only works with a copy on the shelf. */
  available: boolean;
  /** An institution code, or '' for the whole network. */
  institution: string;
  yearFrom?: number;
  yearTo?: number;
  page: number;
}

export const MIN_YEAR = 0;
export const MAX_YEAR = 2100;

function readYear(value: string | null): number | undefined {
  if (value === null || !/^\d{1,4}$/.test(value.trim())) return undefined;
  const year = Number(value);
  return year >= MIN_YEAR && year <= MAX_YEAR ? year : undefined;
}

/** The search a results URL holds; anything malformed is ignored rather than an error. */
export function readSearchState(params: URLSearchParams): SearchState {
  const page = Number(params.get('page'));
  return {
    q: (params.get('q') ?? '').trim(),
    available: params.get('available') === 'true',
    institution: (params.get('institution') ?? '').trim(),
    yearFrom: readYear(params.get('yearFrom')),
    yearTo: readYear(params.get('yearTo')),
    page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1,
  };
}

/** The results URL of a search at an institution's discovery view. */
export function searchPath(code: string, search: Partial<SearchState> & { q: string }): string {
  const params = new URLSearchParams();
  params.set('q', search.q.trim());
  if (search.available) params.set('available', 'true');
  if (search.institution) params.set('institution', search.institution);
  if (search.yearFrom !== undefined) params.set('yearFrom', String(search.yearFrom));
  if (search.yearTo !== undefined) params.set('yearTo', String(search.yearTo));
  if (search.page !== undefined && search.page > 1) params.set('page', String(search.page));
  return `/discovery/${encodeURIComponent(code)}/search?${params.toString()}`;
}

/** True when any filter narrows the search. */
export function hasFilters(search: SearchState): boolean {
  return (
    search.available ||
    search.institution !== '' ||
    search.yearFrom !== undefined ||
    search.yearTo !== undefined
  );
}
