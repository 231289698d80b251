/**
 * Pieces the desk workflow screens share: a link that opens a print-ready slip page in a new
 * tab and a confirm dialog with a note.
 */
import { Button, type ButtonProps, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { type ReactNode, useEffect, useState } from 'react';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';

/** Opens a slip route (HTML, print-ready) in a new tab: a real link, so keyboard and middle-click work. */
export function SlipLink({
  href,
  children,
  size = 'xs',
  variant = 'default',
  'aria-label': ariaLabel,
}: {
  href: string;
  children: ReactNode;
  size?: ButtonProps['size'];
  variant?: ButtonProps['variant'];
  'aria-label'?: string;
}) {
  return (
    <Button
      component="a"
      href={href}
      target="_blank"
      rel="noopener"
      size={size}
      variant={variant}
      aria-label={ariaLabel ? `${ariaLabel} (opens in a new tab)` : undefined}
      title="Opens the slip in a new tab, ready to print"
    >
      {children}
    </Button>
  );
}

interface ConfirmWithNoteProps {
  opened: boolean;
  title: string;
  /** What will happen, in words. */
  children: ReactNode;
  confirmLabel: string;
  noteLabel: string;
  noteDescription?: string;
  /** The note must be given (e.g. a cancel reason). */
  noteRequired?: boolean;
  busy?: boolean;
  error?: unknown;
  onConfirm: (note: string) => void;
  onClose: () => void;
}

/** A confirmation dialog with a note field; Escape or "Go back" closes it without acting. */
export function ConfirmWithNote({
  opened,
  title,
  children,
  confirmLabel,
  noteLabel,
  noteDescription,
  noteRequired = false,
  busy = false,
  error,
  onConfirm,
  onClose,
}: ConfirmWithNoteProps) {
  const [note, setNote] = useState('');
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    if (opened) {
      setNote('');
      setMissing(false);
    }
  }, [opened]);

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={title}
      centered
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close the dialog' }}
    >
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (noteRequired && note.trim() === '') {
            setMissing(true);
            return;
          }
          onConfirm(note.trim());
        }}
      >
        <Stack gap="md">
          <Text>{children}</Text>
          <Textarea
            label={noteLabel}
            description={noteDescription}
            required={noteRequired}
            value={note}
            onChange={(e) => {
              setNote(e.currentTarget.value);
              if (missing) setMissing(false);
            }}
            error={missing ? `${noteLabel} is required.` : undefined}
            autosize
            minRows={2}
            maxLength={500}
            data-autofocus
          />
          {error ? <ApiErrorAlert title="Not done" error={error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Go back
            </Button>
            <Button type="submit" color="red.9" loading={busy}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
