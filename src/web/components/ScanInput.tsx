import { Button, Group, Loader, Text, TextInput } from '@mantine/core';
import { type FormEvent, forwardRef, useImperativeHandle, useRef, useState } from 'react';

interface ScanInputProps {
  /** The visible label, e.g. "Scan item barcode". */
  label: string;
  /** The submit button's text, e.g. "Lend". */
  actionLabel: string;
  description?: string;
  /** Called with the trimmed value on Enter or on the button, one scan at a time; the field clears and keeps focus. */
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
  const [queued, setQueued] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  useImperativeHandle(ref, () => ({ focus: () => inputRef.current?.focus() }), []);
  // Scans wait their turn: a scanner does not wait for the previous lend to answer, and a
  // barcode left in the field would be glued to the next one.
  const queue = useRef<string[]>([]);
  const draining = useRef(false);
  const onScanRef = useRef(onScan);
  onScanRef.current = onScan;

  async function drain() {
    if (draining.current) return;
    draining.current = true;
    try {
      for (let next = queue.current.shift(); next !== undefined; next = queue.current.shift()) {
        setQueued(queue.current.length);
        try {
          await onScanRef.current(next);
        } catch {
          // The screen reports its own errors; the next scan still runs.
        }
      }
    } finally {
      draining.current = false;
      setQueued(0);
      inputRef.current?.focus();
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const scanned = value.trim();
    if (scanned === '') return;
    setValue('');
    queue.current.push(scanned);
    setQueued(queue.current.length);
    void drain();
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
        {/* Never disabled while busy: a disabled submit button would swallow the scanner's Enter. */}
        <Button type="submit" disabled={disabled}>
          {actionLabel}
        </Button>
        {busy || queued > 0 ? <Loader size="sm" aria-label="Working" /> : null}
      </Group>
      {queued > 0 ? (
        <Text size="sm" c="gray.8" role="status">
          {queued === 1 ? '1 more scan waiting' : `${queued} more scans waiting`}
        </Text>
      ) : null}
    </form>
  );
});
