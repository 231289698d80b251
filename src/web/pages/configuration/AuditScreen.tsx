import { Button, Group, List, NativeSelect, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { type AuditEntry, listAudit } from '../../api/configuration.ts';
import { errorMessage, isAbort } from '../../api.ts';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { formatDateTime } from '../../format.ts';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { BackToOverview } from './BackToOverview.tsx';

const ENTITY_WORDS: Record<string, string> = {
  institution: 'Institution',
  library: 'Library',
  circulation_desk: 'Circulation desk',
  location: 'Location',
  user_group: 'User group',
  item_policy: 'Item policy',
  material_type: 'Material type',
  terms_of_use: 'Terms of use',
  terms_of_use_rule: 'Loan rule',
  loan_limit: 'Loan limit',
  linked_account_rule: 'Linked-account rule',
  library_calendar: 'Library calendar',
  library_relation: 'Library relation',
  transit_time: 'Transit time',
  letter_template: 'Letter template',
  institution_letters_from: 'Letter sender',
  staff: 'Staff account',
  role_assignment: 'Role assignment',
};

const ACTION_WORDS = { create: 'Created', update: 'Changed', delete: 'Deleted' } as const;

function entityWords(type: string): string {
  return ENTITY_WORDS[type] ?? type.replace(/_/g, ' ');
}

const IGNORED = new Set(['updatedAt', 'createdAt', 'id', 'institutionId']);

function show(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** What changed, field by field: "loanPeriod: 28 → 7". */
function changes(entry: AuditEntry): string[] {
  const before = (entry.before ?? {}) as Record<string, unknown>;
  const after = (entry.after ?? {}) as Record<string, unknown>;
  if (typeof before !== 'object' || typeof after !== 'object')
    return [`${show(entry.before)} → ${show(entry.after)}`];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !IGNORED.has(k));
  if (entry.action === 'create')
    return keys.filter((k) => after[k] != null).map((k) => `${k}: ${show(after[k])}`);
  if (entry.action === 'delete')
    return keys.filter((k) => before[k] != null).map((k) => `${k}: ${show(before[k])}`);
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
}

function recordName(entry: AuditEntry): string {
  const record = (entry.after ?? entry.before) as Record<string, unknown> | null;
  const name =
    record && typeof record === 'object' ? (record.name ?? record.code ?? record.letterType) : null;
  return typeof name === 'string' ? name : '';
}

/** NET-7: who changed what in this institution's configuration, newest first. */
export function AuditScreen() {
  usePageTitle('Audit trail');
  const { institutionId, can } = useStaff();
  const [entityType, setEntityType] = useState('');
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` reloads
  useEffect(() => {
    if (!can('audit.read')) return;
    const controller = new AbortController();
    setEntries(null);
    listAudit(institutionId, { entityType, limit: 100 }, controller.signal)
      .then((e) => {
        setEntries(e);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, [institutionId, entityType, generation, can]);

  if (!can('audit.read')) {
    return (
      <Stack>
        <BackToOverview />
        <Title order={1}>Audit trail</Title>
        <ErrorMessage title="Not available">
          Reading the audit trail needs the audit.read privilege.
        </ErrorMessage>
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <BackToOverview />
      <Title order={1}>Audit trail</Title>
      <Text>Every configuration change, newest first (the last 100).</Text>
      <Group align="flex-end">
        <NativeSelect
          label="Show changes to"
          value={entityType}
          onChange={(e) => setEntityType(e.currentTarget.value)}
          data={[
            { value: '', label: 'Everything' },
            ...Object.entries(ENTITY_WORDS).map(([value, label]) => ({ value, label })),
          ]}
        />
        <Button variant="outline" onClick={() => setGeneration((g) => g + 1)}>
          Refresh
        </Button>
      </Group>
      {error ? <ErrorMessage title="The audit trail could not be loaded">{error}</ErrorMessage> : null}
      {!entries && !error ? <StatusMessage>Loading…</StatusMessage> : null}
      {entries ? (
        <>
          <StatusMessage>
            {entries.length === 0 ? 'No changes recorded.' : `${entries.length} changes shown.`}
          </StatusMessage>
          <ScrollArea type="auto">
            <Table striped withTableBorder aria-label="Configuration changes" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">Who</Table.Th>
                  <Table.Th scope="col">What</Table.Th>
                  <Table.Th scope="col">Changes (before → after)</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((entry) => (
                  <Table.Tr key={entry.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.at)}</Table.Td>
                    <Table.Td>{entry.actorUsername ?? 'system'}</Table.Td>
                    <Table.Td>
                      {ACTION_WORDS[entry.action]} {entityWords(entry.entityType).toLowerCase()}
                      {recordName(entry) ? ` “${recordName(entry)}”` : ''}
                    </Table.Td>
                    <Table.Td>
                      <List size="sm" spacing={0}>
                        {changes(entry).map((c) => (
                          <List.Item key={c}>{c}</List.Item>
                        ))}
                      </List>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </>
      ) : null}
    </Stack>
  );
}
