import { Anchor, Box, Button, Group, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { type ReturnResult, returnItem } from '../../api/shared.ts';
import type { SessionDesk } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { ScanInput } from '../../components/ScanInput.tsx';
import { WordBadge } from '../../components/WordBadge.tsx';
import { describeReturnFine, formatDateTime, formatMoney } from '../../format.ts';

const NEXT_STEP_WORDS: Record<ReturnResult['nextStep']['kind'], string> = {
  hold_shelf: 'Put it on the hold shelf',
  transit: 'Send it in transit',
  reshelve: 'Reshelve it',
};

/** One return made in this tab, newest first; kept by the page so a tab change keeps it. */
export interface ReturnOutcome {
  key: number;
  result: ReturnResult;
}

interface ReturnsTabProps {
  desk: SessionDesk;
  onChanged: () => void;
  onShowFees: () => void;
  outcomes: ReturnOutcome[];
  setOutcomes: (update: (prev: ReturnOutcome[]) => ReturnOutcome[]) => void;
}

/** Returns at the desk: each outcome says where the item goes next, and any fine it set. */
export function ReturnsTab({ desk, onChanged, onShowFees, outcomes, setOutcomes }: ReturnsTabProps) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ barcode: string; error: unknown } | null>(null);
  const [status, setStatus] = useState('');

  async function giveBack(barcode: string) {
    setBusy(true);
    setFailure(null);
    try {
      const result = await returnItem(desk.id, barcode);
      setOutcomes((prev) => [{ key: Date.now(), result }, ...prev].slice(0, 20));
      const fine = describeReturnFine(result.fine);
      setStatus(
        `${result.loan ? 'Returned' : 'Scanned in'} “${result.item.title}” (${barcode}). ${NEXT_STEP_WORDS[result.nextStep.kind]}.${fine ? ` ${fine}` : ''} Scan the next item.`,
      );
      onChanged();
    } catch (error) {
      setFailure({ barcode, error });
      setStatus('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="md">
      <ScanInput
        label="Scan item barcode"
        actionLabel="Return"
        description={`Returns the item at ${desk.name}`}
        onScan={giveBack}
        busy={busy}
        autoFocus={false}
      />
      <Text role="status" c="gray.9" data-testid="returns-status">
        {status}
      </Text>
      {failure ? <ApiErrorAlert title={`Not returned: ${failure.barcode}`} error={failure.error} /> : null}
      <Box component="section" aria-labelledby="returned-heading">
        <Title order={3} id="returned-heading">
          Returned this session
        </Title>
        {outcomes.length === 0 ? <Text c="gray.8">Nothing returned yet.</Text> : null}
        <Stack gap="sm" mt="xs" component="ol" style={{ listStyle: 'none', padding: 0 }}>
          {outcomes.map(({ key, result }) => (
            <Box
              component="li"
              key={key}
              data-testid="return-outcome"
              p="sm"
              style={{
                border: '1px solid var(--mantine-color-gray-4)',
                borderRadius: 'var(--mantine-radius-sm)',
              }}
            >
              <Group gap="xs" wrap="wrap">
                <Text fw={700}>
                  {result.loan ? 'Returned' : 'Scanned in'}: {result.item.title} ({result.item.barcode})
                </Text>
                {/* The returned loan is closed, so its `overdue` is false: the fine says how late it was. */}
                {result.loan && (result.fine?.overdueDays ?? 0) > 0 ? (
                  <WordBadge color="red">Returned late</WordBadge>
                ) : null}
              </Group>
              {result.loan ? (
                <Text size="sm" c="gray.8">
                  Borrowed by {result.loan.patron.name}; was due {formatDateTime(result.loan.dueAt)}.
                </Text>
              ) : null}
              <Text mt={4}>
                <Text component="span" fw={700} inherit>
                  Next: {NEXT_STEP_WORDS[result.nextStep.kind]}.
                </Text>{' '}
                {result.nextStep.text}
              </Text>
              {result.nextStep.slipUrl ? (
                <Anchor href={result.nextStep.slipUrl} target="_blank" rel="noopener" c="blue.9" size="sm">
                  Print slip
                  <VisuallyHidden component="span">
                    {' '}
                    for {result.item.barcode} (opens in a new tab)
                  </VisuallyHidden>
                </Anchor>
              ) : null}
              {result.fine && result.fine.amountMinor > 0 ? (
                <Group gap="sm" mt={4} wrap="wrap" data-testid="return-fine">
                  <Text c="red.9" fw={700}>
                    Overdue fine: {formatMoney(result.fine.amountMinor, result.fine.currency)} (
                    {result.fine.overdueDays} {result.fine.overdueDays === 1 ? 'day' : 'days'} late,{' '}
                    {result.fine.chargedDays} charged)
                  </Text>
                  <Button size="xs" variant="default" onClick={onShowFees}>
                    Go to Fines & fees
                  </Button>
                </Group>
              ) : null}
            </Box>
          ))}
        </Stack>
      </Box>
    </Stack>
  );
}
