import { Anchor, Group, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { createPatron, listUserGroups, type PatronInput, updatePatron } from '../../api/records.ts';
import { type CodeName, getPatron, type Patron } from '../../api/shared.ts';
import { isAbort } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { StatusMessage } from '../../components/Messages.tsx';
import { useStaff } from '../../staff/StaffContext.tsx';
import { usePageTitle } from '../../usePageTitle.ts';
import { PatronForm } from './PatronForm.tsx';
import {
  AccountSection,
  BlocksSection,
  IdentifiersSection,
  LettersSection,
  PatronDetailsView,
  Section,
} from './PatronSections.tsx';
import { PatronStatusBadges, patronDisplayName, RecordLoadError } from './recordParts.tsx';

/**
 * A patron record (PAT-1): create one, or read and change it (details, identifiers, blocks,
 * expiry, discovery password) with the letters sent (CIRC-12). Staff with patrons.read only see
 * it read only. PAT-8: another member's patron is never shown.
 */
export function PatronRecordPage() {
  const { patronId } = useParams();
  return patronId ? <ExistingPatron key={patronId} patronId={patronId} /> : <NewPatron />;
}

function useUserGroups(institutionId: string) {
  const [groups, setGroups] = useState<CodeName[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const controller = new AbortController();
    listUserGroups(institutionId, controller.signal)
      .then(setGroups)
      .catch((e: unknown) => {
        if (!isAbort(e)) setError(e);
      });
    return () => controller.abort();
  }, [institutionId]);
  return { groups, error };
}

function NewPatron() {
  usePageTitle('New patron');
  const { institutionId, institutionName, can } = useStaff();
  const navigate = useNavigate();
  const { groups, error } = useUserGroups(institutionId);

  async function onSave(input: PatronInput) {
    const created = await createPatron(institutionId, input);
    navigate(`/staff/patrons/${created.id}`, {
      state: {
        message: `Patron ${patronDisplayName(created)} created. Next: add identifiers or blocks below, or open the patron in patron services.`,
      },
    });
  }

  return (
    <Stack gap="md">
      <Title order={1}>New patron</Title>
      <Anchor component={Link} to="/staff/patrons">
        Back to patron records
      </Anchor>
      {!can('patrons.manage') ? (
        <StatusMessage>
          You can look patrons up but not create them (you do not manage patrons).
        </StatusMessage>
      ) : error ? (
        <ApiErrorAlert title="The user groups could not be loaded" error={error} />
      ) : groups === null ? (
        <StatusMessage>Loading…</StatusMessage>
      ) : (
        <>
          <Text>
            A new patron of {institutionName}. Fields marked * are required; the server checks every field and
            marks any it refuses.
          </Text>
          <PatronForm
            patron={null}
            userGroups={groups}
            onSave={onSave}
            onCancel={() => navigate('/staff/patrons')}
          />
        </>
      )}
    </Stack>
  );
}

function ExistingPatron({ patronId }: { patronId: string }) {
  const { institutionId, can } = useStaff();
  const location = useLocation();
  const canManage = can('patrons.manage');
  const [patron, setPatron] = useState<Patron | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(
    (location.state as { message?: string } | null)?.message ?? null,
  );
  const [reloadKey, setReloadKey] = useState(0);
  // The form keeps what is typed while identifiers or blocks change; a save starts it afresh.
  const [formVersion, setFormVersion] = useState(0);
  const { groups } = useUserGroups(institutionId);
  const headingRef = useRef<HTMLHeadingElement>(null);
  usePageTitle(patron ? `Patron record: ${patronDisplayName(patron)}` : 'Patron record');

  const load = useCallback(
    (signal?: AbortSignal) =>
      getPatron(institutionId, patronId, signal)
        .then((p) => {
          setPatron(p);
          setLoadError(null);
        })
        .catch((e: unknown) => {
          if (!isAbort(e)) setLoadError(e);
        }),
    [institutionId, patronId],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  const onChanged = useCallback(
    (updated: Patron | null, text: string) => {
      setMessage(text);
      if (updated) setPatron(updated);
      else void load();
      setReloadKey((k) => k + 1);
    },
    [load],
  );

  async function onSave(input: PatronInput) {
    const updated = await updatePatron(institutionId, patronId, input);
    setPatron(updated);
    setFormVersion((v) => v + 1);
    setMessage('Changes saved.');
    headingRef.current?.focus();
  }

  if (loadError && !patron) {
    return (
      <Stack gap="md">
        <Title order={1}>Patron record</Title>
        <RecordLoadError what="patron" error={loadError} />
        <Anchor component={Link} to="/staff/patrons">
          Back to patron records
        </Anchor>
      </Stack>
    );
  }
  if (!patron) {
    return (
      <Stack gap="md">
        <Title order={1}>Patron record</Title>
        <StatusMessage>Loading the patron record…</StatusMessage>
      </Stack>
    );
  }

  return (
    <Stack gap="lg">
      <Stack gap="xs">
        <Title order={1} ref={headingRef} tabIndex={-1}>
          Patron record: {patronDisplayName(patron)}
        </Title>
        <Group gap="md" wrap="wrap">
          <PatronStatusBadges status={patron.status} expired={patron.expired} blocked={patron.blocked} />
          <Text>
            {patron.primaryIdentifier} · {patron.userGroup.name}
          </Text>
          <Anchor component={Link} to={`/staff/patron-services/${patron.id}`}>
            Open in patron services
          </Anchor>
          <Anchor component={Link} to="/staff/patrons">
            Back to patron records
          </Anchor>
        </Group>
        {message ? <StatusMessage>{message}</StatusMessage> : <StatusMessage>{''}</StatusMessage>}
      </Stack>

      <Section id="details-heading" title="Details">
        {canManage && groups ? (
          <PatronForm key={formVersion} patron={patron} userGroups={groups} onSave={onSave} />
        ) : (
          <Stack gap="xs">
            {!canManage ? (
              <Text>You can read this record; changing it needs the patron manager privilege.</Text>
            ) : null}
            <PatronDetailsView patron={patron} />
          </Stack>
        )}
      </Section>
      <IdentifiersSection
        institutionId={institutionId}
        patron={patron}
        canManage={canManage}
        onChanged={onChanged}
      />
      <BlocksSection
        institutionId={institutionId}
        patron={patron}
        canManage={canManage}
        onChanged={onChanged}
      />
      <AccountSection
        institutionId={institutionId}
        patron={patron}
        canManage={canManage}
        onChanged={onChanged}
      />
      <LettersSection institutionId={institutionId} patronId={patron.id} reloadKey={reloadKey} />
    </Stack>
  );
}
