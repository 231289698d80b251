import {
  Anchor,
  Box,
  Button,
  Checkbox,
  Group,
  List,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import {
  emailLoanReceipt,
  lendItem,
  listPatronLoans,
  type OverrideInput,
  renewLoan,
} from '../../api/circulation.ts';
import type { Loan, Patron } from '../../api/shared.ts';
import { errorMessage, type SessionDesk } from '../../api.ts';
import { ApiErrorAlert, refusalReasons } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { ScanInput, type ScanInputHandle } from '../../components/ScanInput.tsx';
import { WordBadge } from '../../components/WordBadge.tsx';
import { formatDateTime } from '../../format.ts';
import { useStaff } from '../../staff/StaffContext.tsx';
import { LendRefusal } from './LendRefusal.tsx';
import { OverrideActions } from './OverrideActions.tsx';
import { useLoaded } from './parts.tsx';

/** A renewal's result; a renewed loan as the API answered it (newer than the list until it reloads). */
type RenewOutcome = { ok: true; loan: Loan; overridden?: boolean } | { ok: false; error: unknown };

interface LoansTabProps {
  patron: Patron;
  desk: SessionDesk;
  refresh: number;
  onChanged: () => void;
  /** The loans lent to this patron since they were opened here (kept over tab changes). */
  sessionLoans: Loan[];
  onLent: (loan: Loan) => void;
  /** Put the focus in the scan bar once (after the patron was identified). */
  focusScan: boolean;
  onScanFocused: () => void;
}

/** Lend by scanning, the loans lent this session, and the patron's current loans with renewals. */
export function LoansTab(props: LoansTabProps) {
  const { patron, desk, refresh, onChanged, sessionLoans, onLent, focusScan, onScanFocused } = props;
  const { can } = useStaff();
  const scanRef = useRef<ScanInputHandle>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [refusal, setRefusal] = useState<{ barcode: string; error: unknown; key: number } | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [renewals, setRenewals] = useState<Record<string, RenewOutcome>>({});
  const [receiptError, setReceiptError] = useState<unknown>(null);
  const loans = useLoaded(
    (signal) => listPatronLoans(patron.institutionId, patron.id, signal),
    [patron.id, refresh],
  );

  useEffect(() => {
    if (focusScan) {
      scanRef.current?.focus();
      onScanFocused();
    }
  }, [focusScan, onScanFocused]);

  async function lend(barcode: string, override?: OverrideInput) {
    setBusy(true);
    setStatus('');
    try {
      const result = await lendItem({ deskId: desk.id, itemBarcode: barcode, patronId: patron.id, override });
      setRefusal(null);
      onLent(result.loan);
      const overridden = result.overridden.length > 0 ? ' The override is recorded in the item history.' : '';
      setStatus(
        `Lent “${result.loan.item.title}” (${barcode}), due ${formatDateTime(result.loan.dueAt)}.${overridden} Scan the next item.`,
      );
      onChanged();
    } catch (error) {
      if (override) throw error;
      setRefusal({ barcode, error, key: Date.now() });
    } finally {
      setBusy(false);
    }
  }

  async function overrideLend(override: OverrideInput) {
    if (!refusal) return;
    await lend(refusal.barcode, override);
    scanRef.current?.focus();
  }

  async function renew(targets: Loan[]) {
    if (targets.length === 0) return;
    setBusy(true);
    setStatus(`Renewing ${targets.length} ${targets.length === 1 ? 'loan' : 'loans'}…`);
    const outcomes: Record<string, RenewOutcome> = {};
    for (const loan of targets) {
      try {
        const result = await renewLoan(loan.institutionId, loan.id);
        outcomes[loan.id] = { ok: true, loan: result.loan };
      } catch (error) {
        outcomes[loan.id] = { ok: false, error };
      }
    }
    const renewed = Object.values(outcomes).filter((o) => o.ok).length;
    const refused = targets.length - renewed;
    setRenewals(outcomes);
    setSelected(new Set());
    setStatus(
      `Renewed ${renewed} of ${targets.length} ${targets.length === 1 ? 'loan' : 'loans'}.` +
        (refused > 0 ? ` ${refused} not renewed: the reasons are in the loans table.` : ''),
    );
    setBusy(false);
    onChanged();
  }

  /**
   * CIRC-5: renews one refused loan again with an override of all its (overridable) reasons;
   * rejects with the API error, which OverrideActions shows, when the override is refused.
   */
  async function overrideRenewal(loan: Loan, override: OverrideInput) {
    setBusy(true);
    setStatus('');
    try {
      const result = await renewLoan(loan.institutionId, loan.id, override);
      setRenewals((prev) => ({
        ...prev,
        [loan.id]: { ok: true, loan: result.loan, overridden: true },
      }));
      setStatus(
        `Renewed “${loan.item.title}” (${loan.item.barcode}) by override: now due ${formatDateTime(result.loan.dueAt)}. ` +
          "The override is recorded in the item's history. Scan the next item to lend.",
      );
      onChanged();
      scanRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  async function emailReceipt(loanIds: string[]) {
    setReceiptError(null);
    setBusy(true);
    try {
      const result = await emailLoanReceipt(patron.institutionId, patron.id, loanIds);
      setStatus(
        `A receipt for ${loanIds.length} ${loanIds.length === 1 ? 'loan' : 'loans'} will be emailed to ${result.to}. It is listed in the Letters tab.`,
      );
      onChanged();
    } catch (error) {
      setReceiptError(error);
    } finally {
      setBusy(false);
    }
  }

  const current = loans.state === 'done' ? loans.data : [];
  const currentIds = new Set(current.map((l) => l.id));
  const sessionStillOut = sessionLoans.filter((l) => currentIds.has(l.id));
  const allSelected = current.length > 0 && current.every((l) => selected.has(l.id));

  function toggle(loanId: string, on: boolean) {
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(loanId);
      else next.delete(loanId);
      return next;
    });
  }

  return (
    <Stack gap="lg">
      <Box>
        <ScanInput
          ref={scanRef}
          label="Scan item barcode"
          actionLabel="Lend"
          description={`Lends to ${patron.firstName || patron.lastName} at ${desk.name}`}
          onScan={(barcode) => lend(barcode)}
          busy={busy}
          autoFocus={false}
        />
        <Text role="status" mt="xs" c="gray.9" data-testid="loans-status">
          {status}
        </Text>
        {refusal ? (
          <Box mt="xs">
            <LendRefusal
              key={refusal.key}
              barcode={refusal.barcode}
              error={refusal.error}
              canOverride={can('circulation.override')}
              busy={busy}
              onOverride={overrideLend}
            />
          </Box>
        ) : null}
      </Box>

      <Box component="section" aria-labelledby="session-loans-heading">
        <Group justify="space-between" align="center">
          <Title order={3} id="session-loans-heading">
            Loaned this session
          </Title>
          {sessionStillOut.length > 0 ? (
            <Button
              variant="default"
              onClick={() => emailReceipt(sessionStillOut.map((l) => l.id))}
              disabled={busy}
            >
              Email receipt
            </Button>
          ) : null}
        </Group>
        {sessionLoans.length === 0 ? (
          <Text c="gray.8">Nothing lent yet. Scan an item to lend it.</Text>
        ) : (
          <List data-testid="session-loans" spacing={4}>
            {sessionLoans.map((l) => (
              <List.Item key={l.id}>
                {l.item.title} ({l.item.barcode}), due {formatDateTime(l.dueAt)}{' '}
                <Anchor href={l.receiptUrl} target="_blank" rel="noopener" size="sm" c="blue.9">
                  Print receipt
                  <VisuallyHidden component="span"> for {l.item.barcode} (opens in a new tab)</VisuallyHidden>
                </Anchor>
              </List.Item>
            ))}
          </List>
        )}
        {receiptError ? (
          <ApiErrorAlert title="The receipt could not be emailed" error={receiptError} />
        ) : null}
      </Box>

      <Box component="section" aria-labelledby="current-loans-heading">
        <Group justify="space-between" align="center" mb="xs" wrap="wrap">
          <Title order={3} id="current-loans-heading">
            Current loans
          </Title>
          <Group gap="xs">
            <Button
              onClick={() => renew(current.filter((l) => selected.has(l.id)))}
              disabled={busy || selected.size === 0}
            >
              Renew selected
            </Button>
            <Button variant="default" onClick={() => renew(current)} disabled={busy || current.length === 0}>
              Renew all
            </Button>
            <Button
              variant="default"
              onClick={() => emailReceipt(current.filter((l) => selected.has(l.id)).map((l) => l.id))}
              disabled={busy || selected.size === 0}
            >
              Email receipt for selected
            </Button>
          </Group>
        </Group>
        {loans.state === 'loading' ? <StatusMessage>Loading loans…</StatusMessage> : null}
        {loans.state === 'error' ? (
          <ApiErrorAlert title="Loans could not be loaded" error={loans.error} />
        ) : null}
        {loans.state === 'done' && current.length === 0 ? <Text c="gray.8">No current loans.</Text> : null}
        {current.length > 0 ? (
          <Table.ScrollContainer minWidth={760}>
            <Table captionSide="top" striped withTableBorder data-testid="current-loans">
              <Table.Caption>
                {current.length} current {current.length === 1 ? 'loan' : 'loans'}
                {current.some((l) => l.overdue) ? `, ${current.filter((l) => l.overdue).length} overdue` : ''}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>
                    <Checkbox
                      aria-label="Select all loans"
                      checked={allSelected}
                      indeterminate={!allSelected && selected.size > 0}
                      onChange={(e) => setSelected(e.currentTarget.checked ? new Set(currentIds) : new Set())}
                    />
                  </Table.Th>
                  <Table.Th>Title</Table.Th>
                  <Table.Th>Barcode</Table.Th>
                  <Table.Th>Due</Table.Th>
                  <Table.Th>Renewals</Table.Th>
                  <Table.Th>Renewal result</Table.Th>
                  <Table.Th>Receipt</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {current.map((listed) => {
                  const outcome = renewals[listed.id];
                  // The row shows the renewed loan as soon as the renewal answers, so its due
                  // date and count never disagree with its "Renewed" message while the list
                  // reloads (a newer listed row, e.g. after a later renewal, wins).
                  const l =
                    outcome?.ok && outcome.loan.renewalsUsed > listed.renewalsUsed ? outcome.loan : listed;
                  return (
                    <Table.Tr key={l.id} data-loan-barcode={l.item.barcode}>
                      <Table.Td>
                        <Checkbox
                          aria-label={`Select ${l.item.title} (${l.item.barcode})`}
                          checked={selected.has(l.id)}
                          onChange={(e) => toggle(l.id, e.currentTarget.checked)}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Text inherit fw={600}>
                          {l.item.title}
                        </Text>
                        {l.item.author ? (
                          <Text size="sm" c="gray.8">
                            {l.item.author}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{l.item.barcode}</Table.Td>
                      <Table.Td>
                        {formatDateTime(l.dueAt)}{' '}
                        {l.overdue ? <WordBadge color="red">Overdue</WordBadge> : null}
                        {l.status === 'lost' ? <WordBadge color="gray">Lost</WordBadge> : null}
                        {l.status === 'claimed_returned' ? (
                          <WordBadge color="gray">Claimed returned</WordBadge>
                        ) : null}
                      </Table.Td>
                      <Table.Td>
                        {l.renewalsUsed} of {l.renewalsAllowed}
                      </Table.Td>
                      <Table.Td data-testid="renewal-result">
                        {outcome ? (
                          <RenewalOutcome
                            outcome={outcome}
                            loan={l}
                            canOverride={can('circulation.override')}
                            busy={busy}
                            onOverride={(override) => overrideRenewal(l, override)}
                          />
                        ) : null}
                      </Table.Td>
                      <Table.Td>
                        <Anchor href={l.receiptUrl} target="_blank" rel="noopener" size="sm" c="blue.9">
                          Print receipt
                          <VisuallyHidden component="span">
                            {' '}
                            for {l.item.barcode} (opens in a new tab)
                          </VisuallyHidden>
                        </Anchor>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
      </Box>
    </Stack>
  );
}

interface RenewalOutcomeProps {
  outcome: RenewOutcome;
  loan: Loan;
  canOverride: boolean;
  busy: boolean;
  onOverride: (override: OverrideInput) => Promise<void>;
}

/** A renewal's result in the loans table; a refusal whose reasons are all overridable offers the override. */
function RenewalOutcome({ outcome, loan, canOverride, busy, onOverride }: RenewalOutcomeProps) {
  if (outcome.ok) {
    return (
      <Text size="sm" c="green.9" fw={600}>
        {outcome.overridden ? 'Renewed by override' : 'Renewed'}: now due {formatDateTime(outcome.loan.dueAt)}
      </Text>
    );
  }
  const reasons = refusalReasons(outcome.error);
  const overridable = reasons.length > 0 && reasons.every((r) => r.overridable);
  return (
    <Stack gap={6}>
      <Box c="red.9">
        <Text size="sm" fw={700} inherit>
          Not renewed
        </Text>
        {reasons.length > 0 ? (
          <List size="sm">
            {reasons.map((r) => (
              <List.Item key={r.code}>
                <Text inherit c="red.9">
                  {r.message}
                </Text>
              </List.Item>
            ))}
          </List>
        ) : (
          <Text size="sm" inherit>
            {errorMessage(outcome.error)}
          </Text>
        )}
      </Box>
      {overridable ? (
        <OverrideActions
          barcode={loan.item.barcode}
          action="renew"
          reasons={reasons}
          canOverride={canOverride}
          busy={busy}
          onOverride={onOverride}
          nameItem
        />
      ) : reasons.length > 0 ? (
        <Text size="sm">This renewal cannot be overridden.</Text>
      ) : null}
    </Stack>
  );
}
