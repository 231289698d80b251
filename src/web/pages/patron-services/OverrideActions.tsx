import { Box, Button, Group, Modal, Stack, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { OverrideInput } from '../../api/circulation.ts';
import { ApiErrorAlert, type RefusalReason } from '../../components/ApiErrorAlert.tsx';

/** What is overridden: the words on the buttons and in the manager's dialog. */
const ACTIONS = {
  lend: { verb: 'lend', doing: 'lending' },
  renew: { verb: 'renew', doing: 'renewing' },
} as const;

export interface OverrideActionsProps {
  /** The item's barcode, named in the dialog's title and text. */
  barcode: string;
  action: keyof typeof ACTIONS;
  /** Every reason of the refusal; the caller shows this only when all are overridable. */
  reasons: RefusalReason[];
  /** The operator holds circulation.override here: they override themselves. */
  canOverride: boolean;
  busy: boolean;
  /** Sends the action again with the override; rejects with the API error when it is refused. */
  onOverride: (override: OverrideInput) => Promise<void>;
  /**
   * Several refusals can show at once (one per loan in the loans table): then the note field
   * and the buttons name the item too, so each is told apart by its accessible name.
   */
  nameItem?: boolean;
}

/**
 * The ways past an overridable refusal (CIRC-4, CIRC-5): an operator with circulation.override
 * overrides with an optional note ("Override and lend" / "Override and renew"); anyone else asks
 * a manager, who types their own username and password in the "Manager override" dialog.
 */
export function OverrideActions(props: OverrideActionsProps) {
  const { barcode, action, reasons, canOverride, busy, onOverride, nameItem = false } = props;
  const words = ACTIONS[action];
  const codes = [...new Set(reasons.map((r) => r.code))];
  const forItem = nameItem ? <VisuallyHidden component="span"> {barcode}</VisuallyHidden> : null;
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
    <>
      {canOverride ? (
        <Box component="form" onSubmit={overrideSelf} noValidate>
          <Text size="sm" mb={4}>
            Every reason can be overridden. Add a note if you like, then override; the override is recorded in
            the item's history.
          </Text>
          <Group align="flex-end" gap="sm">
            <TextInput
              label={nameItem ? `Override note for ${barcode} (optional)` : 'Override note (optional)'}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              maxLength={500}
              style={{ flex: 1, maxWidth: 420 }}
            />
            <Button type="submit" color="red.9" loading={busy}>
              Override and {words.verb}
              {forItem}
            </Button>
          </Group>
          {overrideError ? <ApiErrorAlert title="The override was refused" error={overrideError} /> : null}
        </Box>
      ) : (
        <Group gap="sm" align="center">
          <Text size="sm">Every reason can be overridden by a manager.</Text>
          <Button color="red.9" onClick={() => setManagerOpen(true)}>
            Manager override
            {forItem}
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
              A manager with the override privilege signs here to approve {words.doing} {barcode} despite:{' '}
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
                Approve and {words.verb}
              </Button>
            </Group>
          </Stack>
        </Box>
      </Modal>
    </>
  );
}
