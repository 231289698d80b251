import { Button, Group, NativeSelect, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  deleteTransitTime,
  listNetworkLibraries,
  listTransitTimes,
  type NetworkLibrary,
  putTransitTime,
  type TransitTime,
} from '../../api/configuration.ts';
import { errorMessage, isAbort } from '../../api.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { BackToOverview } from './BackToOverview.tsx';
import type { FieldSpec } from './fields.ts';
import { describeFailure, RecordFormModal } from './RecordForm.tsx';

const days = (n: number) => (n === 1 ? '1 day' : `${n} days`);

/** The form: the two libraries are fixed once set (they are the record's key); days change. */
function transitFields(
  own: NetworkLibrary[],
  all: NetworkLibrary[],
  label: (id: string) => string,
): FieldSpec[] {
  return [
    {
      name: 'fromLibraryId',
      label: 'From library',
      description: 'One of our libraries: the sender owns the figure, since it ships the item.',
      kind: 'enum',
      options: own.map((l) => ({ value: l.id, label: l.name })),
      required: true,
      immutable: true,
    },
    {
      name: 'toLibraryId',
      label: 'To library',
      description: 'Any library in the network.',
      kind: 'enum',
      options: all.map((l) => ({ value: l.id, label: label(l.id) })),
      required: true,
      immutable: true,
    },
    {
      name: 'days',
      label: 'Days in transit',
      description: 'A whole number from 0 (arrives the same day) to 365.',
      kind: 'number',
      required: true,
    },
  ];
}

/** NET-6: the days an item takes between two libraries; expected arrival dates follow them. */
export function TransitTimesScreen() {
  usePageTitle('Transit times');
  const { institutionId, institutionName, can } = useStaff();
  const canEdit = can('config.institution.manage');
  const [libraries, setLibraries] = useState<NetworkLibrary[] | null>(null);
  const [times, setTimes] = useState<TransitTime[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [editing, setEditing] = useState<TransitTime | 'new' | null>(null);
  const [removing, setRemoving] = useState<TransitTime | null>(null);
  const [removeError, setRemoveError] = useState<unknown>(null);
  const [removeBusy, setRemoveBusy] = useState(false);
  const [generation, setGeneration] = useState(0);
  /** '' shows the figures from all our libraries. */
  const [fromFilter, setFromFilter] = useState('');
  const addRef = useRef<HTMLButtonElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` reloads
  useEffect(() => {
    const controller = new AbortController();
    Promise.all([listNetworkLibraries(controller.signal), listTransitTimes(institutionId, controller.signal)])
      .then(([libs, list]) => {
        setLibraries(libs);
        setTimes(list);
        setLoadError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setLoadError(errorMessage(e));
      });
    return () => controller.abort();
  }, [institutionId, generation]);

  const byId = useMemo(() => new Map((libraries ?? []).map((l) => [l.id, l])), [libraries]);
  /** Our libraries by name; another member's with its institution. */
  const label = useCallback(
    (id: string) => {
      const l = byId.get(id);
      if (!l) return id;
      return l.institutionId === institutionId ? l.name : `${l.name} (${l.institutionName})`;
    },
    [byId, institutionId],
  );
  const own = (libraries ?? []).filter((l) => l.institutionId === institutionId);
  const ordered = [...own, ...(libraries ?? []).filter((l) => l.institutionId !== institutionId)];
  const sortKey = (t: TransitTime) => `${label(t.fromLibraryId)}\u0000${label(t.toLibraryId)}`;
  const sorted = [...(times ?? [])].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  const outgoing = sorted.filter(
    (t) =>
      byId.get(t.fromLibraryId)?.institutionId === institutionId &&
      (fromFilter === '' || t.fromLibraryId === fromFilter),
  );
  const incoming = sorted.filter((t) => byId.get(t.fromLibraryId)?.institutionId !== institutionId);
  const fields = transitFields(own, ordered, label);

  function openEditor(target: TransitTime | 'new') {
    setStatus(null);
    setEditing(target);
  }

  async function confirmRemove() {
    if (!removing) return;
    setRemoveBusy(true);
    setRemoveError(null);
    try {
      await deleteTransitTime(institutionId, removing.fromLibraryId, removing.toLibraryId);
      setStatus(
        `Removed the transit time from ${label(removing.fromLibraryId)} to ${label(removing.toLibraryId)}. ` +
          'Transits between them are now expected to take 1 day, the default.',
      );
      setRemoving(null);
      setGeneration((g) => g + 1);
      requestAnimationFrame(() => addRef.current?.focus());
    } catch (e) {
      setRemoveError(e);
    } finally {
      setRemoveBusy(false);
    }
  }

  const editRecord = editing && editing !== 'new' ? editing : null;

  return (
    <Stack gap="md">
      <BackToOverview />
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Transit times</Title>
        {canEdit && libraries ? (
          <Button ref={addRef} onClick={() => openEditor('new')}>
            Add transit time
          </Button>
        ) : null}
      </Group>
      <Text>
        How many days an item takes to travel from one library to another, also to and from other members
        (NET-6). A transit's expected arrival date follows this table; between two libraries without a figure
        it is 1 day. {institutionName} sets the figures from its own libraries; other members set theirs.
      </Text>
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {loadError ? (
        <ErrorMessage title="The transit times could not be loaded">{loadError}</ErrorMessage>
      ) : null}
      {!times && !loadError ? <StatusMessage>Loading the transit times…</StatusMessage> : null}
      {times ? (
        <>
          <section aria-labelledby="transit-outgoing-heading">
            <Title order={2} id="transit-outgoing-heading" mb="xs">
              From our libraries
            </Title>
            {own.length > 1 ? (
              <NativeSelect
                label="Show transit times from"
                value={fromFilter}
                onChange={(e) => setFromFilter(e.currentTarget.value)}
                data={[
                  { value: '', label: 'All our libraries' },
                  ...own.map((l) => ({ value: l.id, label: l.name })),
                ]}
                maw={420}
                mb="sm"
              />
            ) : null}
            {outgoing.length === 0 ? (
              <Text>No transit times from our libraries yet: every transit is expected to take 1 day.</Text>
            ) : (
              <Table.ScrollContainer minWidth={640}>
                <Table
                  withTableBorder
                  striped
                  captionSide="top"
                  maw={1000}
                  data-testid="transit-times-outgoing"
                >
                  <Table.Caption>
                    {outgoing.length} transit {outgoing.length === 1 ? 'time' : 'times'} from{' '}
                    {fromFilter ? label(fromFilter) : `${institutionName}'s libraries`}
                  </Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">From library</Table.Th>
                      <Table.Th scope="col">To library</Table.Th>
                      <Table.Th scope="col">Days in transit</Table.Th>
                      {canEdit ? <Table.Th scope="col">Actions</Table.Th> : null}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {outgoing.map((t) => {
                      const pair = `from ${label(t.fromLibraryId)} to ${label(t.toLibraryId)}`;
                      return (
                        <Table.Tr key={`${t.fromLibraryId}:${t.toLibraryId}`}>
                          <Table.Td>{label(t.fromLibraryId)}</Table.Td>
                          <Table.Td>{label(t.toLibraryId)}</Table.Td>
                          <Table.Td>{days(t.days)}</Table.Td>
                          {canEdit ? (
                            <Table.Td>
                              <Group gap="xs" wrap="nowrap">
                                <Button size="xs" variant="default" onClick={() => openEditor(t)}>
                                  Edit
                                  <VisuallyHidden component="span"> transit time {pair}</VisuallyHidden>
                                </Button>
                                <Button
                                  size="xs"
                                  variant="outline"
                                  color="red.9"
                                  onClick={() => {
                                    setStatus(null);
                                    setRemoveError(null);
                                    setRemoving(t);
                                  }}
                                >
                                  Remove
                                  <VisuallyHidden component="span"> transit time {pair}</VisuallyHidden>
                                </Button>
                              </Group>
                            </Table.Td>
                          ) : null}
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </section>
          <section aria-labelledby="transit-incoming-heading">
            <Title order={2} id="transit-incoming-heading" mb="xs">
              To our libraries from other members
            </Title>
            {incoming.length === 0 ? (
              <Text>No other member has set a transit time to our libraries.</Text>
            ) : (
              <Table.ScrollContainer minWidth={640}>
                <Table
                  withTableBorder
                  striped
                  captionSide="top"
                  maw={1000}
                  data-testid="transit-times-incoming"
                >
                  <Table.Caption>
                    {incoming.length} transit {incoming.length === 1 ? 'time' : 'times'} set by other members
                    (read only here)
                  </Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">From library</Table.Th>
                      <Table.Th scope="col">To library</Table.Th>
                      <Table.Th scope="col">Days in transit</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {incoming.map((t) => (
                      <Table.Tr key={`${t.fromLibraryId}:${t.toLibraryId}`}>
                        <Table.Td>{label(t.fromLibraryId)}</Table.Td>
                        <Table.Td>{label(t.toLibraryId)}</Table.Td>
                        <Table.Td>{days(t.days)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </section>
          {!canEdit ? (
            <Text c="gray.8" size="sm">
              You can read the transit times; changing them needs the privilege to manage the institution and
              its libraries.
            </Text>
          ) : null}
        </>
      ) : null}

      <RecordFormModal
        opened={editing !== null}
        title={
          editRecord
            ? `Edit the transit time from ${label(editRecord.fromLibraryId)} to ${label(editRecord.toLibraryId)}`
            : 'Add a transit time'
        }
        onClose={() => setEditing(null)}
        fields={fields}
        record={editRecord as Record<string, unknown> | null}
        currency="EUR"
        lists={null}
        submitLabel="Save transit time"
        save={(body) =>
          putTransitTime(institutionId, { ...(editRecord ?? {}), ...body } as unknown as TransitTime)
        }
        onSaved={(result) => {
          const t = result as TransitTime;
          setEditing(null);
          setStatus(
            `Saved: an item from ${label(t.fromLibraryId)} to ${label(t.toLibraryId)} takes ${days(t.days)}. ` +
              'New transits expect their arrival by it; the change is in the audit trail.',
          );
          setGeneration((g) => g + 1);
        }}
      />
      <ConfirmDialog
        opened={removing !== null}
        onCancel={() => setRemoving(null)}
        title="Remove transit time"
        confirmLabel="Remove transit time"
        busy={removeBusy}
        onConfirm={confirmRemove}
        alert={
          removeError ? (
            <ErrorMessage title="Nothing was removed">{describeFailure(removeError)}</ErrorMessage>
          ) : null
        }
      >
        {removing
          ? `Remove the transit time from ${label(removing.fromLibraryId)} to ${label(removing.toLibraryId)} (${days(removing.days)})? Transits between them will then be expected to take 1 day.`
          : null}
      </ConfirmDialog>
    </Stack>
  );
}
