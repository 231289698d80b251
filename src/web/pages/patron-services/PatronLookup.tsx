import { Box, Button, Group, Stack, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { patronDisplayName } from '../../api/circulation.ts';
import { type PatronSummary, searchPatrons } from '../../api/shared.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { formatDate } from '../../format.ts';

interface PatronLookupProps {
  institutionId: string;
  /** Focus the field on mount (no patron open yet). */
  autoFocus: boolean;
  onOpen: (patronId: string) => void;
}

/**
 * "Patron barcode or name": a scanned identifier matching exactly one patron opens them at
 * once; a name lists the matches, chosen with the arrow keys and Enter.
 */
export function PatronLookup({ institutionId, autoFocus, onOpen }: PatronLookupProps) {
  const [query, setQuery] = useState('');
  const [searched, setSearched] = useState('');
  const [results, setResults] = useState<PatronSummary[] | null>(null);
  const [total, setTotal] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (results && results.length > 0) listRef.current?.querySelector('button')?.focus();
  }, [results]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const q = query.trim();
    if (q === '') {
      setFieldError('Scan a patron barcode or type part of a name.');
      inputRef.current?.focus();
      return;
    }
    setFieldError(null);
    setError(null);
    setBusy(true);
    try {
      const found = await searchPatrons(institutionId, { q, limit: 20, offset: 0 });
      const exact = found.patrons.filter((p) => p.identifierMatch);
      if (exact.length === 1 && exact[0]) {
        setResults(null);
        setQuery('');
        onOpen(exact[0].id);
        return;
      }
      setSearched(q);
      setTotal(found.total);
      setResults(found.patrons);
      // Selected, so that the next card scanned replaces the text rather than joining it.
      if (found.patrons.length === 0) inputRef.current?.select();
    } catch (e) {
      setError(e);
      setResults(null);
    } finally {
      setBusy(false);
    }
  }

  function choose(patron: PatronSummary) {
    setResults(null);
    setQuery('');
    onOpen(patron.id);
  }

  function onResultKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const buttons = [...(listRef.current?.querySelectorAll('button') ?? [])];
    let target: HTMLElement | undefined;
    if (event.key === 'ArrowDown') target = buttons[index + 1];
    else if (event.key === 'ArrowUp')
      target = index === 0 ? (inputRef.current ?? undefined) : buttons[index - 1];
    else if (event.key === 'Home') target = buttons[0];
    else if (event.key === 'End') target = buttons[buttons.length - 1];
    else if (event.key === 'Escape') {
      setResults(null);
      target = inputRef.current ?? undefined;
    }
    if (target) {
      event.preventDefault();
      target.focus();
    }
  }

  return (
    <Stack gap="sm">
      <Box component="form" role="search" aria-label="Find a patron" onSubmit={onSubmit} noValidate maw={640}>
        <TextInput
          ref={inputRef}
          label="Patron barcode or name"
          description={autoFocus ? "Scan the patron's card, or type a name and press Enter" : undefined}
          value={query}
          error={fieldError}
          autoFocus={autoFocus}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => {
            setQuery(e.currentTarget.value);
            if (fieldError) setFieldError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' && results?.length) {
              e.preventDefault();
              listRef.current?.querySelector('button')?.focus();
            }
          }}
          inputContainer={(input) => (
            <Group gap="sm" wrap="nowrap" align="flex-end">
              <Box style={{ flex: 1 }}>{input}</Box>
              <Button type="submit" loading={busy}>
                Find patron
              </Button>
            </Group>
          )}
        />
      </Box>
      {error ? <ApiErrorAlert title="Patrons could not be searched" error={error} /> : null}
      {results && results.length === 0 ? (
        <StatusMessage>
          No patron matches “{searched}”. Check the barcode, or try part of the name.
        </StatusMessage>
      ) : null}
      {results && results.length > 0 ? (
        <Box component="section" aria-labelledby="patron-matches-heading" maw={640}>
          <Title order={2} size="h4" id="patron-matches-heading">
            Patrons matching “{searched}”
          </Title>
          <Text role="status" size="sm" c="gray.8" mb="xs">
            {total > results.length
              ? `${total} patrons match; the first ${results.length} are shown. Type more of the name to narrow it.`
              : `${results.length} ${results.length === 1 ? 'patron matches' : 'patrons match'}.`}{' '}
            Use the arrow keys and Enter to open one.
          </Text>
          <Box
            component="ul"
            ref={listRef}
            aria-labelledby="patron-matches-heading"
            style={{ listStyle: 'none', margin: 0, padding: 0 }}
          >
            {results.map((p, index) => (
              <li key={p.id}>
                <UnstyledButton
                  onClick={() => choose(p)}
                  onKeyDown={(e) => onResultKey(e, index)}
                  className="patron-match"
                  p="xs"
                  w="100%"
                  style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}
                >
                  <Text fw={700} inherit component="span">
                    {patronDisplayName(p)}
                  </Text>
                  <Text size="sm" c="gray.8" component="span">
                    {' '}
                    · {p.primaryIdentifier} · {p.userGroup.name} · expires {formatDate(p.expiryDate)}
                    {p.expired ? ' · EXPIRED' : ''}
                    {p.blocked ? ' · BLOCKED' : ''}
                    {p.status === 'inactive' ? ' · INACTIVE' : ''}
                  </Text>
                </UnstyledButton>
              </li>
            ))}
          </Box>
        </Box>
      ) : null}
    </Stack>
  );
}
