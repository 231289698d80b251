import { Box, Button, Code, Group, List, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import {
  ApiError,
  chooseDesk,
  type Desk,
  errorMessage,
  getSession,
  isAbort,
  listDesks,
  type SessionView,
  signOut,
} from '../api.ts';
import { ErrorMessage, StatusMessage } from '../components/Messages.tsx';
import { PageLayout } from '../components/PageLayout.tsx';
import { privilegeLabel } from '../privileges.ts';
import { usePageTitle } from '../usePageTitle.ts';

/** The staff work areas to come; shown so operators can see where the shell is heading. */
const STAFF_AREAS = [
  'Patron services',
  'Returns',
  'Scan in',
  'Pick from shelf',
  'Hold shelf',
  'Transits',
  'Configuration',
] as const;

/** `/staff`: who is signed in, at which institution and desk, and what they may do there. */
export function StaffHomePage() {
  usePageTitle('Staff home');
  const navigate = useNavigate();
  const [session, setSession] = useState<SessionView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getSession(controller.signal)
      .then((s) => {
        // A patron session is not a staff session: staff must sign in themselves.
        if (s.user.kind !== 'staff') navigate('/staff/sign-in', { replace: true });
        else setSession(s);
      })
      .catch((e: unknown) => {
        if (isAbort(e)) return;
        if (e instanceof ApiError && e.status === 401) navigate('/staff/sign-in', { replace: true });
        else setLoadError(errorMessage(e));
      });
    return () => controller.abort();
  }, [navigate]);

  const [signOutError, setSignOutError] = useState<string | null>(null);
  async function onSignOut() {
    setSignOutError(null);
    try {
      await signOut();
      navigate('/staff/sign-in');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) navigate('/staff/sign-in');
      else setSignOutError(errorMessage(e));
    }
  }

  if (!session) {
    return (
      <PageLayout>
        <Title order={1} mb="md">
          Staff home
        </Title>
        {loadError ? (
          <ErrorMessage title="Your session could not be loaded">{loadError}</ErrorMessage>
        ) : (
          <StatusMessage>Loading your session…</StatusMessage>
        )}
      </PageLayout>
    );
  }

  return (
    <PageLayout headerContent={<StaffHeader session={session} onSignOut={onSignOut} />} nav={<StaffNav />}>
      <Stack gap="xl">
        <Title order={1}>Staff home</Title>
        {signOutError ? <ErrorMessage title="Sign-out failed">{signOutError}</ErrorMessage> : null}
        <DeskSection session={session} onSessionChange={setSession} />
      </Stack>
    </PageLayout>
  );
}

function institutionNameOf(session: SessionView): string {
  if (session.desk) return session.desk.institutionName;
  const home = session.abilities.institutions.find((i) => i.institutionId === session.user.institutionId);
  return home?.name ?? session.user.institutionCode;
}

/** The header always shows the operator, the current institution and the desk (or none). */
function StaffHeader({ session, onSignOut }: { session: SessionView; onSignOut: () => void }) {
  const { desk } = session;
  return (
    <Group gap="lg" wrap="wrap" justify="flex-end">
      <Box data-testid="current-desk" aria-label="Current institution and desk" role="group">
        <Text size="sm" c="gray.8" lh={1.3}>
          Signed in as <strong>{session.user.name}</strong>
        </Text>
        <Text size="sm" lh={1.3}>
          <span>{institutionNameOf(session)}</span>
          {' · '}
          {desk ? (
            <span>
              Desk: <strong>{desk.name}</strong> ({desk.libraryName})
            </span>
          ) : (
            <strong>No desk chosen</strong>
          )}
        </Text>
      </Box>
      <Button variant="outline" onClick={onSignOut}>
        Sign out
      </Button>
    </Group>
  );
}

function StaffNav() {
  return (
    <Box component="nav" aria-labelledby="staff-nav-heading">
      <Title order={2} size="h4" id="staff-nav-heading" mb="sm">
        Staff tasks
      </Title>
      <Stack component="ul" className="plain-list" gap={6}>
        {STAFF_AREAS.map((area) => (
          <li key={area}>
            <Text fw={600} c="gray.9">
              {area}
            </Text>
            <Text size="sm" c="gray.8">
              Coming soon
            </Text>
          </li>
        ))}
      </Stack>
    </Box>
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
