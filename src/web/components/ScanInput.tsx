import { Button, Group, TextInput } from '@mantine/core';
import { type FormEvent, forwardRef, useImperativeHandle, useRef, useState } from 'react';

interface ScanInputProps {
  /** The visible label, e.g. "Scan item barcode". */
  label: string;
  /** The submit button's text, e.g. "Lend". */
  actionLabel: string;
  description?: string;
  /** Called with the trimmed value on Enter or on the button; the field clears and keeps focus. */
  onScan: (value: string) => Promise<void> | void;
  busy?: boolean;
  autoFocus?: boolean;
  disabled?: boolean;
}

export interface ScanInputHandle {
  focus(): void;
}

/**
 * The desk's scan bar: a barcode scanner types the code and presses Enter, so Enter acts, the
 * field empties and keeps focus for the next scan. An empty scan does nothing.
 */
export const ScanInput = forwardRef<ScanInputHandle, ScanInputProps>(function ScanInput(
  { label, actionLabel, description, onScan, busy = false, autoFocus = true, disabled = false },
  ref,
) {
  const [value, setValue] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  useImperativeHandle(ref, () => ({ focus: () => inputRef.current?.focus() }), []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const scanned = value.trim();
    if (scanned === '' || busy) return;
    setValue('');
    try {
      await onScan(scanned);
    } finally {
      inputRef.current?.focus();
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      <Group align="flex-end" gap="sm" wrap="nowrap">
        <TextInput
          ref={inputRef}
          label={label}
          description={description}
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          autoFocus={autoFocus}
          autoComplete="off"
          spellCheck={false}
          disabled={disabled}
          style={{ flex: 1, maxWidth: 420 }}
        />
        <Button type="submit" loading={busy} disabled={disabled}>
          {actionLabel}
        </Button>
      </Group>
    </form>
  );
});
