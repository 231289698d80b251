import { Box, Button, Group, List, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { type ReturnResult, returnItem } from '../../api/shared.ts';
import type { SessionDesk } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { ScanInput, type ScanInputHandle } from '../../components/ScanInput.tsx';
import { WordBadge } from '../../components/WordBadge.tsx';
import { describeReturnFine, formatDate, formatDateTime, formatMoney } from '../../format.ts';
import { RequireDesk } from '../../staff/RequireDesk.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { SlipLink } from './deskParts.tsx';

type Mode = 'returns' | 'scan-in';

const TEXTS: Record<Mode, { title: string; intro: string; action: string; scanDescription: string }> = {
  returns: {
    title: 'Manage item returns',
    intro:
      'Scan each item a patron brings back. The loan is closed, any overdue fine is set, and the screen says where the item goes next: the hold shelf, a transit, or back on the shelf.',
    action: 'Return',
    scanDescription: 'Items coming back from patrons: the loan is closed.',
  },
  'scan-in': {
    title: 'Scan in items',
    intro:
      'Scan items arriving at this library: from a transit, from the book drop or found on a cart. A transit is received, and the screen says where the item goes next: the hold shelf, on to another library, or back on the shelf.',
    action: 'Scan in',
    scanDescription: 'Items arriving here: a transit is received; a loan, if any, is closed too.',
  },
};

/** One scan at this desk, kept for the session list. */
interface ScanEntry {
  key: string;
  at: string;
  barcode: string;
  result: ReturnResult | null;
  /** The refusal's message when the scan failed. */
  failed: string | null;
}

/** CIRC-6: Manage item returns (mode "returns") and Scan in items (mode "scan-in"): one API, two desk tasks. */
export function ReturnsPage({ mode }: { mode: Mode }) {
  usePageTitle(TEXTS[mode].title);
  return (
    <Stack gap="lg">
      <Title order={1}>{TEXTS[mode].title}</Title>
      <RequireDesk>
        {(desk) => <ReturnsDesk key={`${mode}-${desk.id}`} mode={mode} desk={desk} />}
      </RequireDesk>
    </Stack>
  );
}

function storageKey(mode: Mode, deskId: string) {
  return `shelfshare.desk.${mode}.${deskId}`;
}

function loadSession(mode: Mode, deskId: string): ScanEntry[] {
  try {
    const raw = window.sessionStorage.getItem(storageKey(mode, deskId));
    return raw ? (JSON.parse(raw) as ScanEntry[]) : [];
  } catch {
    return [];
  }
}

function ReturnsDesk({ mode, desk }: { mode: Mode; desk: SessionDesk }) {
  const texts = TEXTS[mode];
  const [scans, setScans] = useState<ScanEntry[]>(() => loadSession(mode, desk.id));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ barcode: string; error: unknown } | null>(null);
  const scanRef = useRef<ScanInputHandle>(null);
  const counter = useRef(0);

  useEffect(() => {
    try {
      // The session list survives moving between desk screens (cleared when the tab closes).
      window.sessionStorage.setItem(storageKey(mode, desk.id), JSON.stringify(scans.slice(0, 200)));
    } catch {
      // Storage full or blocked: the list lives in memory only.
    }
  }, [scans, mode, desk.id]);

  const onScan = useCallback(
    async (barcode: string) => {
      setBusy(true);
      setError(null);
      counter.current += 1;
      const key = `${Date.now()}-${counter.current}`;
      try {
        const result = await returnItem(desk.id, barcode);
        setScans((s) => [{ key, at: new Date().toISOString(), barcode, result, failed: null }, ...s]);
      } catch (e) {
        setError({ barcode, error: e });
        setScans((s) => [
          {
            key,
            at: new Date().toISOString(),
            barcode,
            result: null,
            failed: e instanceof Error ? e.message : 'Not done',
          },
          ...s,
        ]);
      } finally {
        setBusy(false);
      }
    },
    [desk.id],
  );

  const latest = scans[0];

  return (
    <>
      <Text maw={760}>{texts.intro}</Text>
      <Paper withBorder p="md" radius="md">
        <ScanInput
          ref={scanRef}
          label="Scan item barcode"
          actionLabel={texts.action}
          description={`${texts.scanDescription} At ${desk.libraryName}.`}
          onScan={onScan}
          busy={busy}
        />
      </Paper>

      <Box aria-live="polite" role="status" data-testid="last-scan">
        {error ? null : latest?.result ? (
          <NextStepCard mode={mode} entry={latest} result={latest.result} />
        ) : null}
      </Box>
      {error ? (
        <ApiErrorAlert
          title={`Not ${mode === 'returns' ? 'returned' : 'scanned in'}: ${error.barcode}`}
          error={error.error}
        />
      ) : null}

      <SessionList
        mode={mode}
        scans={scans}
        onClear={() => {
          setScans([]);
          setError(null);
          scanRef.current?.focus();
        }}
      />
    </>
  );
}

function slipLabel(result: ReturnResult): string {
  return result.nextStep.kind === 'hold_shelf' ? 'Print hold-shelf slip' : 'Print transit slip';
}

/** What the scan did, in words (loan closed, transit received, kept travelling...). */
function whatHappened(mode: Mode, result: ReturnResult): string[] {
  const lines: string[] = [];
  const { loan, nextStep } = result;
  if (loan) {
    lines.push(
      `Loan closed: it was lent to ${loan.patron.name} on ${formatDate(loan.loanedAt)}, due ${formatDateTime(loan.dueAt)}.`,
    );
  } else if (mode === 'returns') {
    lines.push('It was not on loan: it is scanned in, no loan to close.');
  } else {
    lines.push('Scanned in (it was not on loan).');
  }
  if (nextStep.receivedTransitId) lines.push('The transit that brought it is received here.');
  if (nextStep.keptDestination)
    lines.push('It is still in transit for its request: keep it travelling to its pickup library.');
  if (nextStep.kind === 'hold_shelf' && nextStep.holdShelfExpiresAt)
    lines.push(`On the hold shelf until ${formatDateTime(nextStep.holdShelfExpiresAt)}; the patron is told.`);
  if (nextStep.kind === 'transit' && nextStep.reason === 'request' && !nextStep.keptDestination)
    lines.push('It fills a request waiting at another library.');
  if (nextStep.kind === 'transit' && nextStep.reason === 'home_library')
    lines.push('Nobody is waiting for it: it goes back to its home library.');
  if (nextStep.kind === 'reshelve') lines.push('Nobody is waiting for it: put it back in its place.');
  return lines;
}

function NextStepCard({ mode, entry, result }: { mode: Mode; entry: ScanEntry; result: ReturnResult }) {
  const fine = describeReturnFine(result.fine);
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      data-testid="next-step"
      style={{ borderLeft: '6px solid var(--mantine-color-blue-8)' }}
    >
      <Stack gap="xs">
        <Text size="sm" c="gray.8">
          Next step for {result.item.title} ({result.item.barcode}), scanned {formatDateTime(entry.at)}
        </Text>
        <Title order={2} size="h3">
          {result.nextStep.text}
        </Title>
        <List size="sm" spacing={2}>
          {whatHappened(mode, result).map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
        {fine ? (
          <Group gap="xs">
            <WordBadge color="red">Late return</WordBadge>
            <Text size="sm" fw={600} data-testid="fine">
              {fine}
            </Text>
          </Group>
        ) : null}
        {result.nextStep.slipUrl ? (
          <Group>
            <SlipLink href={result.nextStep.slipUrl} size="sm" variant="filled">
              {slipLabel(result)}
            </SlipLink>
          </Group>
        ) : (
          <Text size="sm" c="gray.8">
            No slip to print.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function SessionList({ mode, scans, onClear }: { mode: Mode; scans: ScanEntry[]; onClear: () => void }) {
  return (
    <Box component="section" aria-labelledby="session-scans-heading">
      <Group justify="space-between" align="baseline">
        <Title order={2} size="h4" id="session-scans-heading">
          Scanned at this desk this session ({scans.length})
        </Title>
        {scans.length > 0 ? (
          <Button variant="subtle" size="xs" onClick={onClear}>
            Clear the list
          </Button>
        ) : null}
      </Group>
      {scans.length === 0 ? (
        <Text c="gray.8">Nothing scanned yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table striped withTableBorder verticalSpacing="xs" aria-labelledby="session-scans-heading">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Time</Table.Th>
                <Table.Th scope="col">Item</Table.Th>
                <Table.Th scope="col">{mode === 'returns' ? 'Loan' : 'Arrived as'}</Table.Th>
                <Table.Th scope="col">Next step</Table.Th>
                <Table.Th scope="col">Fine</Table.Th>
                <Table.Th scope="col">Slip</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {scans.map((s) => (
                <Table.Tr key={s.key}>
                  <Table.Td>{formatDateTime(s.at)}</Table.Td>
                  <Table.Td>
                    {s.result ? (
                      <>
                        {s.result.item.title}
                        <Text size="xs" c="gray.8">
                          {s.result.item.barcode}
                        </Text>
                      </>
                    ) : (
                      s.barcode
                    )}
                  </Table.Td>
                  <Table.Td>
                    {s.result
                      ? s.result.loan
                        ? `Loan closed (${s.result.loan.patron.name})`
                        : s.result.nextStep.receivedTransitId
                          ? 'Transit received'
                          : 'Not on loan'
                      : '—'}
                  </Table.Td>
                  <Table.Td>
                    {s.result ? (
                      s.result.nextStep.text
                    ) : (
                      <Group gap="xs">
                        <WordBadge color="red">Not done</WordBadge>
                        <Text size="sm">{s.failed}</Text>
                      </Group>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {s.result?.fine && s.result.fine.amountMinor > 0
                      ? formatMoney(s.result.fine.amountMinor, s.result.fine.currency)
                      : '—'}
                  </Table.Td>
                  <Table.Td>
                    {s.result?.nextStep.slipUrl ? (
                      <SlipLink
                        href={s.result.nextStep.slipUrl}
                        aria-label={`${slipLabel(s.result)} for ${s.result.item.barcode}`}
                      >
                        {slipLabel(s.result)}
                      </SlipLink>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Box>
  );
}
