import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

interface ConfirmDialogProps {
  opened: boolean;
  title: string;
  /** What will happen, in words. */
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  /** Why the last try was refused (an ApiErrorAlert or ErrorMessage), shown above the buttons. */
  alert?: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A confirmation dialog for an action that cannot be undone: focus starts on "Cancel" so Enter
 * never confirms by accident; Escape, the close button or "Cancel" close it without acting.
 */
export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel,
  busy = false,
  alert,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onCancel}
      title={title}
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack gap="md">
        <Text>{children}</Text>
        {alert}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} data-autofocus>
            Cancel
          </Button>
          <Button color="red.9" onClick={onConfirm} loading={busy}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
