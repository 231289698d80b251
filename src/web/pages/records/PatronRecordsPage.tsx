import { Anchor, Box, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { type PatronSearchResult, searchPatrons } from '../../api/shared.ts';
import { isAbort } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { formatDate } from '../../format.ts';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { PatronStatusBadges, patronDisplayName } from './recordParts.tsx';

const PAGE_SIZE = 20;

/**
 * Patron records (PAT-1): search by name or identifier (case and diacritics ignored; an exact
 * identifier ranks first), page through the results, open a record or create a new one.
 * The search lives in the URL so "back" from a record returns to the same results.
 */
export function PatronRecordsPage() {
  usePageTitle('Patron records');
  const { institutionId, institutionName, can } = useStaff();
  const [params, setParams] = useSearchParams();
  const q = params.get('q');
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const [text, setText] = useState(q ?? '');
  const [result, setResult] = useState<PatronSearchResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (q === null) {
      setResult(null);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    searchPatrons(institutionId, { q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }, controller.signal)
      .then((r) => setResult(r))
      .catch((e: unknown) => {
        if (!isAbort(e)) setError(e);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [institutionId, q, page]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setParams({ q: text.trim() });
  }

  function goToPage(next: number) {
    setParams({ q: q ?? '', page: String(next) });
  }

  const pages = result ? Math.max(1, Math.ceil(result.total / PAGE_SIZE)) : 1;
  const first = result && result.total > 0 ? result.offset + 1 : 0;
  const last = result ? result.offset + result.patrons.length : 0;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Patron records</Title>
        {can('patrons.manage') ? (
          <Button component={Link} to="/staff/patrons/new">
            New patron
          </Button>
        ) : null}
      </Group>
      <Text>Patrons of {institutionName}.</Text>

      <Box
        component="form"
        role="search"
        aria-label="Patron records"
        onSubmit={onSubmit}
        noValidate
        maw={720}
      >
        <TextInput
          ref={inputRef}
          label="Find a patron"
          description="Name or identifier (barcode, university ID…); accents and capitals do not matter. Leave empty to list everyone."
          type="search"
          value={text}
          autoFocus
          autoComplete="off"
          onChange={(e) => setText(e.currentTarget.value)}
          inputContainer={(input) => (
            <Group gap="sm" wrap="nowrap" align="flex-end">
              <Box style={{ flex: 1 }}>{input}</Box>
              <Button type="submit" loading={loading}>
                Search
              </Button>
            </Group>
          )}
        />
      </Box>

      {error ? <ApiErrorAlert title="The search failed" error={error} /> : null}

      {result ? (
        <>
          <StatusMessage>
            {result.total === 0
              ? `No patron found for “${q}”. Check the spelling or search by identifier.`
              : `${result.total} patron${result.total === 1 ? '' : 's'} found; showing ${first}–${last}. Open a name to see the record.`}
          </StatusMessage>
          {result.patrons.length > 0 ? (
            <Table captionSide="top" striped highlightOnHover withTableBorder data-testid="patron-results">
              <Table.Caption>Patrons found{q ? ` for “${q}”` : ''}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Primary identifier</Table.Th>
                  <Table.Th scope="col">User group</Table.Th>
                  <Table.Th scope="col">Expiry date</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.patrons.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/staff/patrons/${p.id}`}>
                        {patronDisplayName(p)}
                      </Anchor>
                      {p.identifierMatch ? (
                        <Text size="sm" c="gray.8">
                          Identifier matches exactly
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{p.primaryIdentifier}</Table.Td>
                    <Table.Td>{p.userGroup.name}</Table.Td>
                    <Table.Td>{formatDate(p.expiryDate)}</Table.Td>
                    <Table.Td>
                      <PatronStatusBadges status={p.status} expired={p.expired} blocked={p.blocked} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
          {pages > 1 ? (
            <Group gap="sm" component="nav" aria-label="Result pages">
              <Button variant="default" disabled={page <= 1} onClick={() => goToPage(page - 1)}>
                Previous page
              </Button>
              <Text>
                Page {page} of {pages}
              </Text>
              <Button variant="default" disabled={page >= pages} onClick={() => goToPage(page + 1)}>
                Next page
              </Button>
            </Group>
          ) : null}
        </>
      ) : null}
    </Stack>
  );
}
