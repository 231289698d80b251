import { Anchor, Box, Button, Group, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { cancelTransit, getTransits, type TransitView, transitReasonLabel } from '../../api/desk.ts';
import { isAbort, type SessionDesk } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { WordBadge } from '../../components/WordBadge.tsx';
import { formatDateTime } from '../../format.ts';
import { RequireDesk } from '../../staff/RequireDesk.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { ConfirmWithNote, SlipLink } from './deskParts.tsx';

type Direction = 'to' | 'from';

/** CIRC-9: open transits to and from the desk's library, late ones marked in words. */
export function TransitsPage() {
  usePageTitle('Transits');
  return (
    <Stack gap="lg">
      <Title order={1}>Transits</Title>
      <RequireDesk>{(desk) => <Transits key={desk.id} desk={desk} />}</RequireDesk>
    </Stack>
  );
}

function Transits({ desk }: { desk: SessionDesk }) {
  const [direction, setDirection] = useState<Direction>('to');
  const [rows, setRows] = useState<TransitView[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  const [cancelling, setCancelling] = useState<TransitView | null>(null);
  const [cancelBusy, setCancelBusy] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` re-runs the load on demand.
  useEffect(() => {
    const controller = new AbortController();
    setRows(null);
    getTransits(desk.libraryId, direction, controller.signal)
      .then((list) => {
        setRows(list);
        setLoadError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setLoadError(e);
      });
    return () => controller.abort();
  }, [desk.libraryId, direction, reload]);

  const refresh = useCallback(() => setReload((n) => n + 1), []);

  async function onCancel(reason: string) {
    if (!cancelling) return;
    setCancelBusy(true);
    setCancelError(null);
    try {
      await cancelTransit(cancelling.institutionId, cancelling.id, reason);
      setNotice(
        `Transit cancelled: ${cancelling.item.title} (${cancelling.item.barcode}). Next step: the item is put in place where it is; scan it in at the library that has it and the screen says where it goes.${cancelling.reason === 'request' ? ' Its request waits for this copy again.' : ''}`,
      );
      setCancelling(null);
      refresh();
    } catch (e) {
      setCancelError(e);
    } finally {
      setCancelBusy(false);
    }
  }

  const late = rows?.filter((r) => r.late).length ?? 0;

  return (
    <>
      <Text maw={760}>
        Items travelling between libraries. To this library: what should arrive here; when it does,{' '}
        <Anchor component={Link} to="/staff/scan-in">
          scan it in
        </Anchor>
        . From this library: what was sent from here. A transit past its expected arrival is marked late.
      </Text>
      <Box role="status" aria-live="polite">
        {notice ? <Text fw={600}>{notice}</Text> : null}
      </Box>

      <Tabs
        value={direction}
        onChange={(v) => {
          setDirection((v as Direction) ?? 'to');
          setNotice(null);
        }}
      >
        <Tabs.List>
          <Tabs.Tab value="to">To this library</Tabs.Tab>
          <Tabs.Tab value="from">From this library</Tabs.Tab>
        </Tabs.List>
        {(['to', 'from'] as const).map((d) => (
          <Tabs.Panel key={d} value={d} pt="md">
            {d !== direction ? null : (
              <Stack gap="sm">
                {loadError ? (
                  <ApiErrorAlert title="The transits could not be loaded" error={loadError} />
                ) : null}
                {rows === null && !loadError ? <StatusMessage>Loading the transits…</StatusMessage> : null}
                {late > 0 ? (
                  <Text fw={600} c="red.9">
                    {late} {late === 1 ? 'transit is' : 'transits are'} late.
                  </Text>
                ) : null}
                {rows ? (
                  <TransitTable
                    rows={rows}
                    direction={d}
                    libraryName={desk.libraryName}
                    onCancel={(t) => {
                      setCancelError(null);
                      setCancelling(t);
                    }}
                  />
                ) : null}
                <Group>
                  <Button variant="default" size="sm" onClick={refresh}>
                    Refresh list
                  </Button>
                </Group>
              </Stack>
            )}
          </Tabs.Panel>
        ))}
      </Tabs>

      <ConfirmWithNote
        opened={cancelling !== null}
        title="Cancel this transit?"
        confirmLabel="Cancel transit"
        noteLabel="Reason"
        noteDescription="Why the transit is cancelled (kept in the item history)."
        noteRequired
        busy={cancelBusy}
        error={cancelError}
        onConfirm={onCancel}
        onClose={() => setCancelling(null)}
      >
        {cancelling
          ? `${cancelling.item.title} (${cancelling.item.barcode}) from ${cancelling.from.name} to ${cancelling.to.name}: the item will be put in place where it is, and decided afresh at its next scan.`
          : ''}
      </ConfirmWithNote>
    </>
  );
}

function TransitTable({
  rows,
  direction,
  libraryName,
  onCancel,
}: {
  rows: TransitView[];
  direction: Direction;
  libraryName: string;
  onCancel: (t: TransitView) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped withTableBorder verticalSpacing="xs" captionSide="top">
        <Table.Caption>
          <Text component="span" fw={700} c="dark.9">
            {direction === 'to' ? `In transit to ${libraryName}` : `In transit from ${libraryName}`}:{' '}
            {rows.length} {rows.length === 1 ? 'item' : 'items'}
          </Text>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Item</Table.Th>
            <Table.Th scope="col">{direction === 'to' ? 'From' : 'To'}</Table.Th>
            <Table.Th scope="col">Reason</Table.Th>
            <Table.Th scope="col">Sent</Table.Th>
            <Table.Th scope="col">Expected arrival</Table.Th>
            <Table.Th scope="col">Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={6}>
                {direction === 'to' ? 'Nothing is on its way here.' : 'Nothing sent from here is on its way.'}
              </Table.Td>
            </Table.Tr>
          ) : (
            rows.map((t) => (
              <Table.Tr key={t.id} data-testid="transit-row">
                <Table.Td>
                  {t.item.title}
                  <Text size="xs" c="gray.8">
                    {t.item.barcode}
                  </Text>
                </Table.Td>
                <Table.Td>{direction === 'to' ? t.from.name : t.to.name}</Table.Td>
                <Table.Td>{transitReasonLabel(t.reason)}</Table.Td>
                <Table.Td>{formatDateTime(t.sentAt)}</Table.Td>
                <Table.Td>
                  {formatDateTime(t.expectedArrivalAt)}
                  {t.late ? (
                    <Group gap={6} mt={4}>
                      <WordBadge color="red">Late</WordBadge>
                      <Text size="xs" fw={600} c="red.9">
                        Past its expected arrival
                      </Text>
                    </Group>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <SlipLink href={t.slipUrl}>Print slip</SlipLink>
                    <Button size="xs" variant="outline" color="red.9" onClick={() => onCancel(t)}>
                      Cancel transit
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
