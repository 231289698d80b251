import {
  Box,
  Button,
  Group,
  Modal,
  NativeSelect,
  Radio,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useRef, useState } from 'react';
import { cancelRequest, listPatronRequests, placeRequest } from '../../api/circulation.ts';
import type { Patron, RequestView } from '../../api/shared.ts';
import { getPublicInstitution, type SessionDesk, searchCatalogue, type WorkResult } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { WordBadge } from '../../components/WordBadge.tsx';
import { formatDate, formatDateTime } from '../../format.ts';
import { REQUEST_STATUS_WORDS, useLoaded } from './parts.tsx';

const ACTIVE = new Set(['not_started', 'in_process', 'in_transit', 'on_hold_shelf']);

interface RequestsTabProps {
  patron: Patron;
  desk: SessionDesk;
  refresh: number;
  onChanged: () => void;
}

/** The patron's requests with their place in the queue; cancel with a reason; place a new one. */
export function RequestsTab({ patron, desk, refresh, onChanged }: RequestsTabProps) {
  const requests = useLoaded(
    (signal) => listPatronRequests(patron.institutionId, patron.id, signal),
    [patron.id, refresh],
  );
  const [status, setStatus] = useState('');
  const [cancelling, setCancelling] = useState<RequestView | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function confirmCancel(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!cancelling) return;
    if (reason.trim() === '') {
      setReasonError('Give the reason for cancelling: the patron is told.');
      return;
    }
    setBusy(true);
    setCancelError(null);
    try {
      await cancelRequest(cancelling.institutionId, cancelling.id, reason.trim());
      setStatus(`The request for “${cancelling.title.title}” is cancelled. The patron is sent a letter.`);
      setCancelling(null);
      onChanged();
    } catch (error) {
      setCancelError(error);
    } finally {
      setBusy(false);
    }
  }

  const rows = requests.state === 'done' ? requests.data : [];

  return (
    <Stack gap="lg">
      <Text role="status" c="gray.9" data-testid="requests-status">
        {status}
      </Text>
      <Box component="section" aria-labelledby="requests-heading">
        <Title order={3} id="requests-heading" mb="xs">
          Active requests
        </Title>
        {requests.state === 'loading' ? <StatusMessage>Loading requests…</StatusMessage> : null}
        {requests.state === 'error' ? (
          <ApiErrorAlert title="Requests could not be loaded" error={requests.error} />
        ) : null}
        {requests.state === 'done' && rows.length === 0 ? <Text c="gray.8">No active requests.</Text> : null}
        {rows.length > 0 ? (
          <Table.ScrollContainer minWidth={760}>
            <Table captionSide="top" striped withTableBorder data-testid="patron-requests">
              <Table.Caption>
                {rows.length} active {rows.length === 1 ? 'request' : 'requests'}
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Title</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Queue position</Table.Th>
                  <Table.Th>Pickup library</Table.Th>
                  <Table.Th>On hold shelf until</Table.Th>
                  <Table.Th>Placed</Table.Th>
                  <Table.Th>Action</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Text inherit fw={600} id={`request-title-${r.id}`}>
                        {r.title.title}
                        {r.volume ? ` (${r.volume})` : ''}
                      </Text>
                      {r.item ? (
                        <Text size="sm" c="gray.8">
                          Copy {r.item.barcode}, {r.item.library.name}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{r.requestType === 'hold' ? 'Hold' : 'Page'}</Table.Td>
                    <Table.Td>
                      {REQUEST_STATUS_WORDS[r.status]}
                      {r.holdShelfExpired ? (
                        <>
                          {' '}
                          <WordBadge color="red">Pickup time over</WordBadge>
                        </>
                      ) : null}
                      {r.cancelReason ? (
                        <Text size="sm" c="gray.8">
                          Reason: {r.cancelReason}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{r.queuePosition ?? '—'}</Table.Td>
                    <Table.Td>{r.pickupLibrary.name}</Table.Td>
                    <Table.Td>{r.holdShelfExpiresAt ? formatDateTime(r.holdShelfExpiresAt) : '—'}</Table.Td>
                    <Table.Td>{formatDate(r.placedAt)}</Table.Td>
                    <Table.Td>
                      {ACTIVE.has(r.status) ? (
                        <Button
                          size="xs"
                          variant="default"
                          aria-describedby={`request-title-${r.id}`}
                          onClick={() => {
                            setCancelling(r);
                            setReason('');
                            setReasonError(null);
                            setCancelError(null);
                          }}
                        >
                          Cancel request
                        </Button>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
      </Box>

      <PlaceRequest
        patron={patron}
        desk={desk}
        onPlaced={(request) => {
          setStatus(
            `Request placed for “${request.title.title}”: ${REQUEST_STATUS_WORDS[request.status].toLowerCase()}` +
              (request.queuePosition ? `, number ${request.queuePosition} in the queue` : '') +
              `, pickup at ${request.pickupLibrary.name}.`,
          );
          onChanged();
        }}
      />

      <Modal
        opened={cancelling !== null}
        onClose={() => setCancelling(null)}
        title={cancelling ? `Cancel the request for ${cancelling.title.title}` : ''}
        centered
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Box component="form" onSubmit={confirmCancel} noValidate>
          <Stack gap="sm">
            <Textarea
              label="Reason for cancelling"
              description="Required; the patron is told in a letter"
              value={reason}
              error={reasonError}
              onChange={(e) => {
                setReason(e.currentTarget.value);
                if (reasonError) setReasonError(null);
              }}
              maxLength={500}
              data-autofocus
              required
            />
            {cancelError ? <ApiErrorAlert title="The request was not cancelled" error={cancelError} /> : null}
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={() => setCancelling(null)}>
                Keep the request
              </Button>
              <Button type="submit" color="red.9" loading={busy}>
                Confirm cancellation
              </Button>
            </Group>
          </Stack>
        </Box>
      </Modal>
    </Stack>
  );
}

function PlaceRequest({
  patron,
  desk,
  onPlaced,
}: {
  patron: Patron;
  desk: SessionDesk;
  onPlaced: (request: RequestView) => void;
}) {
  const [query, setQuery] = useState('');
  const [queryError, setQueryError] = useState<string | null>(null);
  const [works, setWorks] = useState<WorkResult[] | null>(null);
  const [searchError, setSearchError] = useState<unknown>(null);
  const [bibId, setBibId] = useState('');
  const [requestType, setRequestType] = useState<'hold' | 'page'>('hold');
  const [pickup, setPickup] = useState(desk.libraryId);
  const [placeError, setPlaceError] = useState<unknown>(null);
  const [choiceError, setChoiceError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const resultsRef = useRef<HTMLDivElement>(null);
  const libraries = useLoaded(
    (signal) => getPublicInstitution(desk.institutionCode, signal),
    [desk.institutionCode],
  );

  const holderOf = (w: WorkResult) => w.holders.find((h) => h.institutionId === desk.institutionId);

  async function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const q = query.trim();
    if (q === '') {
      setQueryError('Enter words from the title or author.');
      return;
    }
    setBusy(true);
    setSearchError(null);
    setPlaceError(null);
    try {
      const found = await searchCatalogue({ q, institutions: [desk.institutionCode], pageSize: 10 });
      const own = found.results.filter((w) => holderOf(w));
      setWorks(own);
      setBibId(own.length === 1 ? (holderOf(own[0] as WorkResult)?.bibId ?? '') : '');
      requestAnimationFrame(() => resultsRef.current?.querySelector<HTMLInputElement>('input')?.focus());
    } catch (error) {
      setSearchError(error);
    } finally {
      setBusy(false);
    }
  }

  async function place(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!bibId) {
      setChoiceError('Choose the title to request.');
      return;
    }
    setChoiceError(null);
    setBusy(true);
    setPlaceError(null);
    try {
      const request = await placeRequest({
        patronId: patron.id,
        bibId,
        requestType,
        pickupLibraryId: pickup,
      });
      setWorks(null);
      setQuery('');
      setBibId('');
      onPlaced(request);
    } catch (error) {
      setPlaceError(error);
    } finally {
      setBusy(false);
    }
  }

  const libraryOptions =
    libraries.state === 'done'
      ? libraries.data.libraries.map((l) => ({ value: l.id, label: l.name }))
      : [{ value: desk.libraryId, label: desk.libraryName }];

  return (
    <Box component="section" aria-labelledby="place-request-heading">
      <Title order={3} id="place-request-heading" mb="xs">
        Place request
      </Title>
      <Box
        component="form"
        role="search"
        aria-label="Find a title to request"
        onSubmit={search}
        noValidate
        maw={640}
      >
        <TextInput
          label="Search the catalogue"
          description={`Titles held by ${desk.institutionName}`}
          type="search"
          value={query}
          error={queryError}
          onChange={(e) => {
            setQuery(e.currentTarget.value);
            if (queryError) setQueryError(null);
          }}
          inputContainer={(input) => (
            <Group gap="sm" wrap="nowrap" align="flex-end">
              <Box style={{ flex: 1 }}>{input}</Box>
              <Button type="submit" loading={busy && works === null}>
                Search titles
              </Button>
            </Group>
          )}
        />
      </Box>
      {searchError ? <ApiErrorAlert title="The catalogue could not be searched" error={searchError} /> : null}
      {works && works.length === 0 ? (
        <StatusMessage>No title held by {desk.institutionName} matches. Try other words.</StatusMessage>
      ) : null}
      {works && works.length > 0 ? (
        <Box component="form" onSubmit={place} noValidate mt="sm">
          <Stack gap="sm" maw={720}>
            <Box ref={resultsRef}>
              <Radio.Group
                label="Title to request"
                value={bibId}
                onChange={(v) => {
                  setBibId(v);
                  setChoiceError(null);
                }}
                error={choiceError}
              >
                <Stack gap={6} mt={4}>
                  {works.map((w) => {
                    const holder = holderOf(w);
                    if (!holder) return null;
                    return (
                      <Radio
                        key={holder.bibId}
                        value={holder.bibId}
                        label={`${w.title}${w.author ? ` — ${w.author}` : ''}${w.publicationYear ? ` (${w.publicationYear})` : ''}`}
                        description={`${holder.availableCount} of ${holder.itemCount} ${holder.itemCount === 1 ? 'copy' : 'copies'} on the shelf`}
                      />
                    );
                  })}
                </Stack>
              </Radio.Group>
            </Box>
            <Group gap="sm" align="flex-end" wrap="wrap">
              <NativeSelect
                label="Request type"
                value={requestType}
                onChange={(e) => setRequestType(e.currentTarget.value as 'hold' | 'page')}
                data={[
                  { value: 'hold', label: 'Hold: wait in the queue for a copy' },
                  { value: 'page', label: 'Page: fetch a copy on the shelf now' },
                ]}
              />
              <NativeSelect
                label="Pickup library"
                value={pickup}
                onChange={(e) => setPickup(e.currentTarget.value)}
                data={libraryOptions}
              />
              <Button type="submit" loading={busy}>
                Place request
              </Button>
            </Group>
            {placeError ? <ApiErrorAlert title="The request was not placed" error={placeError} /> : null}
          </Stack>
        </Box>
      ) : null}
    </Box>
  );
}
