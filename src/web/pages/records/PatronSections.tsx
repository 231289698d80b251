import {
  Box,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import {
  addPatronBlock,
  addPatronIdentifier,
  expirePatron,
  removePatronBlock,
  removePatronIdentifier,
  setPatronPassword,
} from '../../api/records.ts';
import { type Letter, listPatronLetters, type Patron } from '../../api/shared.ts';
import { errorMessage, isAbort } from '../../api.ts';
import { ApiErrorAlert, fieldErrors } from '../../components/ApiErrorAlert.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { formatDate, formatDateTime } from '../../format.ts';
import { patronDisplayName } from './recordParts.tsx';

/** A titled part of the record page (a region named by its heading). */
export function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Box component="section" aria-labelledby={id}>
      <Title order={2} id={id} size="h3" mb="xs">
        {title}
      </Title>
      {children}
    </Box>
  );
}

/** The record read only (staff with patrons.read but not patrons.manage). */
export function PatronDetailsView({ patron }: { patron: Patron }) {
  const rows: [string, ReactNode][] = [
    ['Name', patronDisplayName(patron)],
    ['Primary identifier', patron.primaryIdentifier],
    ['User group', patron.userGroup.name],
    ['Email', patron.emails.length ? patron.emails.map((e) => `${e.address} (${e.type})`).join('; ') : '—'],
    ['Phone', patron.phones.length ? patron.phones.map((p) => `${p.number} (${p.type})`).join('; ') : '—'],
    [
      'Address',
      patron.addresses.length
        ? patron.addresses
            .map((a) => [...a.lines, a.postalCode, a.city, a.region, a.country].filter(Boolean).join(', '))
            .join('; ')
        : '—',
    ],
    ['Expiry date', formatDate(patron.expiryDate)],
    ['Status', patron.status === 'active' ? 'Active' : 'Inactive'],
    ['General note', patron.generalNote || '—'],
    ['Discovery sign-in', patron.hasDiscoveryLogin ? 'Has a discovery password' : 'No discovery password'],
  ];
  return (
    <Table captionSide="top" withTableBorder variant="vertical" data-testid="patron-details" maw={720}>
      <Table.Caption>Patron details (read only)</Table.Caption>
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th scope="row" w={200}>
              {label}
            </Table.Th>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

interface SectionProps {
  institutionId: string;
  patron: Patron;
  canManage: boolean;
  /** The record after a change (a POST answers it; after a DELETE the page reloads it). */
  onChanged: (patron: Patron | null, message: string) => void;
}

const IDENTIFIER_TYPES = ['BARCODE', 'UNIVERSITY_ID', 'LIBRARY_CARD', 'NATIONAL_ID', 'OTHER'];

/** PAT-1 identifiers: list, add (unique per type in the institution: 409 names the holder), remove. */
export function IdentifiersSection({ institutionId, patron, canManage, onChanged }: SectionProps) {
  const [type, setType] = useState('BARCODE');
  const [value, setValue] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const valueRef = useRef<HTMLInputElement>(null);
  const errors = fieldErrors(error);

  async function onAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const updated = await addPatronIdentifier(institutionId, patron.id, { type, value: value.trim() });
      onChanged(
        updated,
        `Identifier ${type} ${value.trim()} added. Scan or type another, or carry on below.`,
      );
      setValue('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      valueRef.current?.focus();
    }
  }

  async function onRemove(identifier: { type: string; value: string }) {
    setError(null);
    try {
      await removePatronIdentifier(institutionId, patron.id, identifier);
      onChanged(null, `Identifier ${identifier.type} ${identifier.value} removed.`);
    } catch (e) {
      setError(e);
    }
  }

  const messages = Object.values(errors);
  return (
    <Section id="identifiers-heading" title="Identifiers">
      <Stack gap="sm">
        {patron.identifiers.length === 0 ? (
          <Text>No identifiers besides the primary identifier ({patron.primaryIdentifier}).</Text>
        ) : (
          <Table captionSide="top" withTableBorder maw={720} data-testid="patron-identifiers">
            <Table.Caption>Identifiers of this patron</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Type</Table.Th>
                <Table.Th scope="col">Value</Table.Th>
                {canManage ? (
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                ) : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {patron.identifiers.map((i) => (
                <Table.Tr key={`${i.type}:${i.value}`}>
                  <Table.Td>{i.type}</Table.Td>
                  <Table.Td>{i.value}</Table.Td>
                  {canManage ? (
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="default"
                        aria-label={`Remove identifier ${i.type} ${i.value}`}
                        onClick={() => onRemove(i)}
                      >
                        Remove
                      </Button>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {error ? (
          messages.length > 0 ? (
            <ErrorMessage title="The identifier was not added">{messages.join(' ')}</ErrorMessage>
          ) : (
            <ApiErrorAlert title="The identifier was not changed" error={error} />
          )
        ) : null}
        {canManage ? (
          <Box component="form" onSubmit={onAdd} noValidate aria-label="Add an identifier">
            <Group align="flex-start" gap="sm" wrap="wrap">
              <NativeSelect
                label="Identifier type"
                value={type}
                data={IDENTIFIER_TYPES}
                error={errors.type ?? null}
                onChange={(e) => setType(e.currentTarget.value)}
              />
              <TextInput
                ref={valueRef}
                label="Identifier value"
                value={value}
                error={errors.value ?? null}
                onChange={(e) => setValue(e.currentTarget.value)}
                autoComplete="off"
                spellCheck={false}
                style={{ flex: 1, minWidth: 220, maxWidth: 360 }}
              />
              <Button type="submit" loading={busy} mt={24}>
                Add identifier
              </Button>
            </Group>
          </Box>
        ) : null}
      </Stack>
    </Section>
  );
}

const BLOCK_TYPES = ['LIBRARY', 'FINES', 'LOST_CARD', 'OVERDUE', 'CONDUCT', 'OTHER'];

/** PAT-1 blocks: the active ones, add one (type, reason, network block, end), lift one. */
export function BlocksSection({ institutionId, patron, canManage, onChanged }: SectionProps) {
  const [blockType, setBlockType] = useState('LIBRARY');
  const [reason, setReason] = useState('');
  const [networkBlock, setNetworkBlock] = useState(false);
  const [expiresOn, setExpiresOn] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);

  async function onAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const updated = await addPatronBlock(institutionId, patron.id, {
        blockType,
        reason: reason.trim() || undefined,
        networkBlock,
        // The block runs to the end of the chosen day in this browser's time zone.
        expiresAt: expiresOn ? new Date(`${expiresOn}T23:59:59`).toISOString() : null,
      });
      onChanged(
        updated,
        `Block ${blockType} added: the patron cannot borrow or request until it is removed.`,
      );
      setReason('');
      setExpiresOn('');
      setNetworkBlock(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function onRemove(blockId: string, type: string) {
    setError(null);
    try {
      await removePatronBlock(institutionId, patron.id, blockId);
      onChanged(null, `Block ${type} removed.`);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Section id="blocks-heading" title="Blocks">
      <Stack gap="sm">
        {patron.blocks.length === 0 ? (
          <Text>No active blocks.</Text>
        ) : (
          <Table captionSide="top" withTableBorder data-testid="patron-blocks">
            <Table.Caption>Active blocks</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Type</Table.Th>
                <Table.Th scope="col">Reason</Table.Th>
                <Table.Th scope="col">Network block</Table.Th>
                <Table.Th scope="col">Ends</Table.Th>
                <Table.Th scope="col">Set</Table.Th>
                {canManage ? (
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                ) : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {patron.blocks.map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>{b.blockType}</Table.Td>
                  <Table.Td>{b.reason || '—'}</Table.Td>
                  <Table.Td>{b.networkBlock ? 'Yes' : 'No'}</Table.Td>
                  <Table.Td>{b.expiresAt ? formatDateTime(b.expiresAt) : 'When removed'}</Table.Td>
                  <Table.Td>{formatDateTime(b.createdAt)}</Table.Td>
                  {canManage ? (
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="default"
                        aria-label={`Remove block ${b.blockType}`}
                        onClick={() => onRemove(b.id, b.blockType)}
                      >
                        Remove
                      </Button>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {error ? <ApiErrorAlert title="The block was not changed" error={error} /> : null}
        {canManage ? (
          <Box component="form" onSubmit={onAdd} noValidate aria-label="Add a block">
            <Group align="flex-start" gap="sm" wrap="wrap">
              <NativeSelect
                label="Block type"
                value={blockType}
                data={BLOCK_TYPES}
                error={errors.blockType ?? null}
                onChange={(e) => setBlockType(e.currentTarget.value)}
              />
              <TextInput
                label="Block reason"
                value={reason}
                error={errors.reason ?? null}
                onChange={(e) => setReason(e.currentTarget.value)}
                style={{ flex: 1, minWidth: 220, maxWidth: 420 }}
              />
              <TextInput
                label="Block ends on"
                description="Empty: until removed"
                type="date"
                value={expiresOn}
                error={errors.expiresAt ?? null}
                onChange={(e) => setExpiresOn(e.currentTarget.value)}
              />
            </Group>
            <Checkbox
              mt="sm"
              label="Network block (also blocks the patron's linked accounts at other members)"
              checked={networkBlock}
              onChange={(e) => setNetworkBlock(e.currentTarget.checked)}
            />
            <Button type="submit" loading={busy} mt="sm">
              Add block
            </Button>
          </Box>
        ) : null}
      </Stack>
    </Section>
  );
}

/** Expire now (with confirmation) and the discovery password. */
export function AccountSection({ institutionId, patron, canManage, onChanged }: SectionProps) {
  const [confirming, setConfirming] = useState(false);
  const [expireError, setExpireError] = useState<unknown>(null);
  const [expiring, setExpiring] = useState(false);
  const [password, setPassword] = useState('');
  const [passwordError, setPasswordError] = useState<unknown>(null);
  const [savingPassword, setSavingPassword] = useState(false);
  const passwordErrors = fieldErrors(passwordError);

  async function onExpire() {
    setExpiring(true);
    setExpireError(null);
    try {
      const updated = await expirePatron(institutionId, patron.id);
      setConfirming(false);
      onChanged(updated, 'The account is expired from today. Set a later expiry date above to renew it.');
    } catch (e) {
      setExpireError(e);
    } finally {
      setExpiring(false);
    }
  }

  async function onSetPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSavingPassword(true);
    setPasswordError(null);
    try {
      await setPatronPassword(institutionId, patron.id, password);
      setPassword('');
      onChanged(null, 'Discovery password set. Give it to the patron; their other sessions were signed out.');
    } catch (e) {
      setPasswordError(e);
    } finally {
      setSavingPassword(false);
    }
  }

  async function onRemoveLogin() {
    setPasswordError(null);
    try {
      await setPatronPassword(institutionId, patron.id, null);
      onChanged(null, 'Discovery sign-in removed: the patron can no longer sign in to discovery.');
    } catch (e) {
      setPasswordError(e);
    }
  }

  if (!canManage) return null;
  return (
    <Section id="account-heading" title="Expiry and discovery sign-in">
      <Stack gap="md">
        <Group gap="sm" align="center">
          <Text>
            {patron.expired
              ? `The account expired on ${formatDate(patron.expiryDate)}.`
              : patron.expiryDate
                ? `The account expires on ${formatDate(patron.expiryDate)}.`
                : 'The account has no expiry date.'}
          </Text>
          {patron.expired ? null : (
            <Button variant="outline" color="red.9" onClick={() => setConfirming(true)}>
              Expire now
            </Button>
          )}
        </Group>
        <ConfirmDialog
          opened={confirming}
          title="Expire this account now?"
          confirmLabel="Expire account"
          busy={expiring}
          alert={
            expireError ? <ApiErrorAlert title="Expire account was refused" error={expireError} /> : null
          }
          onConfirm={onExpire}
          onCancel={() => {
            setConfirming(false);
            setExpireError(null);
          }}
        >
          {`${patronDisplayName(patron)} will not be able to borrow, renew or request from today until a later expiry date is set.`}
        </ConfirmDialog>

        <Text>
          {patron.hasDiscoveryLogin
            ? 'The patron can sign in to discovery with a password.'
            : 'The patron has no discovery password and cannot sign in to discovery.'}
        </Text>
        {passwordError && Object.keys(passwordErrors).length === 0 ? (
          <ApiErrorAlert title="The password was not changed" error={passwordError} />
        ) : null}
        <Box component="form" onSubmit={onSetPassword} noValidate aria-label="Discovery password">
          <Group align="flex-start" gap="sm" wrap="wrap">
            <PasswordInput
              label="New discovery password"
              description="10 characters or more"
              value={password}
              error={passwordErrors.password ?? null}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="new-password"
              style={{ minWidth: 260 }}
            />
            <Button type="submit" loading={savingPassword} mt={24}>
              Set password
            </Button>
            {patron.hasDiscoveryLogin ? (
              <Button variant="default" mt={24} onClick={onRemoveLogin}>
                Remove discovery sign-in
              </Button>
            ) : null}
          </Group>
        </Box>
      </Stack>
    </Section>
  );
}

const LETTER_STATUS: Record<Letter['status'], string> = {
  pending: 'Waiting to be sent',
  delivered: 'Delivered',
  failed: 'Failed',
};

/** CIRC-12: the letters written to the patron, newest first, with their delivery state. */
export function LettersSection({
  institutionId,
  patronId,
  reloadKey,
}: {
  institutionId: string;
  patronId: string;
  reloadKey: number;
}) {
  const [letters, setLetters] = useState<Letter[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    void reloadKey;
    listPatronLetters(institutionId, patronId, controller.signal)
      .then(setLetters)
      .catch((e: unknown) => {
        if (!isAbort(e)) setError(e);
      });
    return () => controller.abort();
  }, [institutionId, patronId, reloadKey]);

  return (
    <Section id="letters-heading" title="Letters sent">
      {error ? (
        <ErrorMessage title="The letters could not be loaded">{errorMessage(error)}</ErrorMessage>
      ) : letters === null ? (
        <StatusMessage>Loading letters…</StatusMessage>
      ) : letters.length === 0 ? (
        <Text>No letters have been written to this patron.</Text>
      ) : (
        <Table captionSide="top" withTableBorder striped data-testid="patron-letters">
          <Table.Caption>Letters written to this patron, newest first</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Written</Table.Th>
              <Table.Th scope="col">Letter</Table.Th>
              <Table.Th scope="col">Subject</Table.Th>
              <Table.Th scope="col">To</Table.Th>
              <Table.Th scope="col">Delivery</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {letters.map((l) => (
              <Table.Tr key={l.id}>
                <Table.Td>{formatDateTime(l.createdAt)}</Table.Td>
                <Table.Td>{l.letterType.replaceAll('_', ' ')}</Table.Td>
                <Table.Td>{l.subject}</Table.Td>
                <Table.Td>{l.to ?? '—'}</Table.Td>
                <Table.Td>
                  {LETTER_STATUS[l.status]}
                  {l.status === 'delivered' && l.deliveredAt ? ` ${formatDateTime(l.deliveredAt)}` : ''}
                  {l.status !== 'delivered' && l.lastError ? ` (${l.lastError})` : ''}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}
