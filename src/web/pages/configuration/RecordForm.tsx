import { Button, Checkbox, Group, List, Modal, NativeSelect, Stack, TextInput } from '@mantine/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../api.ts';
import { fieldErrors } from '../../components/ApiErrorAlert.tsx';
import { ErrorMessage } from '../../components/Messages.tsx';
import { type Lists, referenceOptions } from './data.ts';
import type { FieldSpec } from './fields.ts';
import { buildBody, type FormValue, type FormValues, toFormValues } from './formValues.ts';

interface FieldInputProps {
  field: FieldSpec;
  value: FormValue;
  onChange: (value: FormValue) => void;
  error?: string;
  disabled?: boolean;
  lists: Lists | null;
  currency: string;
}

/** One input for one field, labelled, with its description and its error next to it. */
export function FieldInput({ field, value, onChange, error, disabled, lists, currency }: FieldInputProps) {
  const common = {
    label: field.label,
    description: field.description,
    error,
    disabled,
    withAsterisk: field.required,
    name: field.name,
  };
  if (field.kind === 'boolean') {
    return (
      <Checkbox
        label={field.label}
        description={field.description}
        error={error}
        disabled={disabled}
        name={field.name}
        checked={value === true}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    );
  }
  if (field.kind === 'enum' || field.kind === 'reference') {
    const options = field.kind === 'enum' ? field.options : referenceOptions(lists, field.resource);
    const empty =
      field.kind === 'reference' && field.nullable
        ? [{ value: '', label: field.anyLabel ?? 'None' }]
        : field.nullable || value === ''
          ? [{ value: '', label: 'Choose…' }]
          : [];
    return (
      <NativeSelect
        {...common}
        value={String(value)}
        onChange={(e) => onChange(e.currentTarget.value)}
        data={[...empty, ...options]}
      />
    );
  }
  const type =
    field.kind === 'date'
      ? 'date'
      : field.kind === 'time'
        ? 'time'
        : field.kind === 'email'
          ? 'email'
          : 'text';
  return (
    <TextInput
      {...common}
      label={field.kind === 'money' ? `${field.label} (${currency})` : field.label}
      type={type}
      inputMode={field.kind === 'number' ? 'numeric' : field.kind === 'money' ? 'decimal' : undefined}
      value={String(value)}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}

interface RecordFormProps {
  fields: FieldSpec[];
  /** The record to edit, or null to create one. */
  record: Record<string, unknown> | null;
  currency: string;
  lists: Lists | null;
  /** Sends the body (all fields on create, the changed ones on update). */
  save: (body: Record<string, unknown>) => Promise<unknown>;
  onSaved: (result: unknown) => void;
  onCancel: () => void;
  submitLabel?: string;
}

/**
 * A form for any configuration record: one input per field; on a refusal every field error
 * shows next to its field and nothing is saved (the server writes nothing on a 400).
 */
export function RecordForm({
  fields,
  record,
  currency,
  lists,
  save,
  onSaved,
  onCancel,
  submitLabel = 'Save',
}: RecordFormProps) {
  const editable = fields.filter((f) => !f.readOnly);
  const [values, setValues] = useState<FormValues>(() => toFormValues(editable, record, currency));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  // Counts refusals; each one moves focus to the first field marked invalid (so it is read out
  // and can be fixed). An effect, not a frame callback: it runs after React has committed the
  // render that marks the fields, however late that render comes after the awaited save.
  const [refusals, setRefusals] = useState(0);
  useEffect(() => {
    if (refusals === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusals]);

  function focusFirstInvalid() {
    setRefusals((n) => n + 1);
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const { body, errors: local } = buildBody(editable, values, record, currency);
    setFailure(null);
    if (Object.keys(local).length > 0) {
      setErrors(local);
      focusFirstInvalid();
      return;
    }
    if (record !== null && Object.keys(body).length === 0) {
      onCancel();
      return;
    }
    setSaving(true);
    try {
      const result = await save(body);
      setErrors({});
      onSaved(result);
    } catch (e) {
      setErrors(fieldErrors(e));
      setFailure(e);
      focusFirstInvalid();
    } finally {
      setSaving(false);
    }
  }

  const known = new Set(editable.map((f) => f.name));
  const otherErrors = Object.entries(errors).filter(([name]) => !known.has(name));
  const hasFieldErrors = Object.keys(errors).length > 0;

  return (
    <form onSubmit={onSubmit} noValidate ref={formRef}>
      <Stack gap="sm">
        {hasFieldErrors || failure ? (
          <ErrorMessage title="Nothing was saved">
            {hasFieldErrors ? 'Correct the fields marked below, then save again.' : null}
            {failure && !hasFieldErrors ? describeFailure(failure) : null}
            {otherErrors.length > 0 ? (
              <List size="sm" component="ul">
                {otherErrors.map(([name, message]) => (
                  <List.Item key={name}>
                    {name}: {message}
                  </List.Item>
                ))}
              </List>
            ) : null}
          </ErrorMessage>
        ) : null}
        {editable.map((field) => (
          <FieldInput
            key={field.name}
            field={field}
            value={values[field.name] ?? ''}
            onChange={(v) => setValues((old) => ({ ...old, [field.name]: v }))}
            error={errors[field.name]}
            disabled={record !== null && field.immutable}
            lists={lists}
            currency={currency}
          />
        ))}
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel} type="button">
            Cancel
          </Button>
          <Button type="submit" loading={saving}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** A refusal in words; a 409 says what conflicts. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError && error.status === 409) {
    return `Conflict: ${error.message} Nothing was changed; reload the page to see the current records.`;
  }
  if (error instanceof ApiError && error.status === 403) {
    return `You may not make this change: ${error.message}`;
  }
  return errorMessage(error);
}

interface RecordFormModalProps extends Omit<RecordFormProps, 'onCancel'> {
  opened: boolean;
  title: string;
  onClose: () => void;
}

/** The record form in a dialog (focus stays inside; Escape or Cancel closes it). */
export function RecordFormModal({ opened, title, onClose, ...form }: RecordFormModalProps) {
  // The form mounts afresh each time the dialog opens, so old values and errors never linger.
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title={title}
      size="lg"
    >
      {opened ? <RecordForm {...form} onCancel={onClose} /> : null}
    </Modal>
  );
}
