import { Box, Button, Group, List, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type Fee, type FeeAction, feeAction, listPatronFees } from '../../api/circulation.ts';
import type { Patron } from '../../api/shared.ts';
import { ApiError } from '../../api.ts';
import { ApiErrorAlert, fieldErrors } from '../../components/ApiErrorAlert.tsx';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { WordBadge } from '../../components/WordBadge.tsx';
import { formatDate, formatDateTime, formatMoney, parseMoney } from '../../format.ts';
import { useStaff } from '../../staff/StaffContext.tsx';
import { FEE_TYPE_WORDS, plainAmount, useLoaded } from './parts.tsx';

const ACTION_WORDS: Record<FeeAction, { heading: string; submit: string; done: string }> = {
  payments: { heading: 'Take a payment', submit: 'Record payment', done: 'Payment' },
  waivers: { heading: 'Waive', submit: 'Record waiver', done: 'Waiver' },
  refunds: { heading: 'Refund', submit: 'Record refund', done: 'Refund' },
};

const TRANSACTION_WORDS = { payment: 'Paid', waive: 'Waived', refund: 'Refunded' } as const;

interface FeesTabProps {
  patron: Patron;
  refresh: number;
  onChanged: () => void;
}

/** The patron's fees and balances; pay, waive (with a reason) and refund with fees.manage. */
export function FeesTab({ patron, refresh, onChanged }: FeesTabProps) {
  const { can } = useStaff();
  const manage = can('fees.manage');
  const fees = useLoaded(
    (signal) => listPatronFees(patron.institutionId, patron.id, signal),
    [patron.id, refresh],
  );
  const [acting, setActing] = useState<{ fee: Fee; action: FeeAction } | null>(null);
  const [status, setStatus] = useState('');
  const actionButtons = useRef<Record<string, HTMLButtonElement | null>>({});

  const data = fees.state === 'done' ? fees.data : null;
  const balances = data?.balances ?? [];

  return (
    <Stack gap="lg">
      <Text role="status" c="gray.9" data-testid="fees-status">
        {status}
      </Text>
      {fees.state === 'loading' ? <StatusMessage>Loading fees…</StatusMessage> : null}
      {fees.state === 'error' ? <ApiErrorAlert title="Fees could not be loaded" error={fees.error} /> : null}
      {data ? (
        <Box component="section" aria-labelledby="fees-heading">
          <Title order={3} id="fees-heading" tabIndex={-1}>
            Fines & fees
          </Title>
          <Text mb="xs" data-testid="fees-balance">
            Open balance:{' '}
            <Text component="span" fw={700} inherit>
              {balances.length === 0 || balances.every((b) => b.balanceMinor === 0)
                ? 'nothing owed'
                : balances.map((b) => formatMoney(b.balanceMinor, b.currency)).join(', ')}
            </Text>
          </Text>
          {!manage ? (
            <Text size="sm" c="gray.8" mb="xs">
              You can see the fees; taking payments, waiving and refunding need the fees.manage privilege.
            </Text>
          ) : null}
          {data.fees.length === 0 ? (
            <Text c="gray.8">No fees.</Text>
          ) : (
            <Table.ScrollContainer minWidth={860}>
              <Table captionSide="top" striped withTableBorder data-testid="patron-fees">
                <Table.Caption>
                  {data.fees.filter((f) => f.status === 'active').length} open of {data.fees.length} fees
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Fee</Table.Th>
                    <Table.Th>Charged</Table.Th>
                    <Table.Th>Balance</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>History</Table.Th>
                    {manage ? <Table.Th>Actions</Table.Th> : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.fees.map((f) => {
                    const refundable = f.paidMinor - f.refundedMinor;
                    const labelId = `fee-label-${f.id}`;
                    return (
                      <Table.Tr key={f.id} data-fee-id={f.id}>
                        <Table.Td>
                          <Text inherit fw={600} id={labelId}>
                            {FEE_TYPE_WORDS[f.feeType]}
                            {f.item?.title ? `: ${f.item.title}` : ''}
                            {f.item?.barcode ? ` (${f.item.barcode})` : ''}
                          </Text>
                          <Text size="sm" c="gray.8">
                            {formatDate(f.createdAt)}
                          </Text>
                        </Table.Td>
                        <Table.Td>{formatMoney(f.originalMinor, f.currency)}</Table.Td>
                        <Table.Td>
                          <Text inherit fw={f.balanceMinor > 0 ? 700 : undefined}>
                            {formatMoney(f.balanceMinor, f.currency)}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          {f.status === 'active' ? (
                            <WordBadge color="red">Open</WordBadge>
                          ) : (
                            <WordBadge color="green">Closed</WordBadge>
                          )}
                        </Table.Td>
                        <Table.Td>
                          {f.transactions.length === 0 ? (
                            <Text size="sm" c="gray.8">
                              Nothing paid or waived
                            </Text>
                          ) : (
                            <List size="sm">
                              {f.transactions.map((t) => (
                                <List.Item key={t.id}>
                                  {TRANSACTION_WORDS[t.kind]} {formatMoney(t.amountMinor, f.currency)}
                                  {t.method ? ` (${t.method})` : ''}
                                  {t.reason ? `: ${t.reason}` : ''}, {formatDateTime(t.at)}
                                  {t.staffName ? `, ${t.staffName}` : ''}
                                </List.Item>
                              ))}
                            </List>
                          )}
                        </Table.Td>
                        {manage ? (
                          <Table.Td>
                            <Group gap={6} wrap="nowrap">
                              {f.balanceMinor > 0 ? (
                                <>
                                  <Button
                                    size="xs"
                                    aria-describedby={labelId}
                                    ref={(el) => {
                                      actionButtons.current[`${f.id}:payments`] = el;
                                    }}
                                    onClick={() => setActing({ fee: f, action: 'payments' })}
                                  >
                                    Pay
                                  </Button>
                                  <Button
                                    size="xs"
                                    variant="default"
                                    aria-describedby={labelId}
                                    ref={(el) => {
                                      actionButtons.current[`${f.id}:waivers`] = el;
                                    }}
                                    onClick={() => setActing({ fee: f, action: 'waivers' })}
                                  >
                                    Waive
                                  </Button>
                                </>
                              ) : null}
                              {refundable > 0 ? (
                                <Button
                                  size="xs"
                                  variant="default"
                                  aria-describedby={labelId}
                                  ref={(el) => {
                                    actionButtons.current[`${f.id}:refunds`] = el;
                                  }}
                                  onClick={() => setActing({ fee: f, action: 'refunds' })}
                                >
                                  Refund
                                </Button>
                              ) : null}
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
        </Box>
      ) : null}
      {acting && manage ? (
        <FeeActionForm
          key={`${acting.fee.id}:${acting.action}`}
          fee={acting.fee}
          action={acting.action}
          onCancel={() => {
            const button = actionButtons.current[`${acting.fee.id}:${acting.action}`];
            setActing(null);
            button?.focus();
          }}
          onDone={(message) => {
            setActing(null);
            setStatus(message);
            onChanged();
            // The form that had the focus is gone: keep keyboard users in the fees section.
            document.getElementById('fees-heading')?.focus();
          }}
        />
      ) : null}
    </Stack>
  );
}

/** The over-payment, -waiver and -refund refusals in money, not minor units; null for others. */
function overLimitMessage(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const d = (error.details ?? {}) as {
    amountMinor?: number;
    balanceMinor?: number;
    refundableMinor?: number;
    currency?: string;
  };
  if (d.amountMinor === undefined || !d.currency) return null;
  const money = (n: number) => formatMoney(n, d.currency as string);
  if (error.code === 'FEE_OVERPAYMENT' && d.balanceMinor !== undefined)
    return `${money(d.amountMinor)} is more than the balance of ${money(d.balanceMinor)}. Take at most ${money(d.balanceMinor)}.`;
  if (error.code === 'FEE_OVER_WAIVE' && d.balanceMinor !== undefined)
    return `${money(d.amountMinor)} is more than the balance of ${money(d.balanceMinor)}. Waive at most ${money(d.balanceMinor)}.`;
  if (error.code === 'FEE_OVER_REFUND' && d.refundableMinor !== undefined)
    return `${money(d.amountMinor)} is more than the ${money(d.refundableMinor)} paid and not yet refunded.`;
  return null;
}

function FeeActionForm({
  fee,
  action,
  onCancel,
  onDone,
}: {
  fee: Fee;
  action: FeeAction;
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const words = ACTION_WORDS[action];
  const currency = fee.currency;
  const refundable = fee.paidMinor - fee.refundedMinor;
  const limit = action === 'refunds' ? refundable : fee.balanceMinor;
  const [amount, setAmount] = useState(action === 'waivers' ? '' : plainAmount(limit, currency));
  const [method, setMethod] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const amountRef = useRef<HTMLInputElement>(null);
  const headingId = `fee-action-${fee.id}`;

  useEffect(() => {
    amountRef.current?.focus();
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next: Record<string, string> = {};
    let amountMinor: number | undefined;
    if (amount.trim() !== '' || action !== 'waivers') {
      const parsed = parseMoney(amount, currency);
      if (parsed === null || parsed <= 0)
        next.amountMinor = `Enter an amount such as ${formatMoney(250, currency)} (without the sign).`;
      else amountMinor = parsed;
    }
    if (action === 'waivers' && reason.trim() === '') next.reason = 'Give the reason for waiving.';
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const result = await feeAction(fee.institutionId, fee.id, action, {
        ...(amountMinor !== undefined ? { amountMinor } : {}),
        ...(method.trim() && action !== 'waivers' ? { method: method.trim() } : {}),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      const taken = amountMinor ?? fee.balanceMinor;
      onDone(
        `${words.done} of ${formatMoney(taken, currency)} recorded for the ${FEE_TYPE_WORDS[fee.feeType].toLowerCase()}. ` +
          (result.fee.balanceMinor > 0
            ? `${formatMoney(result.fee.balanceMinor, currency)} is still owed on it.`
            : 'Nothing more is owed on it.'),
      );
    } catch (e) {
      setError(e);
      setErrors(fieldErrors(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box
      component="section"
      aria-labelledby={headingId}
      p="md"
      maw={640}
      style={{ border: '1px solid var(--mantine-color-gray-4)', borderRadius: 'var(--mantine-radius-md)' }}
    >
      <Title order={3} id={headingId} mb="xs">
        {words.heading}: {FEE_TYPE_WORDS[fee.feeType]}
        {fee.item?.title ? `, ${fee.item.title}` : ''}
      </Title>
      <Text size="sm" mb="sm">
        {action === 'refunds'
          ? `Up to ${formatMoney(refundable, currency)} can be refunded.`
          : `Balance ${formatMoney(fee.balanceMinor, currency)}.`}
      </Text>
      <Box component="form" onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            ref={amountRef}
            label={`Amount (${currency})`}
            description={action === 'waivers' ? 'Leave empty to waive the whole balance' : undefined}
            value={amount}
            inputMode="decimal"
            autoComplete="off"
            error={errors.amountMinor}
            onChange={(e) => setAmount(e.currentTarget.value)}
          />
          {action !== 'waivers' ? (
            <TextInput
              label={action === 'payments' ? 'Payment method (optional)' : 'Refund method (optional)'}
              description="For example cash or card"
              value={method}
              error={errors.method}
              onChange={(e) => setMethod(e.currentTarget.value)}
              maxLength={500}
            />
          ) : null}
          {action !== 'payments' ? (
            <TextInput
              label={action === 'waivers' ? 'Reason' : 'Reason (optional)'}
              value={reason}
              required={action === 'waivers'}
              error={errors.reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              maxLength={500}
            />
          ) : null}
          {error ? (
            overLimitMessage(error) ? (
              <ErrorMessage title={`${words.done} not recorded`}>{overLimitMessage(error)}</ErrorMessage>
            ) : (
              <ApiErrorAlert title={`${words.done} not recorded`} error={error} />
            )
          ) : null}
          <Group gap="sm">
            <Button type="submit" loading={busy}>
              {words.submit}
            </Button>
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </Box>
    </Box>
  );
}
