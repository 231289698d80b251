import { Box, Button, Group, Paper, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { expireHoldShelf, getExpiredHoldShelf, getHoldShelf, holdShelfSlipUrl } from '../../api/desk.ts';
import { type RequestView, type ReturnResult, returnItem } from '../../api/shared.ts';
import { isAbort, type SessionDesk } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { ScanInput } from '../../components/ScanInput.tsx';
import { WordBadge } from '../../components/WordBadge.tsx';
import { formatDate, formatDateTime } from '../../format.ts';
import { RequireDesk } from '../../staff/RequireDesk.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { SlipLink } from './deskParts.tsx';

/** CIRC-8: the desk library's hold shelf, and the expired list of items to take off it. */
export function HoldShelfPage() {
  usePageTitle('Hold shelf');
  return (
    <Stack gap="lg">
      <Title order={1}>Hold shelf</Title>
      <RequireDesk>{(desk) => <HoldShelf key={desk.id} desk={desk} />}</RequireDesk>
    </Stack>
  );
}

type Tab = 'shelf' | 'expired';

function useList(load: (signal: AbortSignal) => Promise<RequestView[]>, reload: number) {
  const [rows, setRows] = useState<RequestView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` re-runs the load on demand.
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal)
      .then((list) => {
        setRows(list);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setError(e);
      });
    return () => controller.abort();
  }, [load, reload]);
  return { rows, error };
}

function HoldShelf({ desk }: { desk: SessionDesk }) {
  const { can } = useStaff();
  const [tab, setTab] = useState<Tab>('shelf');
  const [reload, setReload] = useState(0);
  const refresh = useCallback(() => setReload((n) => n + 1), []);
  const loadShelf = useCallback(
    (signal: AbortSignal) => getHoldShelf(desk.libraryId, signal),
    [desk.libraryId],
  );
  const loadExpired = useCallback(
    (signal: AbortSignal) => getExpiredHoldShelf(desk.libraryId, signal),
    [desk.libraryId],
  );
  const shelf = useList(loadShelf, reload);
  const expired = useList(loadExpired, reload);
  const [processing, setProcessing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [lastScan, setLastScan] = useState<ReturnResult | null>(null);
  const [scanBusy, setScanBusy] = useState(false);

  // The managers' button: the nightly job does the same; this runs it now (CIRC-8).
  const mayProcess = can('circulation.override');

  async function onProcess() {
    setProcessing(true);
    setActionError(null);
    try {
      const result = await expireHoldShelf(desk.libraryId);
      setNotice(
        result.expired === 0
          ? 'No request on the hold shelf has passed its expiry: nothing to process.'
          : `${result.expired} ${result.expired === 1 ? 'request has' : 'requests have'} expired. Next step: take ${result.expired === 1 ? 'the item' : 'the items'} off the hold shelf and scan ${result.expired === 1 ? 'it' : 'them'} in (see the Expired tab).`,
      );
      if (result.expired > 0) setTab('expired');
      refresh();
    } catch (e) {
      setActionError(e);
    } finally {
      setProcessing(false);
    }
  }

  async function onScan(barcode: string) {
    setScanBusy(true);
    setActionError(null);
    try {
      setLastScan(await returnItem(desk.id, barcode));
      refresh();
    } catch (e) {
      setActionError(e);
      setLastScan(null);
    } finally {
      setScanBusy(false);
    }
  }

  const shelfCount = shelf.rows?.length;
  const expiredCount = expired.rows?.length;
  const pastExpiry = shelf.rows?.filter((r) => r.holdShelfExpired).length ?? 0;

  return (
    <>
      <Text maw={760}>
        Requests waiting for their patrons on the hold shelf of {desk.libraryName}, soonest expiry first. When
        a request expires, its item goes on the Expired list: take it off the shelf and scan it in, and it
        goes to the next request or home.
      </Text>
      {mayProcess ? (
        <Group>
          <Button onClick={onProcess} loading={processing} variant="outline">
            Process expired now
          </Button>
          <Text size="sm" c="gray.8">
            Closes the requests whose hold shelf expiry has passed (the nightly job does it too).
          </Text>
        </Group>
      ) : null}
      <Box role="status" aria-live="polite">
        {notice ? <Text fw={600}>{notice}</Text> : null}
      </Box>
      {actionError ? <ApiErrorAlert title="Not done" error={actionError} /> : null}

      <Tabs value={tab} onChange={(v) => setTab((v as Tab) ?? 'shelf')} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="shelf">On the shelf{shelfCount === undefined ? '' : ` (${shelfCount})`}</Tabs.Tab>
          <Tabs.Tab value="expired">Expired{expiredCount === undefined ? '' : ` (${expiredCount})`}</Tabs.Tab>
        </Tabs.List>

        <Tabs.Panel value="shelf" pt="md">
          {shelf.error ? (
            <ApiErrorAlert title="The hold shelf could not be loaded" error={shelf.error} />
          ) : null}
          {shelf.rows === null && !shelf.error ? (
            <StatusMessage>Loading the hold shelf…</StatusMessage>
          ) : null}
          {pastExpiry > 0 ? (
            <Text mb="sm" fw={600} c="red.9">
              {pastExpiry} {pastExpiry === 1 ? 'request has' : 'requests have'} passed{' '}
              {pastExpiry === 1 ? 'its' : 'their'} expiry and will be closed when the expired requests are
              processed.
            </Text>
          ) : null}
          {shelf.rows ? <ShelfTable rows={shelf.rows} libraryName={desk.libraryName} /> : null}
        </Tabs.Panel>

        <Tabs.Panel value="expired" pt="md">
          <Stack gap="md">
            {expired.error ? (
              <ApiErrorAlert title="The expired list could not be loaded" error={expired.error} />
            ) : null}
            {expired.rows === null && !expired.error ? (
              <StatusMessage>Loading the expired list…</StatusMessage>
            ) : null}
            {expired.rows ? <ExpiredTable rows={expired.rows} libraryName={desk.libraryName} /> : null}
            <Paper withBorder p="md" radius="md">
              <ScanInput
                label="Scan item barcode"
                actionLabel="Scan in"
                description="Scan each item you take off the shelf: it leaves this list and the screen says where it goes."
                onScan={onScan}
                busy={scanBusy}
                autoFocus={false}
              />
              <Box role="status" aria-live="polite" mt="sm">
                {lastScan ? (
                  <Stack gap={4}>
                    <Text size="sm" c="gray.8">
                      Next step for {lastScan.item.title} ({lastScan.item.barcode})
                    </Text>
                    <Title order={2} size="h4">
                      {lastScan.nextStep.text}
                    </Title>
                    {lastScan.nextStep.slipUrl ? (
                      <Group>
                        <SlipLink href={lastScan.nextStep.slipUrl} size="sm" variant="filled">
                          {lastScan.nextStep.kind === 'hold_shelf'
                            ? 'Print hold-shelf slip'
                            : 'Print transit slip'}
                        </SlipLink>
                      </Group>
                    ) : null}
                  </Stack>
                ) : null}
              </Box>
            </Paper>
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function ShelfTable({ rows, libraryName }: { rows: RequestView[]; libraryName: string }) {
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table striped withTableBorder verticalSpacing="xs" captionSide="top">
        <Table.Caption>
          <Text component="span" fw={700} c="dark.9">
            On the hold shelf at {libraryName}: {rows.length} {rows.length === 1 ? 'item' : 'items'}
          </Text>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Patron</Table.Th>
            <Table.Th scope="col">Title</Table.Th>
            <Table.Th scope="col">Barcode</Table.Th>
            <Table.Th scope="col">Requested</Table.Th>
            <Table.Th scope="col">Expires on</Table.Th>
            <Table.Th scope="col">Slip</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={6}>Nothing is waiting on the hold shelf.</Table.Td>
            </Table.Tr>
          ) : (
            rows.map((r) => (
              <Table.Tr key={r.id} data-testid="hold-shelf-row">
                <Table.Td>
                  {r.patron.name}
                  <Text size="xs" c="gray.8">
                    {r.patron.identifier}
                  </Text>
                </Table.Td>
                <Table.Td>{r.title.title}</Table.Td>
                <Table.Td>{r.item?.barcode ?? '—'}</Table.Td>
                <Table.Td>{formatDate(r.placedAt)}</Table.Td>
                <Table.Td>
                  {formatDateTime(r.holdShelfExpiresAt)}
                  {r.holdShelfExpired ? (
                    <Box mt={4}>
                      <WordBadge color="red">Expired</WordBadge>
                    </Box>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <SlipLink href={r.slipUrl ?? holdShelfSlipUrl(r.institutionId, r.id)}>
                    Print hold-shelf slip
                  </SlipLink>
                </Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ExpiredTable({ rows, libraryName }: { rows: RequestView[]; libraryName: string }) {
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table striped withTableBorder verticalSpacing="xs" captionSide="top">
        <Table.Caption>
          <Text component="span" fw={700} c="dark.9">
            To take off the hold shelf at {libraryName}: {rows.length} {rows.length === 1 ? 'item' : 'items'}
          </Text>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Title</Table.Th>
            <Table.Th scope="col">Barcode</Table.Th>
            <Table.Th scope="col">Was for</Table.Th>
            <Table.Th scope="col">Closed</Table.Th>
            <Table.Th scope="col">Next step</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={5}>Nothing to take off the hold shelf.</Table.Td>
            </Table.Tr>
          ) : (
            rows.map((r) => (
              <Table.Tr key={r.id} data-testid="expired-row">
                <Table.Td>{r.title.title}</Table.Td>
                <Table.Td>{r.item?.barcode ?? '—'}</Table.Td>
                <Table.Td>{r.patron.name}</Table.Td>
                <Table.Td>
                  <WordBadge color="gray">{r.status === 'cancelled' ? 'Cancelled' : 'Expired'}</WordBadge>{' '}
                  {formatDateTime(r.closedAt)}
                  {r.cancelReason ? (
                    <Text size="xs" c="gray.8">
                      {r.cancelReason}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  Take it off the hold shelf and scan it in below: it goes to the next request or home.
                </Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
