import { Box, Button, Group, List, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { getPickList, markMissing, markPicked, pickSlipsUrl } from '../../api/desk.ts';
import { type RequestView, type ReturnResult, returnItem } from '../../api/shared.ts';
import { isAbort, type SessionDesk } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { formatDate } from '../../format.ts';
import { RequireDesk } from '../../staff/RequireDesk.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { ConfirmWithNote, SlipLink } from './deskParts.tsx';

/** CIRC-7: the pick-from-shelf task list of the desk's library, in shelf (call number) order. */
export function PickListPage() {
  usePageTitle('Pick from shelf');
  return (
    <Stack gap="lg">
      <Title order={1}>Pick from shelf</Title>
      <RequireDesk>{(desk) => <PickList key={desk.id} desk={desk} />}</RequireDesk>
    </Stack>
  );
}

type Outcome =
  | { kind: 'picked'; request: RequestView; barcode: string; title: string }
  | { kind: 'scanned'; result: ReturnResult }
  | {
      kind: 'missing';
      condition: 'missing' | 'damaged';
      barcode: string;
      title: string;
      retargeted: boolean;
    };

function PickList({ desk }: { desk: SessionDesk }) {
  const [rows, setRows] = useState<RequestView[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  // Each row (and the scan) is busy on its own: one row's answer must not re-enable another's button.
  const [busyIds, setBusyIds] = useState<ReadonlySet<string>>(new Set());
  const startBusy = (id: string) => setBusyIds((prev) => new Set(prev).add(id));
  const endBusy = (id: string) =>
    setBusyIds((prev) => {
      const next = new Set(prev);
      next.delete(id);
      return next;
    });
  const [actionError, setActionError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [confirm, setConfirm] = useState<{ row: RequestView; condition: 'missing' | 'damaged' } | null>(null);
  const [confirmError, setConfirmError] = useState<unknown>(null);
  const noticeRef = useRef<HTMLDivElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` re-runs the load on demand.
  useEffect(() => {
    const controller = new AbortController();
    getPickList(desk.libraryId, controller.signal)
      .then((list) => {
        setRows(list);
        setLoadError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setLoadError(e);
      });
    return () => controller.abort();
  }, [desk.libraryId, reload]);

  const refresh = useCallback(() => setReload((n) => n + 1), []);
  const outcomeCount = useRef(0);
  const [outcomeKey, setOutcomeKey] = useState(0);
  const showOutcome = useCallback((next: Outcome) => {
    setOutcome(next);
    outcomeCount.current += 1;
    setOutcomeKey(outcomeCount.current);
    // The next step is where the operator's attention goes: after "Mark picked" the card's
    // "Scan in now" button takes focus itself; otherwise the card does.
    if (next.kind !== 'picked') requestAnimationFrame(() => noticeRef.current?.focus());
  }, []);

  async function onPicked(row: RequestView) {
    startBusy(row.id);
    setActionError(null);
    try {
      const request = await markPicked(row.institutionId, row.id);
      showOutcome({
        kind: 'picked',
        request,
        barcode: row.item?.barcode ?? '',
        title: row.title.title,
      });
      refresh();
    } catch (e) {
      setActionError(e);
    } finally {
      endBusy(row.id);
    }
  }

  async function onScanIn(barcode: string) {
    startBusy('scan');
    setActionError(null);
    try {
      showOutcome({ kind: 'scanned', result: await returnItem(desk.id, barcode) });
    } catch (e) {
      setActionError(e);
    } finally {
      endBusy('scan');
    }
  }

  async function onConfirmMissing(note: string) {
    if (!confirm) return;
    const { row, condition } = confirm;
    startBusy(row.id);
    setConfirmError(null);
    try {
      const result = await markMissing(row.institutionId, row.id, condition, note || undefined);
      setConfirm(null);
      showOutcome({
        kind: 'missing',
        condition,
        barcode: row.item?.barcode ?? '',
        title: row.title.title,
        retargeted: result.retargetedItemId !== null,
      });
      refresh();
    } catch (e) {
      setConfirmError(e);
    } finally {
      endBusy(row.id);
    }
  }

  return (
    <>
      <Text maw={760}>
        Requests waiting for a copy on the shelves of {desk.libraryName}, in shelf order. Take each copy from
        the shelf and mark it picked, then scan it in: it goes on the hold shelf here or in transit to the
        pickup library. If the copy is not there or is damaged, say so: the request moves to another copy.
      </Text>
      <Group gap="sm">
        {rows && rows.length > 0 ? (
          <SlipLink href={pickSlipsUrl(desk.libraryId)} size="sm" variant="filled">
            Print pick slips
          </SlipLink>
        ) : null}
        <Button variant="default" size="sm" onClick={refresh}>
          Refresh list
        </Button>
      </Group>

      <Box ref={noticeRef} tabIndex={-1} role="status" aria-live="polite" data-testid="pick-outcome">
        {outcome ? (
          <OutcomeCard
            key={outcomeKey}
            outcome={outcome}
            desk={desk}
            busy={busyIds.has('scan')}
            onScanIn={onScanIn}
          />
        ) : null}
      </Box>
      {actionError ? <ApiErrorAlert title="Not done" error={actionError} /> : null}

      {loadError ? <ApiErrorAlert title="The pick list could not be loaded" error={loadError} /> : null}
      {rows === null && !loadError ? <StatusMessage>Loading the pick list…</StatusMessage> : null}
      {rows !== null ? (
        <Table.ScrollContainer minWidth={900}>
          <Table striped withTableBorder verticalSpacing="xs" captionSide="top">
            <Table.Caption>
              <Text component="span" fw={700} c="dark.9">
                To pick at {desk.libraryName}: {rows.length} {rows.length === 1 ? 'request' : 'requests'}
              </Text>
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Call number</Table.Th>
                <Table.Th scope="col">Title</Table.Th>
                <Table.Th scope="col">Location</Table.Th>
                <Table.Th scope="col">Barcode</Table.Th>
                <Table.Th scope="col">Pickup library</Table.Th>
                <Table.Th scope="col">Requested</Table.Th>
                <Table.Th scope="col">Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    Nothing to pick: no request waits for a copy on these shelves.
                  </Table.Td>
                </Table.Tr>
              ) : (
                rows.map((row) => (
                  <Table.Tr key={row.id} data-testid="pick-row">
                    <Table.Td>{row.item?.callNumber || '—'}</Table.Td>
                    <Table.Td>
                      {row.title.title}
                      {row.volume ? ` (${row.volume})` : ''}
                      <Text size="xs" c="gray.8">
                        For {row.patron.name} · {row.requestType === 'page' ? 'page' : 'hold'}
                      </Text>
                    </Table.Td>
                    <Table.Td>{row.item?.location ?? '—'}</Table.Td>
                    <Table.Td>{row.item?.barcode ?? '—'}</Table.Td>
                    <Table.Td>
                      {row.pickupLibrary.name}
                      {row.pickupLibrary.id === desk.libraryId ? (
                        <Text size="xs" c="gray.8">
                          this library
                        </Text>
                      ) : row.pickupLibrary.institutionId !== desk.institutionId ? (
                        <Text size="xs" c="gray.8">
                          another member
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{formatDate(row.placedAt)}</Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <SlipLink href={pickSlipsUrl(desk.libraryId, row.id)}>Print slip</SlipLink>
                        <Button size="xs" loading={busyIds.has(row.id)} onClick={() => onPicked(row)}>
                          Mark picked
                        </Button>
                        <Button
                          size="xs"
                          variant="outline"
                          color="red.9"
                          onClick={() => {
                            setConfirmError(null);
                            setConfirm({ row, condition: 'missing' });
                          }}
                        >
                          Missing
                        </Button>
                        <Button
                          size="xs"
                          variant="outline"
                          color="red.9"
                          onClick={() => {
                            setConfirmError(null);
                            setConfirm({ row, condition: 'damaged' });
                          }}
                        >
                          Damaged
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}

      <ConfirmWithNote
        opened={confirm !== null}
        title={confirm?.condition === 'damaged' ? 'Mark the copy damaged?' : 'Mark the copy missing?'}
        confirmLabel={confirm?.condition === 'damaged' ? 'Mark damaged' : 'Mark missing'}
        noteLabel="Note"
        noteDescription="Optional: where you looked, what is damaged."
        busy={confirm !== null && busyIds.has(confirm.row.id)}
        error={confirmError}
        onConfirm={onConfirmMissing}
        onClose={() => setConfirm(null)}
      >
        {confirm
          ? `${confirm.row.title.title} (${confirm.row.item?.barcode ?? 'no barcode'}) will be marked ${confirm.condition === 'damaged' ? 'damaged (in for repair)' : 'missing'}, and the request for ${confirm.row.patron.name} moves to another copy if there is one.`
          : ''}
      </ConfirmWithNote>
    </>
  );
}

function OutcomeCard({
  outcome,
  desk,
  busy,
  onScanIn,
}: {
  outcome: Outcome;
  desk: SessionDesk;
  busy: boolean;
  onScanIn: (barcode: string) => void;
}) {
  let heading: string;
  let lines: string[] = [];
  let action: ReactNode = null;
  if (outcome.kind === 'picked') {
    const { request } = outcome;
    const here = request.pickupLibrary.id === desk.libraryId;
    heading = here
      ? `Scan it in to place it on the hold shelf for ${request.patron.name}`
      : `Scan it in to put it in transit to ${request.pickupLibrary.name}`;
    lines = [
      `Picked: ${outcome.title} (${outcome.barcode}).`,
      here
        ? 'The pickup library is this library: scanning it in puts it on the hold shelf and tells the patron.'
        : `The pickup library is ${request.pickupLibrary.name}: scanning it in opens the transit and gives the transit slip.`,
    ];
    action = (
      <Group>
        <Button size="sm" loading={busy} onClick={() => onScanIn(outcome.barcode)} autoFocus>
          Scan in now
        </Button>
      </Group>
    );
  } else if (outcome.kind === 'scanned') {
    const { result } = outcome;
    heading = result.nextStep.text;
    lines = [`Scanned in: ${result.item.title} (${result.item.barcode}).`];
    if (result.nextStep.slipUrl)
      action = (
        <Group>
          <SlipLink href={result.nextStep.slipUrl} size="sm" variant="filled">
            {result.nextStep.kind === 'hold_shelf' ? 'Print hold-shelf slip' : 'Print transit slip'}
          </SlipLink>
        </Group>
      );
  } else {
    heading = outcome.retargeted
      ? 'The request now waits for another copy'
      : 'No other copy is on a shelf: the request waits in its queue';
    lines = [
      `Marked ${outcome.condition}: ${outcome.title} (${outcome.barcode}).`,
      outcome.retargeted
        ? "It appears on the pick list of that copy's library."
        : 'The patron is told; the request is filled when a copy comes back.',
      outcome.condition === 'damaged'
        ? 'Send the damaged copy for repair.'
        : 'Leave a note if the copy turns up.',
    ];
  }
  return (
    <Paper withBorder p="md" radius="md" style={{ borderLeft: '6px solid var(--mantine-color-blue-8)' }}>
      <Stack gap="xs">
        <Text size="sm" c="gray.8">
          Next step
        </Text>
        <Title order={2} size="h3">
          {heading}
        </Title>
        <List size="sm" spacing={2}>
          {lines.map((l) => (
            <List.Item key={l}>{l}</List.Item>
          ))}
        </List>
        {action}
      </Stack>
    </Paper>
  );
}
