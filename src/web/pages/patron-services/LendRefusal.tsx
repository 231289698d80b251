import { Box, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { OverrideInput } from '../../api/circulation.ts';
import { ApiErrorAlert, refusalReasons } from '../../components/ApiErrorAlert.tsx';

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
 * who types their own username and password ("Manager override").
 */
export function LendRefusal({ barcode, error, canOverride, busy, onOverride }: LendRefusalProps) {
  const reasons = refusalReasons(error);
  const overridable = reasons.length > 0 && reasons.every((r) => r.overridable);
  const codes = [...new Set(reasons.map((r) => r.code))];
  const [note, setNote] = useState('');
  const [overrideError, setOverrideError] = useState<unknown>(null);
  const [managerOpen, setManagerOpen] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [managerNote, setManagerNote] = useState('');
  const [managerError, setManagerError] = useState<unknown>(null);
  const [missing, setMissing] = useState<string | null>(null);

  async function overrideSelf(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setOverrideError(null);
    try {
      await onOverride({ codes, ...(note.trim() ? { note: note.trim() } : {}) });
    } catch (e) {
      setOverrideError(e);
    }
  }

  async function overrideByManager(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (username.trim() === '' || password === '') {
      setMissing("Enter the manager's username and password.");
      return;
    }
    setMissing(null);
    setManagerError(null);
    try {
      await onOverride({
        codes,
        ...(managerNote.trim() ? { note: managerNote.trim() } : {}),
        approver: { username: username.trim(), password },
      });
      setManagerOpen(false);
    } catch (e) {
      setManagerError(e);
      setPassword('');
    }
  }

  return (
    <Stack gap="xs" data-testid="lend-refusal">
      <ApiErrorAlert title={`Not lent: ${barcode}`} error={error} />
      {!overridable ? (
        <Text size="sm">
          {reasons.length > 0
            ? 'This loan cannot be overridden. Tell the patron why, then scan the next item.'
            : 'Check the barcode and scan the item again, or scan the next item.'}
        </Text>
      ) : canOverride ? (
        <Box component="form" onSubmit={overrideSelf} noValidate>
          <Text size="sm" mb={4}>
            Every reason can be overridden. Add a note if you like, then override; the override is recorded in
            the item's history.
          </Text>
          <Group align="flex-end" gap="sm">
            <TextInput
              label="Override note (optional)"
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              maxLength={500}
              style={{ flex: 1, maxWidth: 420 }}
            />
            <Button type="submit" color="red.9" loading={busy}>
              Override and lend
            </Button>
          </Group>
          {overrideError ? <ApiErrorAlert title="The override was refused" error={overrideError} /> : null}
        </Box>
      ) : (
        <Group gap="sm" align="center">
          <Text size="sm">Every reason can be overridden by a manager.</Text>
          <Button color="red.9" onClick={() => setManagerOpen(true)}>
            Manager override
          </Button>
        </Group>
      )}
      <Modal
        opened={managerOpen}
        onClose={() => setManagerOpen(false)}
        title={`Manager override for ${barcode}`}
        centered
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Box component="form" onSubmit={overrideByManager} noValidate>
          <Stack gap="sm">
            <Text size="sm">
              A manager with the override privilege signs here to approve lending {barcode} despite:{' '}
              {reasons.map((r) => r.message).join(' ')}
            </Text>
            <TextInput
              label="Manager username"
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
              autoComplete="off"
              data-autofocus
              required
            />
            <TextInput
              label="Manager password"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="off"
              required
            />
            <TextInput
              label="Override note (optional)"
              value={managerNote}
              onChange={(e) => setManagerNote(e.currentTarget.value)}
              maxLength={500}
            />
            {missing ? (
              <Text role="alert" c="red.9" size="sm">
                {missing}
              </Text>
            ) : null}
            {managerError ? (
              <ApiErrorAlert title="The override was not approved" error={managerError} />
            ) : null}
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={() => setManagerOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" color="red.9" loading={busy}>
                Approve and lend
              </Button>
            </Group>
          </Stack>
        </Box>
      </Modal>
    </Stack>
  );
}
