import {
  Anchor,
  Box,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import {
  errorMessage,
  isAbort,
  listPublicInstitutions,
  type PublicInstitution,
  type SearchResults,
  searchCatalogue,
  type WorkHolder,
  type WorkResult,
} from '../api.ts';
import { CatalogueSearchForm } from '../components/CatalogueSearchForm.tsx';
import { DiscoveryUnavailable } from '../components/DiscoveryUnavailable.tsx';
import { ErrorMessage } from '../components/Messages.tsx';
import { PageLayout } from '../components/PageLayout.tsx';
import {
  hasFilters,
  MAX_YEAR,
  MIN_YEAR,
  readSearchState,
  type SearchState,
  searchPath,
} from '../searchUrl.ts';
import { usePageTitle } from '../usePageTitle.ts';
import { usePublicInstitution } from '../usePublicInstitution.ts';

/** Works shown on one page of results. */
export const PAGE_SIZE = 20;

type Found =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'done'; found: SearchResults }
  | { state: 'error'; message: string };

/**
 * `/discovery/:code/search?q=...`: the network catalogue search results (GET-1), seen from the
 * institution `:code`. The whole search (words, filters, page) is in the URL, so reload and
 * back work. The viewing institution is listed first among a work's holders.
 */
export function SearchResultsPage() {
  const code = useParams().code ?? '';
  const [params] = useSearchParams();
  const search = useMemo(() => readSearchState(params), [params]);
  const loaded = usePublicInstitution(code);
  const institutions = usePublicInstitutions();
  const navigate = useNavigate();
  const resultsHeading = useRef<HTMLHeadingElement>(null);
  const [found, setFound] = useState<Found>({ state: 'idle' });

  const { q, available, institution, yearFrom, yearTo, page } = search;
  useEffect(() => {
    if (q === '') {
      setFound({ state: 'idle' });
      return;
    }
    const controller = new AbortController();
    setFound({ state: 'loading' });
    searchCatalogue(
      {
        q,
        available,
        institutions: institution ? [institution] : undefined,
        yearFrom,
        yearTo,
        page,
        pageSize: PAGE_SIZE,
      },
      controller.signal,
    )
      .then((results) => setFound({ state: 'done', found: results }))
      .catch((e: unknown) => {
        if (!isAbort(e)) setFound({ state: 'error', message: errorMessage(e) });
      });
    return () => controller.abort();
  }, [q, available, institution, yearFrom, yearTo, page]);

  const home = loaded.state === 'found' ? loaded.institution : null;
  usePageTitle(
    loaded.state === 'not-found'
      ? 'Institution not found'
      : [
          q ? `Results for “${q}”` : 'Search',
          page > 1 ? `page ${page}` : '',
          home ? `${home.name} discovery` : '',
        ]
          .filter(Boolean)
          .join(' – '),
  );

  if (loaded.state !== 'found') return <DiscoveryUnavailable code={code} loaded={loaded} />;
  const homeInstitution = loaded.institution;

  function go(next: Partial<SearchState>) {
    navigate(searchPath(homeInstitution.code, { ...search, ...next }));
  }

  function goToPage(next: number) {
    go({ page: next });
    // The activated button may become disabled: move focus to the top of the new page's results.
    resultsHeading.current?.focus();
  }

  const pages = found.state === 'done' ? Math.max(1, Math.ceil(found.found.total / PAGE_SIZE)) : 1;

  return (
    <PageLayout
      headerContent={
        <Anchor component={Link} to={`/discovery/${encodeURIComponent(homeInstitution.code)}`} fw={600}>
          {homeInstitution.name} discovery
        </Anchor>
      }
    >
      <Stack gap="lg">
        <Title order={1}>
          {q ? (
            <>
              Search results for “<bdi>{q}</bdi>”
            </>
          ) : (
            'Search the network catalogue'
          )}
        </Title>
        <CatalogueSearchForm key={q} initialQuery={q} onSearch={(words) => go({ q: words, page: 1 })} />
        <Group align="flex-start" gap="xl" wrap="wrap">
          <Paper
            withBorder
            p="md"
            component="section"
            aria-labelledby="filters-heading"
            style={{ flex: '0 1 300px' }}
          >
            <Title order={2} id="filters-heading" size="h3" mb="sm">
              Filters
            </Title>
            <SearchFilters
              key={params.toString()}
              search={search}
              institutions={institutions}
              onApply={(filters) => go({ ...filters, page: 1 })}
            />
          </Paper>
          <Box
            component="section"
            aria-labelledby="results-heading"
            style={{ flex: '1 1 480px', minWidth: 0 }}
          >
            <Title order={2} id="results-heading" ref={resultsHeading} tabIndex={-1} mb="xs">
              Results
            </Title>
            <Box role="status" mb="sm">
              {found.state === 'loading' ? <Text c="gray.8">Searching…</Text> : null}
              {found.state === 'done' ? (
                <Text fw={600}>
                  {found.found.total.toLocaleString('en-GB')} {found.found.total === 1 ? 'work' : 'works'}{' '}
                  found
                </Text>
              ) : null}
            </Box>
            {found.state === 'idle' ? (
              <Text>Enter words in the search box to search the network catalogue.</Text>
            ) : null}
            {found.state === 'error' ? (
              <ErrorMessage title="The search could not be run">{found.message}</ErrorMessage>
            ) : null}
            {found.state === 'done' && found.found.total === 0 ? (
              <Text>
                No works match “<bdi>{q}</bdi>”{hasFilters(search) ? ' with these filters' : ''}.
                {hasFilters(search) ? ' Try clearing the filters.' : ' Try other or fewer words.'}
              </Text>
            ) : null}
            {found.state === 'done' && found.found.total > 0 && found.found.results.length === 0 ? (
              <Text>There are no results on page {page}.</Text>
            ) : null}
            {found.state === 'done' && found.found.results.length > 0 ? (
              <Stack component="ul" className="plain-list" gap="md" aria-labelledby="results-heading">
                {found.found.results.map((work) => (
                  <ResultItem key={work.workKey} work={work} homeCode={homeInstitution.code} />
                ))}
              </Stack>
            ) : null}
            {found.state === 'done' && found.found.total > 0 ? (
              <Group component="nav" aria-label="Result pages" justify="space-between" mt="lg">
                <Button
                  variant="outline"
                  disabled={page <= 1}
                  onClick={() => goToPage(Math.min(page - 1, pages))}
                >
                  Previous
                </Button>
                <Text>
                  Page {page} of {pages}
                </Text>
                <Button variant="outline" disabled={page >= pages} onClick={() => goToPage(page + 1)}>
                  Next
                </Button>
              </Group>
            ) : null}
          </Box>
        </Group>
      </Stack>
    </PageLayout>
  );
}

/** The member institutions for the institution filter; null while loading, [] when it failed. */
function usePublicInstitutions(): PublicInstitution[] | null {
  const [institutions, setInstitutions] = useState<PublicInstitution[] | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    listPublicInstitutions(controller.signal)
      .then(setInstitutions)
      .catch((e: unknown) => {
        if (!isAbort(e)) setInstitutions([]);
      });
    return () => controller.abort();
  }, []);
  return institutions;
}

type Filters = Pick<SearchState, 'available' | 'institution' | 'yearFrom' | 'yearTo'>;

/** A year field's text as a year, undefined when empty, or an error message. */
function parseYear(text: string): { year?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  const year = Number(trimmed);
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    return { error: `Enter a year from ${MIN_YEAR} to ${MAX_YEAR}.` };
  }
  return { year };
}

/** The filters form; applying it starts the search again from page 1. */
function SearchFilters({
  search,
  institutions,
  onApply,
}: {
  search: SearchState;
  institutions: PublicInstitution[] | null;
  onApply(filters: Filters): void;
}) {
  const [available, setAvailable] = useState(search.available);
  const [institution, setInstitution] = useState(search.institution);
  const [yearFrom, setYearFrom] = useState(search.yearFrom === undefined ? '' : String(search.yearFrom));
  const [yearTo, setYearTo] = useState(search.yearTo === undefined ? '' : String(search.yearTo));
  const [errors, setErrors] = useState<{ yearFrom?: string; yearTo?: string }>({});
  const yearFromRef = useRef<HTMLInputElement>(null);
  const yearToRef = useRef<HTMLInputElement>(null);

  // The chosen institution stays an option even if the list could not be loaded.
  const options = institutions ?? [];
  const missing = institution !== '' && !options.some((i) => i.code === institution);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const from = parseYear(yearFrom);
    const to = parseYear(yearTo);
    const next = { yearFrom: from.error, yearTo: to.error };
    if (!next.yearTo && from.year !== undefined && to.year !== undefined && from.year > to.year) {
      next.yearTo = 'Must not be before the year from.';
    }
    setErrors(next);
    if (next.yearFrom || next.yearTo) {
      (next.yearFrom ? yearFromRef : yearToRef).current?.focus();
      return;
    }
    onApply({ available, institution, yearFrom: from.year, yearTo: to.year });
  }

  return (
    <form onSubmit={onSubmit} aria-label="Filters" noValidate>
      <Stack gap="md">
        <Checkbox
          label="Only available copies"
          description="Works with a copy on the shelf now"
          checked={available}
          onChange={(e) => setAvailable(e.currentTarget.checked)}
        />
        <NativeSelect
          label="Institution"
          description="Only copies at this member count"
          value={institution}
          onChange={(e) => setInstitution(e.currentTarget.value)}
        >
          <option value="">All institutions</option>
          {options.map((i) => (
            <option key={i.id} value={i.code}>
              {i.name}
            </option>
          ))}
          {missing ? <option value={institution}>{institution}</option> : null}
        </NativeSelect>
        {institutions === null ? (
          <Text size="sm" c="gray.8">
            Loading institutions…
          </Text>
        ) : null}
        <Group gap="sm" grow align="flex-start">
          <TextInput
            ref={yearFromRef}
            label="Year from"
            type="number"
            inputMode="numeric"
            min={MIN_YEAR}
            max={MAX_YEAR}
            step={1}
            value={yearFrom}
            error={errors.yearFrom}
            onChange={(e) => setYearFrom(e.currentTarget.value)}
          />
          <TextInput
            ref={yearToRef}
            label="Year to"
            type="number"
            inputMode="numeric"
            min={MIN_YEAR}
            max={MAX_YEAR}
            step={1}
            value={yearTo}
            error={errors.yearTo}
            onChange={(e) => setYearTo(e.currentTarget.value)}
          />
        </Group>
        <Group gap="sm">
          <Button type="submit">Apply filters</Button>
          {hasFilters(search) ? (
            <Button
              variant="subtle"
              onClick={() =>
                onApply({ available: false, institution: '', yearFrom: undefined, yearTo: undefined })
              }
            >
              Clear filters
            </Button>
          ) : null}
        </Group>
      </Stack>
    </form>
  );
}

const FORMAT_LABELS: Record<string, string> = {
  book: 'Book',
  serial: 'Serial',
  score: 'Music score',
  sound: 'Sound recording',
  video: 'Video',
  map: 'Map',
  computer: 'Computer file',
  visual: 'Visual material',
  mixed: 'Mixed materials',
  manuscript: 'Manuscript',
  other: 'Other',
};

function formatLabel(format: string): string {
  return FORMAT_LABELS[format] ?? format.charAt(0).toUpperCase() + format.slice(1);
}

/** The holders with the viewing institution first; the others keep the API's order (by name). */
function homeFirst(holders: WorkHolder[], homeCode: string): WorkHolder[] {
  const isHome = (h: WorkHolder) => h.institutionCode.toUpperCase() === homeCode.toUpperCase();
  return [...holders.filter(isHome), ...holders.filter((h) => !isHome(h))];
}

/** One work: its description and every member holding it, with copies on the shelf. */
function ResultItem({ work, homeCode }: { work: WorkResult; homeCode: string }) {
  const heldById = useId();
  const details = [
    work.publicationYear === null ? '' : String(work.publicationYear),
    formatLabel(work.format),
  ]
    .filter(Boolean)
    .join(' · ');

  return (
    <li>
      <Paper withBorder p="md">
        <Title order={3} size="h4" dir="auto">
          {work.title}
        </Title>
        {work.subtitle ? (
          <Text dir="auto" c="gray.9">
            {work.subtitle}
          </Text>
        ) : null}
        {work.author ? (
          <Text dir="auto" mt={4}>
            {work.author}
          </Text>
        ) : null}
        {details ? <Text c="gray.8">{details}</Text> : null}
        <Text fw={600} mt="sm" id={heldById}>
          Held by
        </Text>
        <Stack component="ul" gap={2} mt={4} mb={0} pl="lg" aria-labelledby={heldById}>
          {homeFirst(work.holders, homeCode).map((holder) => {
            const isHome = holder.institutionCode.toUpperCase() === homeCode.toUpperCase();
            return (
              <li key={holder.bibId}>
                <bdi>{holder.institutionName}</bdi>
                {isHome ? <strong> (your library)</strong> : null}:{' '}
                {holder.itemCount === 0
                  ? 'no copies listed'
                  : `${holder.availableCount} of ${holder.itemCount} available`}
              </li>
            );
          })}
        </Stack>
      </Paper>
    </li>
  );
}
