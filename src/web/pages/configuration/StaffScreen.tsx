import { Button, Group, NativeSelect, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import {
  assignRole,
  INSTITUTION_ROLES,
  listStaff,
  revokeRole,
  roleLabel,
  type StaffMember,
} from '../../api/configuration.ts';
import { errorMessage, isAbort } from '../../api.ts';
import { ErrorMessage, StatusMessage } from '../../components/Messages.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { BackToOverview } from './BackToOverview.tsx';
import { useConfigLists } from './data.ts';
import { describeFailure } from './RecordForm.tsx';

/** Staff accounts of the institution and their roles: grant and revoke (staff.manage). */
export function StaffScreen() {
  usePageTitle('Staff and roles');
  const { institutionId, can } = useStaff();
  const { lists } = useConfigLists(institutionId, ['libraries']);
  const [staff, setStaff] = useState<StaffMember[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const allowed = can('staff.manage');

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` reloads
  useEffect(() => {
    if (!allowed) return;
    const controller = new AbortController();
    listStaff(institutionId, controller.signal)
      .then((s) => {
        setStaff(s);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, [institutionId, generation, allowed]);

  const libraryName = (id: string | null) =>
    id ? String(lists?.libraries?.find((l) => l.id === id)?.name ?? 'one library') : null;

  if (!allowed) {
    return (
      <Stack>
        <BackToOverview />
        <Title order={1}>Staff and roles</Title>
        <ErrorMessage title="Not available">Managing staff needs the staff.manage privilege.</ErrorMessage>
      </Stack>
    );
  }

  async function revoke(member: StaffMember, assignmentId: string, role: string) {
    setFailure(null);
    setStatus(null);
    try {
      await revokeRole(institutionId, member.id, assignmentId);
      setStatus(`Revoked the role ${roleLabel(role)} from ${member.name}.`);
      setGeneration((g) => g + 1);
    } catch (e) {
      setFailure(e);
    }
  }

  return (
    <Stack gap="md">
      <BackToOverview />
      <Title order={1}>Staff and roles</Title>
      <Text>Roles decide what each staff member may do; a role may be limited to one library.</Text>
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {failure ? <ErrorMessage title="Not changed">{describeFailure(failure)}</ErrorMessage> : null}
      {error ? <ErrorMessage title="The staff could not be loaded">{error}</ErrorMessage> : null}
      {!staff && !error ? <StatusMessage>Loading…</StatusMessage> : null}
      {staff ? (
        <ScrollArea type="auto">
          <Table withTableBorder striped aria-label="Staff accounts" verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Staff member</Table.Th>
                <Table.Th scope="col">Roles</Table.Th>
                <Table.Th scope="col">Grant a role</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {staff.map((member) => (
                <Table.Tr key={member.id}>
                  <Table.Th scope="row">
                    {member.name}
                    <Text size="sm" c="gray.8" fw={400}>
                      {member.username}
                      {member.active ? '' : ' (inactive)'}
                    </Text>
                  </Table.Th>
                  <Table.Td>
                    <Stack gap={4}>
                      {member.roles.length === 0 ? <Text size="sm">No roles</Text> : null}
                      {member.roles.map((r) => (
                        <Group key={r.id} gap="xs">
                          <Text size="sm" fw={600}>
                            {roleLabel(r.role)}
                            {r.libraryId ? ` at ${libraryName(r.libraryId)}` : ''}
                          </Text>
                          {r.networkId ? null : (
                            <Button
                              size="compact-xs"
                              variant="outline"
                              color="red.9"
                              aria-label={`Revoke ${roleLabel(r.role)} from ${member.name}`}
                              onClick={() => revoke(member, r.id, r.role)}
                            >
                              Revoke
                            </Button>
                          )}
                        </Group>
                      ))}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <GrantRole
                      member={member}
                      libraries={(lists?.libraries ?? []).map((l) => ({
                        value: l.id,
                        label: String(l.name),
                      }))}
                      grant={async (role, libraryId) => {
                        setFailure(null);
                        setStatus(null);
                        try {
                          await assignRole(institutionId, member.id, { role, libraryId });
                          setStatus(`Granted ${roleLabel(role)} to ${member.name}.`);
                          setGeneration((g) => g + 1);
                        } catch (e) {
                          setFailure(e);
                        }
                      }}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      ) : null}
    </Stack>
  );
}

function GrantRole({
  member,
  libraries,
  grant,
}: {
  member: StaffMember;
  libraries: { value: string; label: string }[];
  grant: (role: string, libraryId: string | null) => Promise<void>;
}) {
  const [role, setRole] = useState('');
  const [libraryId, setLibraryId] = useState('');
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!role) return;
    await grant(role, libraryId || null);
    setRole('');
    setLibraryId('');
  }
  return (
    <form onSubmit={onSubmit}>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <NativeSelect
          label={`Role for ${member.name}`}
          size="xs"
          value={role}
          onChange={(e) => setRole(e.currentTarget.value)}
          data={[
            { value: '', label: 'Choose a role…' },
            ...INSTITUTION_ROLES.map((r) => ({ value: r.role, label: r.label })),
          ]}
        />
        <NativeSelect
          label={`Limited to (${member.name})`}
          size="xs"
          value={libraryId}
          onChange={(e) => setLibraryId(e.currentTarget.value)}
          data={[{ value: '', label: 'The whole institution' }, ...libraries]}
        />
        <Button type="submit" size="xs" disabled={!role}>
          Grant
        </Button>
      </Group>
    </form>
  );
}
