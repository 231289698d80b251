import {
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  NativeSelect,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  type Bib,
  getBib,
  getItem,
  getItemHistory,
  type HistoryEntry,
  type Item,
  type ItemInput,
  type LocationRecord,
  listItemPolicies,
  listLocations,
  listMaterialTypes,
  updateHolding,
  updateItem,
  withdrawItem,
} from '../../api/records.ts';
import type { CodeName } from '../../api/shared.ts';
import { isAbort } from '../../api.ts';
import { ApiErrorAlert, fieldErrors } from '../../components/ApiErrorAlert.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { formatDateTime } from '../../format.ts';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { Section } from './PatronSections.tsx';
import { RecordLoadError } from './recordParts.tsx';

/**
 * An item record (CIRC-1, CIRC-13): what it is, where it belongs, its state in words, its
 * history; managers (inventory.manage) change its fields and withdraw it.
 */
export function ItemRecordPage() {
  const { itemId } = useParams();
  return itemId ? <ItemRecord key={itemId} itemId={itemId} /> : null;
}

function ItemRecord({ itemId }: { itemId: string }) {
  const { institutionId, can } = useStaff();
  const canManage = can('inventory.manage');
  const [item, setItem] = useState<Item | null>(null);
  const [bib, setBib] = useState<Bib | null>(null);
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  const [historyError, setHistoryError] = useState<unknown>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [withdrawError, setWithdrawError] = useState<unknown>(null);
  const [withdrawing, setWithdrawing] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  usePageTitle(item ? `Item record: ${item.barcode}` : 'Item record');

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const loaded = await getItem(institutionId, itemId, signal);
        setItem(loaded);
        setLoadError(null);
        getBib(institutionId, loaded.bibId, signal)
          .then(setBib)
          .catch(() => setBib(null));
        getItemHistory(institutionId, itemId, signal)
          .then((h) => {
            setHistory(h);
            setHistoryError(null);
          })
          .catch((e: unknown) => {
            if (!isAbort(e)) setHistoryError(e);
          });
      } catch (e) {
        if (!isAbort(e)) setLoadError(e);
      }
    },
    [institutionId, itemId],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  async function onWithdraw() {
    setWithdrawing(true);
    setWithdrawError(null);
    try {
      const updated = await withdrawItem(institutionId, itemId);
      setItem(updated);
      setConfirming(false);
      setMessage(
        `Item ${updated.barcode} withdrawn. Take it off the shelf; it can no longer be lent or requested.`,
      );
      headingRef.current?.focus();
    } catch (e) {
      setWithdrawError(e);
    } finally {
      setWithdrawing(false);
    }
  }

  if (loadError && !item) {
    return (
      <Stack gap="md">
        <Title order={1}>Item record</Title>
        <RecordLoadError what="item" error={loadError} />
        <Anchor component={Link} to="/staff/items">
          Find another item
        </Anchor>
      </Stack>
    );
  }
  if (!item) {
    return (
      <Stack gap="md">
        <Title order={1}>Item record</Title>
        <StatusMessage>Loading the item record…</StatusMessage>
      </Stack>
    );
  }

  const withdrawn = item.status === 'withdrawn';
  return (
    <Stack gap="lg">
      <Stack gap="xs">
        <Title order={1} ref={headingRef} tabIndex={-1}>
          Item record: {item.barcode}
        </Title>
        <Text fw={700}>
          {item.title}
          {bib?.subtitle ? `: ${bib.subtitle}` : ''}
        </Text>
        {item.author ? <Text>{item.author}</Text> : null}
        <Group gap="md">
          <Anchor component={Link} to="/staff/items">
            Find another item
          </Anchor>
        </Group>
        <StatusMessage>{message ?? ''}</StatusMessage>
      </Stack>

      <Section id="state-heading" title="Current state">
        <Group gap="sm" align="center">
          <Badge
            size="lg"
            variant="light"
            c="dark.9"
            color={item.status === 'in_place' ? 'green' : withdrawn ? 'gray' : 'orange'}
          >
            {item.status === 'in_place' ? 'Available' : withdrawn ? 'Withdrawn' : 'Not on the shelf'}
          </Badge>
          <Text fz="lg" data-testid="item-state">
            {describeState(item, history)}
          </Text>
        </Group>
      </Section>

      <Section id="item-details-heading" title="Details">
        {editing ? (
          <ItemEditForm
            item={item}
            onCancel={() => setEditing(false)}
            onSaved={(updated) => {
              setItem(updated);
              setEditing(false);
              setMessage('Changes saved.');
              headingRef.current?.focus();
            }}
          />
        ) : (
          <Stack gap="sm">
            <ItemDetails item={item} bib={bib} />
            {canManage && !withdrawn ? (
              <Group gap="sm">
                <Button onClick={() => setEditing(true)}>Edit item</Button>
                <Button variant="outline" color="red.9" onClick={() => setConfirming(true)}>
                  Withdraw item
                </Button>
              </Group>
            ) : null}
          </Stack>
        )}
        <ConfirmDialog
          opened={confirming}
          title="Withdraw this item?"
          confirmLabel="Withdraw item"
          busy={withdrawing}
          alert={
            withdrawError ? <ApiErrorAlert title="Withdraw item was refused" error={withdrawError} /> : null
          }
          onConfirm={onWithdraw}
          onCancel={() => {
            setConfirming(false);
            setWithdrawError(null);
          }}
        >
          {`${item.barcode} (${item.title}) will leave the collection: it can no longer be lent or requested. An item that is not on the shelf cannot be withdrawn.`}
        </ConfirmDialog>
      </Section>

      <Section id="history-heading" title="Item history">
        {historyError ? (
          <ApiErrorAlert title="The history could not be loaded" error={historyError} />
        ) : history === null ? (
          <StatusMessage>Loading the history…</StatusMessage>
        ) : history.length === 0 ? (
          <Text>Nothing has happened to this item yet.</Text>
        ) : (
          <HistoryTable entries={history} />
        )}
      </Section>
    </Stack>
  );
}

/** CIRC-1: the state in words, with when and for whom as the history tells it. */
function describeState(item: Item, history: HistoryEntry[] | null): string {
  if (item.status === 'withdrawn') {
    return item.withdrawnAt ? `Withdrawn on ${formatDateTime(item.withdrawnAt)}` : item.statusText;
  }
  if (item.status === 'in_place') return `On the shelf at ${item.location.name}, ${item.library.name}`;
  const latest = (events: string[]) => history?.find((h) => events.includes(h.event));
  switch (item.processType) {
    case 'loan': {
      const entry = latest(['loan', 'renew']);
      const due = typeof entry?.details.dueAt === 'string' ? entry.details.dueAt : null;
      const who = entry?.patron ? ` to ${entry.patron.name}` : '';
      return due ? `On loan${who} until ${formatDateTime(due)}` : `On loan${who}`;
    }
    case 'hold_shelf': {
      const entry = latest(['hold_shelf']);
      const until =
        typeof entry?.details.expiresAt === 'string'
          ? `, waiting until ${formatDateTime(entry.details.expiresAt)}`
          : '';
      const at = entry?.library?.name ? ` at ${entry.library.name}` : '';
      return entry?.patron
        ? `On the hold shelf${at} for ${entry.patron.name}${until}`
        : `On the hold shelf${at}${until}`;
    }
    case 'transit': {
      const entry = latest(['return', 'scan_in', 'transit']);
      const from = entry?.library?.name ? ` from ${entry.library.name}` : '';
      const reason =
        entry?.details.reason === 'request'
          ? ' for a request'
          : entry?.details.reason === 'home_library'
            ? ` to its home library ${item.library.name}`
            : '';
      return `In transit${from}${reason}`;
    }
    default:
      return item.statusText;
  }
}

function ItemDetails({ item, bib }: { item: Item; bib: Bib | null }) {
  const identifiers = bib ? [...bib.isbns.map((i) => `ISBN ${i}`), ...bib.issns.map((i) => `ISSN ${i}`)] : [];
  const rows: [string, ReactNode][] = [
    ['Barcode', item.barcode],
    ['Title', item.title],
    ['Author', item.author || '—'],
    ...(bib
      ? ([
          [
            'Publication',
            [bib.publisher, bib.publicationYear, bib.edition].filter(Boolean).join(', ') || '—',
          ],
          ['Identifiers', identifiers.length ? identifiers.join('; ') : '—'],
        ] as [string, ReactNode][])
      : []),
    ['Library', item.library.name],
    ['Shelving location', item.location.name],
    ['Call number', item.callNumber || '—'],
    ['Material type', item.materialType.name],
    ['Item policy', item.itemPolicy.name],
    ['Volume', [item.enumeration, item.chronology].filter(Boolean).join(' ') || '—'],
    ['Note', item.description || '—'],
  ];
  return (
    <Table captionSide="top" withTableBorder variant="vertical" maw={760} data-testid="item-details">
      <Table.Caption>Item details</Table.Caption>
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

interface EditValues {
  barcode: string;
  materialTypeId: string;
  itemPolicyId: string;
  enumeration: string;
  chronology: string;
  description: string;
  locationId: string;
  callNumber: string;
}

/** The item's fields; the call number and location belong to its holding (all its copies). */
function ItemEditForm({
  item,
  onSaved,
  onCancel,
}: {
  item: Item;
  onSaved: (item: Item) => void;
  onCancel: () => void;
}) {
  const { institutionId } = useStaff();
  const [lists, setLists] = useState<{
    materialTypes: CodeName[];
    itemPolicies: CodeName[];
    locations: LocationRecord[];
  } | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [values, setValues] = useState<EditValues>({
    barcode: item.barcode,
    materialTypeId: item.materialType.id,
    itemPolicyId: item.itemPolicy.id,
    enumeration: item.enumeration,
    chronology: item.chronology,
    description: item.description,
    locationId: item.location.id,
    callNumber: item.callNumber,
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const errors = fieldErrors(error);

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([
      listMaterialTypes(institutionId, controller.signal),
      listItemPolicies(institutionId, controller.signal),
      listLocations(institutionId, controller.signal),
    ])
      .then(([materialTypes, itemPolicies, locations]) =>
        setLists({ materialTypes, itemPolicies, locations }),
      )
      .catch((e: unknown) => {
        if (!isAbort(e)) setListError(e);
      });
    return () => controller.abort();
  }, [institutionId]);

  useEffect(() => {
    if (!error) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);

  const set = (key: keyof EditValues, value: string) => setValues((v) => ({ ...v, [key]: value }));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const itemChanges: ItemInput = {};
      if (values.barcode.trim() !== item.barcode) itemChanges.barcode = values.barcode.trim();
      if (values.materialTypeId !== item.materialType.id) itemChanges.materialTypeId = values.materialTypeId;
      if (values.itemPolicyId !== item.itemPolicy.id) itemChanges.itemPolicyId = values.itemPolicyId;
      if (values.enumeration !== item.enumeration) itemChanges.enumeration = values.enumeration;
      if (values.chronology !== item.chronology) itemChanges.chronology = values.chronology;
      if (values.description !== item.description) itemChanges.description = values.description;
      const holdingChanges: { locationId?: string; callNumber?: string } = {};
      if (values.locationId !== item.location.id) holdingChanges.locationId = values.locationId;
      if (values.callNumber.trim() !== item.callNumber) holdingChanges.callNumber = values.callNumber.trim();
      if (Object.keys(itemChanges).length > 0) await updateItem(institutionId, item.id, itemChanges);
      if (Object.keys(holdingChanges).length > 0)
        await updateHolding(institutionId, item.holdingId, holdingChanges);
      onSaved(await getItem(institutionId, item.id));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  if (listError) return <ApiErrorAlert title="The lists of choices could not be loaded" error={listError} />;
  if (!lists) return <StatusMessage>Loading…</StatusMessage>;
  const locations = lists.locations.some((l) => l.id === item.location.id)
    ? lists.locations
    : [{ ...item.location, libraryId: item.library.id, libraryName: item.library.name }, ...lists.locations];

  return (
    <Box component="form" ref={formRef} onSubmit={onSubmit} noValidate aria-label="Edit item" maw={760}>
      <Stack gap="sm">
        {error ? (
          Object.keys(errors).length > 0 ? (
            <ErrorMessage title="The changes were not saved">
              Correct the fields marked below:{' '}
              {Object.entries(errors)
                .map(([f, m]) => `${f} ${m}`)
                .join('; ')}
              .
            </ErrorMessage>
          ) : (
            <ApiErrorAlert title="The changes were not saved" error={error} />
          )
        ) : null}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label="Barcode"
            value={values.barcode}
            error={errors.barcode ?? null}
            onChange={(e) => set('barcode', e.currentTarget.value)}
            autoComplete="off"
            spellCheck={false}
            autoFocus
          />
          <NativeSelect
            label="Material type"
            value={values.materialTypeId}
            error={errors.materialTypeId ?? null}
            onChange={(e) => set('materialTypeId', e.currentTarget.value)}
            data={lists.materialTypes.map((m) => ({ value: m.id, label: m.name }))}
          />
          <NativeSelect
            label="Item policy"
            value={values.itemPolicyId}
            error={errors.itemPolicyId ?? null}
            onChange={(e) => set('itemPolicyId', e.currentTarget.value)}
            data={lists.itemPolicies.map((m) => ({ value: m.id, label: m.name }))}
          />
          <NativeSelect
            label="Shelving location"
            description="Moves every copy of this holding"
            value={values.locationId}
            error={errors.locationId ?? null}
            onChange={(e) => set('locationId', e.currentTarget.value)}
            data={locations.map((l) => ({
              value: l.id,
              label: l.libraryName ? `${l.libraryName}: ${l.name}` : l.name,
            }))}
          />
          <TextInput
            label="Call number"
            description="Shared by every copy of this holding"
            value={values.callNumber}
            error={errors.callNumber ?? null}
            onChange={(e) => set('callNumber', e.currentTarget.value)}
          />
          <TextInput
            label="Volume (enumeration)"
            description='For example "v.2"'
            value={values.enumeration}
            error={errors.enumeration ?? null}
            onChange={(e) => set('enumeration', e.currentTarget.value)}
          />
          <TextInput
            label="Chronology"
            description='For example "2024"'
            value={values.chronology}
            error={errors.chronology ?? null}
            onChange={(e) => set('chronology', e.currentTarget.value)}
          />
          <TextInput
            label="Note"
            value={values.description}
            error={errors.description ?? null}
            onChange={(e) => set('description', e.currentTarget.value)}
          />
        </SimpleGrid>
        <Group gap="sm">
          <Button type="submit" loading={busy}>
            Save item
          </Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </Box>
  );
}

const EVENT_NAMES: Record<string, string> = {
  loan: 'Lent',
  renew: 'Renewed',
  return: 'Returned',
  override: 'Override',
  scan_in: 'Scanned in',
  request: 'Request',
  transit: 'Transit',
  hold_shelf: 'Hold shelf',
  missing: 'Missing',
  lost: 'Declared lost',
  claimed_returned: 'Claimed returned',
};

const DETAIL_LABELS: Record<string, string> = {
  dueAt: 'due',
  previousDueAt: 'was due',
  expiresAt: 'waits until',
  action: 'action',
  nextStep: 'next step',
  reason: 'reason',
  note: 'note',
  codes: 'overridden',
  overridden: 'overridden',
  renewalsUsed: 'renewals used',
  overdueDays: 'days overdue',
  requestType: 'request type',
  queuePosition: 'queue position',
  by: 'by',
  cappedBy: 'due date capped by',
  approvedBy: 'approved by',
  previousStatus: 'previous status',
};

/** The details of an entry in words: ids are left out, dates and amounts are formatted. */
function describeDetails(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (value === null || value === undefined || value === false || key.endsWith('Id') || key === 'reasons')
      continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (
      key === 'termsFallback' ||
      (key === 'cappedBy' && value === 'none') ||
      (key === 'overdueDays' && value === 0)
    )
      continue;
    if (key === 'movedFromClosedDay') {
      parts.push('due date moved off a closed day');
      continue;
    }
    const label = DETAIL_LABELS[key] ?? key;
    if (key === 'fineMinor' && typeof value === 'number') {
      // The currency is not in the entry: say only that a fine was charged.
      if (value > 0) parts.push('overdue fine charged');
      continue;
    }
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
      parts.push(`${label} ${formatDateTime(value)}`);
    } else if (Array.isArray(value)) {
      parts.push(`${label} ${value.map(String).join(', ')}`);
    } else if (typeof value === 'object') {
    } else if (value === true) {
      parts.push(label);
    } else {
      parts.push(`${label} ${String(value).replaceAll('_', ' ')}`);
    }
  }
  return parts.join('; ') || '—';
}

function HistoryTable({ entries }: { entries: HistoryEntry[] }) {
  return (
    <Table captionSide="top" withTableBorder striped data-testid="item-history">
      <Table.Caption>Everything that happened to this item, newest first</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">When</Table.Th>
          <Table.Th scope="col">Event</Table.Th>
          <Table.Th scope="col">Desk or library</Table.Th>
          <Table.Th scope="col">Staff</Table.Th>
          <Table.Th scope="col">Patron</Table.Th>
          <Table.Th scope="col">Details</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((h) => (
          <Table.Tr key={h.id}>
            <Table.Td>{formatDateTime(h.at)}</Table.Td>
            <Table.Td>{EVENT_NAMES[h.event] ?? h.event}</Table.Td>
            <Table.Td>{h.desk?.name ?? h.library?.name ?? h.institution?.name ?? '—'}</Table.Td>
            <Table.Td>{h.operator?.name ?? '—'}</Table.Td>
            <Table.Td>{h.patron?.name ?? '—'}</Table.Td>
            <Table.Td>{describeDetails(h.details)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
