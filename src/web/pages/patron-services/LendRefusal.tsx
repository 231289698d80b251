import { Stack, Text } from '@mantine/core';
import type { OverrideInput } from '../../api/circulation.ts';
import { ApiErrorAlert, refusalReasons } from '../../components/ApiErrorAlert.tsx';
import { OverrideActions } from './OverrideActions.tsx';

interface LendRefusalProps {
  barcode: string;
  error: unknown;
  /** The operator holds circulation.override here: they override themselves. */
  canOverride: boolean;
  busy: boolean;
  /** Sends the lend again with the override; rejects with the API error when it is refused. */
  onOverride: (override: OverrideInput) => Promise<void>;
}

/**
 * A refused lend: every reason at once (CIRC-4). When every reason is overridable, an operator
 * with circulation.override may "Override and lend" with a note; anyone else asks a manager,
 * who types their own username and password ("Manager override"; see OverrideActions).
 */
export function LendRefusal({ barcode, error, canOverride, busy, onOverride }: LendRefusalProps) {
  const reasons = refusalReasons(error);
  const overridable = reasons.length > 0 && reasons.every((r) => r.overridable);

  return (
    <Stack gap="xs" data-testid="lend-refusal">
      <ApiErrorAlert title={`Not lent: ${barcode}`} error={error} />
      {!overridable ? (
        <Text size="sm">
          {reasons.length > 0
            ? 'This loan cannot be overridden. Tell the patron why, then scan the next item.'
            : 'Check the barcode and scan the item again, or scan the next item.'}
        </Text>
      ) : (
        <OverrideActions
          barcode={barcode}
          action="lend"
          reasons={reasons}
          canOverride={canOverride}
          busy={busy}
          onOverride={onOverride}
        />
      )}
    </Stack>
  );
}
