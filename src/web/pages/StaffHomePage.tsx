import { Box, Button, Code, Group, List, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { chooseDesk, type Desk, errorMessage, isAbort, listDesks, type SessionView } from '../api.ts';
import { ErrorMessage, StatusMessage } from '../components/Messages.tsx';
import { privilegeLabel } from '../privileges.ts';
import { useStaff } from '../staff/StaffContext.tsx';
import { usePageTitle } from '../usePageTitle.ts';

/** `/staff`: who is signed in, at which institution and desk, and what they may do there. */
export function StaffHomePage() {
  usePageTitle('Staff home');
  const { session, setSession } = useStaff();
  return (
    <Stack gap="xl">
      <Title order={1}>Staff home</Title>
      <DeskSection session={session} onSessionChange={setSession} />
    </Stack>
  );
}

function groupByLibrary(desks: Desk[]): { libraryId: string; libraryName: string; desks: Desk[] }[] {
  const groups = new Map<string, { libraryId: string; libraryName: string; desks: Desk[] }>();
  for (const desk of desks) {
    let group = groups.get(desk.libraryId);
    if (!group) {
      group = { libraryId: desk.libraryId, libraryName: desk.libraryName, desks: [] };
      groups.set(desk.libraryId, group);
    }
    group.desks.push(desk);
  }
  return [...groups.values()];
}

interface DeskSectionProps {
  session: SessionView;
  onSessionChange: (session: SessionView) => void;
}

/** Choose the institution and a circulation desk; shows the privileges held there. */
function DeskSection({ session, onSessionChange }: DeskSectionProps) {
  const institutions = session.abilities.institutions;
  const initialInstitutionId =
    session.desk?.institutionId ??
    institutions.find((i) => i.institutionId === session.user.institutionId)?.institutionId ??
    institutions[0]?.institutionId ??
    '';
  const [institutionId, setInstitutionId] = useState(initialInstitutionId);
  const [deskId, setDeskId] = useState(session.desk?.id ?? '');
  const [desks, setDesks] = useState<Desk[] | null>(null);
  const [desksError, setDesksError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (institutionId === '') return;
    const controller = new AbortController();
    setDesks(null);
    setDesksError(null);
    listDesks(institutionId, controller.signal)
      .then((list) => {
        setDesks(list);
        setDeskId((current) => (list.some((d) => d.id === current) ? current : ''));
      })
      .catch((e: unknown) => {
        if (!isAbort(e)) setDesksError(errorMessage(e));
      });
    return () => controller.abort();
  }, [institutionId]);

  const groups = useMemo(() => (desks ? groupByLibrary(desks) : []), [desks]);
  const chosen = institutions.find((i) => i.institutionId === institutionId);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(null);
    setSaveError(null);
    if (deskId === '') {
      setSaveError('Choose a circulation desk first.');
      return;
    }
    setSaving(true);
    try {
      const next = await chooseDesk(deskId);
      onSessionChange(next);
      setSaved(
        next.desk ? `You are now working at ${next.desk.name}, ${next.desk.libraryName}.` : 'Desk saved.',
      );
    } catch (e) {
      setSaveError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <Paper withBorder p="lg" component="section" aria-labelledby="desk-heading" maw={640}>
        <Title order={2} id="desk-heading" mb="xs">
          Institution and desk
        </Title>
        {institutions.length === 0 ? (
          <Text>You have no role at any institution. Ask an administrator to give you one.</Text>
        ) : (
          <form onSubmit={onSubmit} noValidate>
            <Stack gap="md">
              <NativeSelect
                label="Institution"
                value={institutionId}
                onChange={(e) => {
                  setInstitutionId(e.currentTarget.value);
                  setSaved(null);
                }}
              >
                {institutions.map((i) => (
                  <option key={i.institutionId} value={i.institutionId}>
                    {i.name} ({i.code})
                  </option>
                ))}
              </NativeSelect>
              {desksError ? (
                <ErrorMessage title="The desks could not be loaded">{desksError}</ErrorMessage>
              ) : null}
              {!desksError && desks === null ? <StatusMessage>Loading desks…</StatusMessage> : null}
              {desks && desks.length === 0 ? (
                <Text>This institution has no circulation desks yet.</Text>
              ) : null}
              {desks && desks.length > 0 ? (
                <NativeSelect
                  label="Circulation desk"
                  description="Desks are grouped by library."
                  value={deskId}
                  onChange={(e) => {
                    setDeskId(e.currentTarget.value);
                    setSaved(null);
                  }}
                >
                  <option value="" disabled>
                    Choose a desk
                  </option>
                  {groups.map((group) => (
                    <optgroup key={group.libraryId} label={group.libraryName}>
                      {group.desks.map((desk) => (
                        <option key={desk.id} value={desk.id}>
                          {desk.name}
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </NativeSelect>
              ) : null}
              {saveError ? <ErrorMessage title="The desk was not saved">{saveError}</ErrorMessage> : null}
              <Group>
                <Button type="submit" loading={saving} disabled={!desks || desks.length === 0}>
                  Use this desk
                </Button>
              </Group>
              <div role="status">{saved ? <Text c="green.9">{saved}</Text> : null}</div>
            </Stack>
          </form>
        )}
      </Paper>

      <Box component="section" aria-labelledby="privileges-heading">
        <Title order={2} size="h3" id="privileges-heading" mb="xs">
          Your privileges
        </Title>
        {chosen ? (
          <>
            <Text mb="xs">At {chosen.name}:</Text>
            {chosen.privileges.length === 0 ? (
              <Text>None.</Text>
            ) : (
              <List spacing={4} data-testid="privileges">
                {chosen.privileges.map((p) => (
                  <List.Item key={p}>
                    {privilegeLabel(p)} <Code>{p}</Code>
                  </List.Item>
                ))}
              </List>
            )}
          </>
        ) : (
          <Text>Choose an institution to see your privileges there.</Text>
        )}
        {session.abilities.networks
          .filter((n) => n.privileges.length > 0)
          .map((n) => (
            <Box key={n.networkId} mt="sm">
              <Text mb="xs">In the network {n.name}:</Text>
              <List spacing={4}>
                {n.privileges.map((p) => (
                  <List.Item key={p}>
                    {privilegeLabel(p)} <Code>{p}</Code>
                  </List.Item>
                ))}
              </List>
            </Box>
          ))}
      </Box>
    </>
  );
}
