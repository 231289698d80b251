import { Button, Group, SimpleGrid, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { type Institution, updateInstitution } from '../../api/configuration.ts';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { formatDate } from '../../format.ts';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { BackToOverview } from './BackToOverview.tsx';
import { DefinitionItem } from './DefinitionItem.tsx';
import { displayValue, useConfigLists, useInstitution } from './data.ts';
import { INSTITUTION_FIELDS } from './fields.ts';
import { RecordFormModal } from './RecordForm.tsx';

/** NET-1, NET-4, NET-5: the institution's own record and its network settings. */
export function InstitutionScreen() {
  usePageTitle('Institution and network settings');
  const { institutionId, can } = useStaff();
  const canEdit = can('config.institution.manage');
  const { institution, error, setInstitution } = useInstitution(institutionId);
  const { lists } = useConfigLists(institutionId, ['user-groups']);
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const currency = institution?.currency ?? 'EUR';

  return (
    <Stack gap="md">
      <BackToOverview />
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Institution and network settings</Title>
        {canEdit && institution ? (
          <Button
            onClick={() => {
              setStatus(null);
              setEditing(true);
            }}
          >
            Edit settings
          </Button>
        ) : null}
      </Group>
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {error ? <ErrorMessage title="The institution could not be loaded">{error}</ErrorMessage> : null}
      {!institution && !error ? <StatusMessage>Loading…</StatusMessage> : null}
      {institution ? (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" component="dl" m={0}>
            <DefinitionItem label="Code">{institution.code}</DefinitionItem>
            {INSTITUTION_FIELDS.map((f) => (
              <DefinitionItem key={f.name} label={f.label}>
                {displayValue(f, institution[f.name], lists, currency)}
              </DefinitionItem>
            ))}
            <DefinitionItem label="Networks">
              {institution.networks.length === 0
                ? 'None'
                : institution.networks.map((n) => `${n.name} (joined ${formatDate(n.joinedAt)})`).join('; ')}
            </DefinitionItem>
          </SimpleGrid>
          <RecordFormModal
            opened={editing}
            title="Edit institution and network settings"
            onClose={() => setEditing(false)}
            fields={INSTITUTION_FIELDS}
            record={institution}
            currency={currency}
            lists={lists}
            save={(body) => updateInstitution(institutionId, body)}
            onSaved={(result) => {
              setInstitution(result as Institution);
              setEditing(false);
              setStatus('Saved the institution settings.');
            }}
          />
        </>
      ) : null}
    </Stack>
  );
}
