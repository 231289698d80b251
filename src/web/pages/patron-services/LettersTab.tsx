import { Box, Table, Text, Title } from '@mantine/core';
import { listPatronLetters, type Patron } from '../../api/shared.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { WordBadge } from '../../components/WordBadge.tsx';
import { formatDateTime } from '../../format.ts';
import { LETTER_STATUS_WORDS, LETTER_TYPE_WORDS, useLoaded } from './parts.tsx';

/** The letters written to the patron (CIRC-12), newest first, with their delivery state. */
export function LettersTab({ patron, refresh }: { patron: Patron; refresh: number }) {
  const letters = useLoaded(
    (signal) => listPatronLetters(patron.institutionId, patron.id, signal),
    [patron.id, refresh],
  );
  return (
    <Box component="section" aria-labelledby="letters-heading">
      <Title order={3} id="letters-heading" mb="xs">
        Letters
      </Title>
      {letters.state === 'loading' ? <StatusMessage>Loading letters…</StatusMessage> : null}
      {letters.state === 'error' ? (
        <ApiErrorAlert title="Letters could not be loaded" error={letters.error} />
      ) : null}
      {letters.state === 'done' && letters.data.length === 0 ? (
        <Text c="gray.8">No letters have been written to this patron.</Text>
      ) : null}
      {letters.state === 'done' && letters.data.length > 0 ? (
        <Table.ScrollContainer minWidth={760}>
          <Table captionSide="top" striped withTableBorder data-testid="patron-letters">
            <Table.Caption>{letters.data.length} letters, newest first</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Type</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Written</Table.Th>
                <Table.Th>Sent</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {letters.data.map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td>{LETTER_TYPE_WORDS[l.letterType] ?? l.letterType}</Table.Td>
                  <Table.Td>
                    <details>
                      <summary>{l.subject}</summary>
                      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                        {l.body}
                      </Text>
                    </details>
                  </Table.Td>
                  <Table.Td>{l.to ?? 'No address'}</Table.Td>
                  <Table.Td>
                    <WordBadge
                      color={l.status === 'delivered' ? 'green' : l.status === 'failed' ? 'red' : 'gray'}
                    >
                      {LETTER_STATUS_WORDS[l.status] ?? l.status}
                    </WordBadge>
                    {l.lastError ? (
                      <Text size="sm" c="red.9">
                        {l.lastError}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{formatDateTime(l.createdAt)}</Table.Td>
                  <Table.Td>{formatDateTime(l.deliveredAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Box>
  );
}
