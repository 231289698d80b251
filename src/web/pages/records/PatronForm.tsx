import {
  Box,
  Button,
  Fieldset,
  Group,
  NativeSelect,
  PasswordInput,
  SimpleGrid,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { PatronInput } from '../../api/records.ts';
import type { CodeName, Patron, PatronStatus } from '../../api/shared.ts';
import { ApiErrorAlert, fieldErrors } from '../../components/ApiErrorAlert.tsx';

const EMAIL_TYPES = ['personal', 'work', 'school', 'other'];
const PHONE_TYPES = ['mobile', 'home', 'work', 'other'];
const ADDRESS_TYPES = ['home', 'work', 'school', 'other'];

/** One email address or phone number as the form edits it. */
interface ContactRow {
  value: string;
  type: string;
  preferred: boolean;
}

interface FormValues {
  primaryIdentifier: string;
  firstName: string;
  middleName: string;
  lastName: string;
  preferredName: string;
  userGroupId: string;
  emails: ContactRow[];
  phones: ContactRow[];
  addressLine1: string;
  addressLine2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  addressType: string;
  expiryDate: string;
  purgeDate: string;
  status: PatronStatus;
  generalNote: string;
  password: string;
}

function initialValues(patron: Patron | null, userGroups: CodeName[]): FormValues {
  const address = patron?.addresses[0];
  return {
    primaryIdentifier: patron?.primaryIdentifier ?? '',
    firstName: patron?.firstName ?? '',
    middleName: patron?.middleName ?? '',
    lastName: patron?.lastName ?? '',
    preferredName: patron?.preferredName ?? '',
    userGroupId: patron?.userGroup.id ?? userGroups[0]?.id ?? '',
    emails: patron
      ? patron.emails.map(({ address, ...e }) => ({ value: address, ...e }))
      : [{ value: '', type: 'personal', preferred: true }],
    phones: patron
      ? patron.phones.map(({ number, ...p }) => ({ value: number, ...p }))
      : [{ value: '', type: 'mobile', preferred: true }],
    addressLine1: address?.lines[0] ?? '',
    addressLine2: address?.lines.slice(1).join(', ') ?? '',
    city: address?.city ?? '',
    region: address?.region ?? '',
    postalCode: address?.postalCode ?? '',
    country: address?.country ?? '',
    addressType: address?.type ?? 'home',
    expiryDate: patron?.expiryDate ?? '',
    purgeDate: patron?.purgeDate ?? '',
    status: patron?.status ?? 'active',
    generalNote: patron?.generalNote ?? '',
    password: '',
  };
}

/** The filled rows, trimmed; one is preferred: the one marked so, else the first. */
function keptContacts(rows: ContactRow[]): ContactRow[] {
  const kept = rows.filter((r) => r.value.trim() !== '');
  const preferred = Math.max(
    0,
    kept.findIndex((r) => r.preferred),
  );
  return kept.map((r, i) => ({ value: r.value.trim(), type: r.type, preferred: i === preferred }));
}

/** The request body from the form: empty rows are left out, empty optional dates are null. */
function toInput(values: FormValues, patron: Patron | null): PatronInput {
  const emails = keptContacts(values.emails).map(({ value, ...e }) => ({ address: value, ...e }));
  const phones = keptContacts(values.phones).map(({ value, ...p }) => ({ number: value, ...p }));
  const lines = [values.addressLine1, values.addressLine2].map((l) => l.trim()).filter((l) => l !== '');
  const hasAddress =
    lines.length > 0 || [values.city, values.postalCode, values.country].some((v) => v.trim());
  // Only the first address is edited here; any others are kept as they are.
  const otherAddresses = patron?.addresses.slice(1) ?? [];
  const addresses = hasAddress
    ? [
        {
          lines,
          city: values.city.trim(),
          region: values.region.trim(),
          postalCode: values.postalCode.trim(),
          country: values.country.trim(),
          type: values.addressType,
          preferred: patron?.addresses[0]?.preferred ?? true,
        },
        ...otherAddresses,
      ]
    : otherAddresses;
  const input: PatronInput = {
    primaryIdentifier: values.primaryIdentifier.trim(),
    firstName: values.firstName.trim(),
    middleName: values.middleName.trim(),
    lastName: values.lastName.trim(),
    preferredName: values.preferredName.trim() === '' ? null : values.preferredName.trim(),
    userGroupId: values.userGroupId,
    emails,
    phones,
    addresses,
    expiryDate: values.expiryDate === '' ? null : values.expiryDate,
    purgeDate: values.purgeDate === '' ? null : values.purgeDate,
    status: values.status,
    generalNote: values.generalNote,
  };
  if (!patron && values.password !== '') input.password = values.password;
  return input;
}

interface PatronFormProps {
  patron: Patron | null;
  userGroups: CodeName[];
  /** Sends the body; throws the ApiError on refusal (400 field errors are shown by field). */
  onSave: (input: PatronInput) => Promise<void>;
  onCancel?: () => void;
}

/**
 * The patron record form (PAT-1), for a new record and for changes. Validation is the server's:
 * a refused save shows each field's message next to the field and keeps what was typed.
 */
export function PatronForm({ patron, userGroups, onSave, onCancel }: PatronFormProps) {
  const [values, setValues] = useState<FormValues>(() => initialValues(patron, userGroups));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const errors = fieldErrors(error);

  // After a refused save, focus goes to the first field in error.
  useEffect(() => {
    if (!error) return;
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    invalid?.focus();
  }, [error]);

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  const err = (field: string) => errors[field] ?? null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSave(toInput(values, patron));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const unmatched = Object.keys(errors).filter(
    (f) => !KNOWN_FIELDS.some((k) => f === k || f.startsWith(`${k}.`)),
  );

  return (
    <Box component="form" ref={formRef} onSubmit={onSubmit} noValidate aria-label="Patron details">
      <Stack gap="md">
        {error ? (
          <ApiErrorAlert
            title={patron ? 'The changes were not saved' : 'The patron was not created'}
            error={
              Object.keys(errors).length > 0 && unmatched.length === 0
                ? new Error('Correct the fields marked below, then save again.')
                : error
            }
          />
        ) : null}
        <Fieldset legend="Name and identity">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Last name"
              withAsterisk
              value={values.lastName}
              error={err('lastName')}
              onChange={(e) => set('lastName', e.currentTarget.value)}
              autoFocus={!patron}
            />
            <TextInput
              label="First name"
              value={values.firstName}
              error={err('firstName')}
              onChange={(e) => set('firstName', e.currentTarget.value)}
            />
            <TextInput
              label="Middle name"
              value={values.middleName}
              error={err('middleName')}
              onChange={(e) => set('middleName', e.currentTarget.value)}
            />
            <TextInput
              label="Preferred name"
              value={values.preferredName}
              error={err('preferredName')}
              onChange={(e) => set('preferredName', e.currentTarget.value)}
            />
            <TextInput
              label="Primary identifier"
              description="The patron's main barcode or card number"
              withAsterisk
              value={values.primaryIdentifier}
              error={err('primaryIdentifier')}
              onChange={(e) => set('primaryIdentifier', e.currentTarget.value)}
              autoComplete="off"
            />
            <NativeSelect
              label="User group"
              withAsterisk
              value={values.userGroupId}
              error={err('userGroupId')}
              onChange={(e) => set('userGroupId', e.currentTarget.value)}
              data={userGroups.map((g) => ({ value: g.id, label: g.name }))}
            />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend="Email and phone">
          <Stack gap="sm">
            <ContactRows
              rows={values.emails}
              onChange={(rows) => set('emails', rows)}
              field="emails"
              valueField="address"
              label="Email address"
              inputType="email"
              typeLabel="Email type"
              types={EMAIL_TYPES}
              listLabel="Emails"
              addLabel="Add an email address"
              err={err}
            />
            <ContactRows
              rows={values.phones}
              onChange={(rows) => set('phones', rows)}
              field="phones"
              valueField="number"
              label="Phone number"
              inputType="tel"
              typeLabel="Phone type"
              types={PHONE_TYPES}
              listLabel="Phones"
              addLabel="Add a phone number"
              err={err}
            />
          </Stack>
        </Fieldset>

        <Fieldset legend="Address">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Address line 1"
              value={values.addressLine1}
              error={err('addresses.0.lines.0') ?? err('addresses.0.lines') ?? err('addresses.0')}
              onChange={(e) => set('addressLine1', e.currentTarget.value)}
            />
            <TextInput
              label="Address line 2"
              value={values.addressLine2}
              error={err('addresses.0.lines.1')}
              onChange={(e) => set('addressLine2', e.currentTarget.value)}
            />
            <TextInput
              label="City"
              value={values.city}
              error={err('addresses.0.city')}
              onChange={(e) => set('city', e.currentTarget.value)}
            />
            <TextInput
              label="Region"
              value={values.region}
              error={err('addresses.0.region')}
              onChange={(e) => set('region', e.currentTarget.value)}
            />
            <TextInput
              label="Postal code"
              value={values.postalCode}
              error={err('addresses.0.postalCode')}
              onChange={(e) => set('postalCode', e.currentTarget.value)}
            />
            <TextInput
              label="Country"
              value={values.country}
              error={err('addresses.0.country')}
              onChange={(e) => set('country', e.currentTarget.value)}
            />
            <NativeSelect
              label="Address type"
              value={values.addressType}
              data={ADDRESS_TYPES}
              onChange={(e) => set('addressType', e.currentTarget.value)}
            />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend="Account">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Expiry date"
              type="date"
              description="The account expires on this day"
              value={values.expiryDate}
              error={err('expiryDate')}
              onChange={(e) => set('expiryDate', e.currentTarget.value)}
            />
            <TextInput
              label="Purge date"
              type="date"
              description="The record may be deleted from this day"
              value={values.purgeDate}
              error={err('purgeDate')}
              onChange={(e) => set('purgeDate', e.currentTarget.value)}
            />
            <NativeSelect
              label="Status"
              value={values.status}
              error={err('status')}
              onChange={(e) => set('status', e.currentTarget.value as PatronStatus)}
              data={[
                { value: 'active', label: 'Active' },
                { value: 'inactive', label: 'Inactive' },
              ]}
            />
            {!patron ? (
              <PasswordInput
                label="Discovery password"
                description="Optional: lets the patron sign in to discovery (10 characters or more)"
                value={values.password}
                error={err('password')}
                onChange={(e) => set('password', e.currentTarget.value)}
                autoComplete="new-password"
              />
            ) : null}
          </SimpleGrid>
          <Textarea
            mt="sm"
            label="General note"
            autosize
            minRows={2}
            value={values.generalNote}
            error={err('generalNote')}
            onChange={(e) => set('generalNote', e.currentTarget.value)}
          />
        </Fieldset>

        <Group gap="sm">
          <Button type="submit" loading={busy}>
            {patron ? 'Save changes' : 'Create patron'}
          </Button>
          {onCancel ? (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
        </Group>
      </Stack>
    </Box>
  );
}

interface ContactRowsProps {
  rows: ContactRow[];
  onChange: (rows: ContactRow[]) => void;
  /** The request field ("emails") and the row's value field ("address"), for field errors. */
  field: string;
  valueField: string;
  /** "Email address": the field label; rows after the first add their number ("Email address 2"). */
  label: string;
  inputType: 'email' | 'tel';
  typeLabel: string;
  types: string[];
  /** "Emails": names the list in an error about the whole list. */
  listLabel: string;
  addLabel: string;
  err: (field: string) => string | null;
}

/** A list of email addresses or phone numbers, each with its type and a Remove button, and an Add button. */
function ContactRows({
  rows,
  onChange,
  field,
  valueField,
  label,
  inputType,
  typeLabel,
  types,
  listLabel,
  addLabel,
  err,
}: ContactRowsProps) {
  const update = (i: number, change: Partial<ContactRow>) =>
    onChange(rows.map((x, j) => (j === i ? { ...x, ...change } : x)));
  return (
    <>
      {rows.map((row, i) => {
        const n = i === 0 ? '' : ` ${i + 1}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
          <Group key={i} align="flex-start" gap="sm" wrap="wrap">
            <TextInput
              label={`${label}${n}`}
              type={inputType}
              value={row.value}
              error={err(`${field}.${i}.${valueField}`) ?? err(`${field}.${i}`)}
              onChange={(e) => update(i, { value: e.currentTarget.value })}
              style={{ flex: 1, minWidth: 240 }}
            />
            <NativeSelect
              label={`${typeLabel}${n}`}
              value={row.type}
              data={types}
              onChange={(e) => update(i, { type: e.currentTarget.value })}
            />
            <Button
              variant="default"
              mt={24}
              aria-label={`Remove ${label.toLowerCase()}${n}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              Remove
            </Button>
          </Group>
        );
      })}
      {err(field) ? (
        <Box c="red.9" fz="sm">
          {listLabel}: {err(field)}
        </Box>
      ) : null}
      <Group>
        <Button
          variant="default"
          onClick={() =>
            onChange([...rows, { value: '', type: types[0] ?? 'other', preferred: rows.length === 0 }])
          }
        >
          {addLabel}
        </Button>
      </Group>
    </>
  );
}

const KNOWN_FIELDS = [
  'primaryIdentifier',
  'firstName',
  'middleName',
  'lastName',
  'preferredName',
  'userGroupId',
  'emails',
  'phones',
  'addresses.0',
  'expiryDate',
  'purgeDate',
  'status',
  'generalNote',
  'password',
];
