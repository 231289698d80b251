import { Box, Button, Checkbox, Group, List, Stack, Table, Text, Title } from '@mantine/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import {
  type ConfigRecord,
  type LibraryRelation,
  listLibraryRelations,
  putLibraryRelation,
} from '../../api/configuration.ts';
import { errorMessage, isAbort } from '../../api.ts';
import { fieldErrors } from '../../components/ApiErrorAlert.tsx';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { BackToOverview } from './BackToOverview.tsx';
import { useConfigLists } from './data.ts';
import { describeFailure } from './RecordForm.tsx';

type Pair = { lends: boolean; delivers: boolean };
type Matrix = Record<string, Pair>;

/** A pair without a stored relation has the database default (library_relations): both allowed. */
const DEFAULT_PAIR: Pair = { lends: true, delivers: true };
const pairKey = (libraryId: string, forLibraryId: string) => `${libraryId}:${forLibraryId}`;

/** The field names of the API in words, for the errors listed per pair. */
const FIELD_LABELS: Record<string, string> = {
  libraryId: 'Library',
  forLibraryId: 'For library',
  lends: 'Lends for',
  delivers: 'Delivers to',
};

interface PairFailure {
  key: string;
  pairName: string;
  error: unknown;
  fields: Record<string, string>;
}

function toMatrix(libraries: ConfigRecord[], relations: LibraryRelation[]): Matrix {
  const matrix: Matrix = {};
  for (const a of libraries) {
    for (const b of libraries) {
      if (a.id === b.id) continue;
      const stored = relations.find((r) => r.libraryId === a.id && r.forLibraryId === b.id);
      matrix[pairKey(a.id, b.id)] = stored
        ? { lends: stored.lends, delivers: stored.delivers }
        : DEFAULT_PAIR;
    }
  }
  return matrix;
}

/** One pair in words, as staff read it. */
export function relationInWords(library: string, forLibrary: string, pair: Pair): string {
  if (pair.lends && pair.delivers) return `${library} lends for ${forLibrary} and delivers to it.`;
  if (pair.lends) return `${library} lends for ${forLibrary} but does not deliver to it.`;
  if (pair.delivers) return `${library} delivers to ${forLibrary} but does not lend for it.`;
  return `${library} neither lends for ${forLibrary} nor delivers to it.`;
}

/** NET-6: which library of the institution may lend for, and deliver to, which. */
export function LibraryRelationsScreen() {
  usePageTitle('Library relations');
  const { institutionId, institutionName, can } = useStaff();
  const canEdit = can('config.institution.manage');
  const { lists, error: listError } = useConfigLists(institutionId, ['libraries']);
  const libraries = lists?.libraries ?? [];
  const [saved, setSaved] = useState<Matrix | null>(null);
  const [matrix, setMatrix] = useState<Matrix | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [failures, setFailures] = useState<PairFailure[]>([]);
  const [saving, setSaving] = useState(false);
  const failureRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!lists?.libraries) return;
    const all = lists.libraries;
    const controller = new AbortController();
    listLibraryRelations(institutionId, controller.signal)
      .then((relations) => {
        const loaded = toMatrix(all, relations);
        setSaved(loaded);
        setMatrix(loaded);
        setLoadError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setLoadError(errorMessage(e));
      });
    return () => controller.abort();
  }, [institutionId, lists]);

  const name = (id: string) => String(libraries.find((l) => l.id === id)?.name ?? id);

  function setPair(key: string, change: Partial<Pair>) {
    setStatus(null);
    setMatrix((old) => (old ? { ...old, [key]: { ...(old[key] ?? DEFAULT_PAIR), ...change } } : old));
  }

  const changed =
    matrix && saved
      ? Object.keys(matrix).filter((k) => JSON.stringify(matrix[k]) !== JSON.stringify(saved[k]))
      : [];

  async function onSave(event: FormEvent) {
    event.preventDefault();
    if (!matrix || !saved) return;
    setStatus(null);
    setFailures([]);
    if (changed.length === 0) {
      setStatus('Nothing changed: tick or clear a box first, then save.');
      return;
    }
    setSaving(true);
    const failed: PairFailure[] = [];
    const nowSaved: Matrix = { ...saved };
    const words: string[] = [];
    for (const key of changed) {
      const [libraryId = '', forLibraryId = ''] = key.split(':');
      const pair = matrix[key] ?? DEFAULT_PAIR;
      try {
        const result = await putLibraryRelation(institutionId, { libraryId, forLibraryId, ...pair });
        nowSaved[key] = { lends: result.lends, delivers: result.delivers };
        words.push(relationInWords(name(libraryId), name(forLibraryId), nowSaved[key]));
      } catch (e) {
        failed.push({
          key,
          pairName: `${name(libraryId)} for ${name(forLibraryId)}`,
          error: e,
          fields: fieldErrors(e),
        });
      }
    }
    setSaved(nowSaved);
    setFailures(failed);
    setSaving(false);
    if (words.length > 0) {
      setStatus(
        `Saved ${words.length} ${words.length === 1 ? 'relation' : 'relations'}: ${words.join(' ')} ` +
          'The change is in the audit trail.',
      );
    }
    if (failed.length > 0) requestAnimationFrame(() => failureRef.current?.focus());
  }

  return (
    <Stack gap="md">
      <BackToOverview />
      <Title order={1}>Library relations</Title>
      <Text>
        Which library of {institutionName} may work for which other (NET-6). <strong>Lends for</strong>: its
        items may be lent to fill the other library's requests. <strong>Delivers to</strong>: it may send
        items to the other library for pickup. A pair nobody has set yet allows both.
      </Text>
      {listError ? <ErrorMessage title="The libraries could not be loaded">{listError}</ErrorMessage> : null}
      {loadError ? <ErrorMessage title="The relations could not be loaded">{loadError}</ErrorMessage> : null}
      {!matrix && !loadError && !listError ? (
        <StatusMessage>Loading the library relations…</StatusMessage>
      ) : null}
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {failures.length > 0 ? (
        <Box ref={failureRef} tabIndex={-1}>
          <ErrorMessage title="Not every relation was saved">
            Correct the pairs listed, then save again; the others were saved.
            <List size="sm" component="ul">
              {failures.map((f) => (
                <List.Item key={f.key}>
                  {f.pairName}:{' '}
                  {Object.keys(f.fields).length > 0
                    ? Object.entries(f.fields)
                        .map(([field, message]) => `${FIELD_LABELS[field] ?? field} ${message}`)
                        .join('; ')
                    : describeFailure(f.error)}
                </List.Item>
              ))}
            </List>
          </ErrorMessage>
        </Box>
      ) : null}
      {matrix && libraries.length < 2 ? (
        <Text>{institutionName} has one library only: there is no relation to set.</Text>
      ) : null}
      {matrix && libraries.length >= 2 ? (
        <form onSubmit={onSave} noValidate>
          <Stack gap="lg">
            {libraries.map((library) => {
              const headingId = `relations-${library.id}`;
              const libraryName = String(library.name);
              return (
                <section key={library.id} aria-labelledby={headingId}>
                  <Title order={2} size="h3" id={headingId} mb="xs">
                    What {libraryName} does for the other libraries
                  </Title>
                  <Table.ScrollContainer minWidth={640}>
                    <Table withTableBorder striped aria-labelledby={headingId} maw={960}>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th scope="col">For library</Table.Th>
                          <Table.Th scope="col">Lends for it</Table.Th>
                          <Table.Th scope="col">Delivers to it</Table.Th>
                          <Table.Th scope="col">In words</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {libraries
                          .filter((other) => other.id !== library.id)
                          .map((other) => {
                            const key = pairKey(library.id, other.id);
                            const pair = matrix[key] ?? DEFAULT_PAIR;
                            const otherName = String(other.name);
                            const failure = failures.find((f) => f.key === key);
                            return (
                              <Table.Tr key={key} data-testid={`relation-${key}`}>
                                <Table.Th scope="row">{otherName}</Table.Th>
                                <Table.Td>
                                  <Checkbox
                                    aria-label={`${libraryName} lends for ${otherName}`}
                                    checked={pair.lends}
                                    disabled={!canEdit}
                                    error={failure?.fields.lends}
                                    onChange={(e) => setPair(key, { lends: e.currentTarget.checked })}
                                  />
                                </Table.Td>
                                <Table.Td>
                                  <Checkbox
                                    aria-label={`${libraryName} delivers to ${otherName}`}
                                    checked={pair.delivers}
                                    disabled={!canEdit}
                                    error={failure?.fields.delivers}
                                    onChange={(e) => setPair(key, { delivers: e.currentTarget.checked })}
                                  />
                                </Table.Td>
                                <Table.Td>
                                  {relationInWords(libraryName, otherName, pair)}
                                  {failure ? (
                                    <Text size="sm" c="red.9" fw={600}>
                                      Not saved: {describeFailure(failure.error)}
                                    </Text>
                                  ) : null}
                                </Table.Td>
                              </Table.Tr>
                            );
                          })}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                </section>
              );
            })}
            {canEdit ? (
              <Group>
                <Button type="submit" loading={saving}>
                  Save relations
                </Button>
                <Text size="sm" c="gray.8" aria-live="polite">
                  {changed.length === 0
                    ? 'No unsaved changes.'
                    : `${changed.length} unsaved ${changed.length === 1 ? 'change' : 'changes'}.`}
                </Text>
              </Group>
            ) : (
              <Text c="gray.8" size="sm">
                You can read these relations; changing them needs the privilege to manage the institution and
                its libraries.
              </Text>
            )}
          </Stack>
        </form>
      ) : null}
    </Stack>
  );
}
