import { Box, Button, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import {
  ApiError,
  errorMessage,
  getSessionOrNull,
  isAbort,
  patronSignIn,
  type SessionView,
  signOut,
} from '../api.ts';
import { CatalogueSearchForm } from '../components/CatalogueSearchForm.tsx';
import { DiscoveryUnavailable } from '../components/DiscoveryUnavailable.tsx';
import { ErrorMessage, StatusMessage } from '../components/Messages.tsx';
import { PageLayout } from '../components/PageLayout.tsx';
import { searchPath } from '../searchUrl.ts';
import { usePageTitle } from '../usePageTitle.ts';
import { usePublicInstitution } from '../usePublicInstitution.ts';

/**
 * `/discovery/:code`: an institution's discovery home (GET-1). An anonymous visitor has this
 * institution as home; a patron signs in here. The search box leads to
 * `/discovery/:code/search?q=...` (SearchResultsPage).
 */
export function DiscoveryHomePage() {
  const code = useParams().code ?? '';
  const loaded = usePublicInstitution(code);
  const navigate = useNavigate();

  usePageTitle(
    loaded.state === 'found'
      ? `${loaded.institution.name} discovery`
      : loaded.state === 'not-found'
        ? 'Institution not found'
        : 'Discovery',
  );

  if (loaded.state !== 'found') return <DiscoveryUnavailable code={code} loaded={loaded} />;

  const { institution } = loaded;
  return (
    <PageLayout
      headerContent={
        <Text fw={600} c="gray.9">
          {institution.name} discovery
        </Text>
      }
    >
      <Stack gap="xl">
        <Title order={1}>{institution.name}</Title>
        <CatalogueSearchForm onSearch={(q) => navigate(searchPath(institution.code, { q }))} />
        <Group align="flex-start" gap="xl" wrap="wrap">
          <Box component="section" aria-labelledby="libraries-heading" style={{ flex: '1 1 360px' }}>
            <Title order={2} id="libraries-heading" mb="sm">
              Libraries
            </Title>
            {institution.libraries.length === 0 ? (
              <Text>No libraries are listed yet.</Text>
            ) : (
              <Stack component="ul" className="plain-list" gap="sm" data-testid="libraries">
                {institution.libraries.map((library) => (
                  <li key={library.id}>
                    <Text fw={600}>{library.name}</Text>
                    {library.address ? <Text c="gray.8">{library.address}</Text> : null}
                    {library.servesOtherInstitutions ? (
                      <Text size="sm" c="gray.8">
                        Serves patrons of other member institutions
                      </Text>
                    ) : null}
                  </li>
                ))}
              </Stack>
            )}
          </Box>
          <PatronAccount institutionCode={institution.code} />
        </Group>
      </Stack>
    </PageLayout>
  );
}

/** Patron sign-in for this institution, or who is signed in. */
function PatronAccount({ institutionCode }: { institutionCode: string }) {
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    getSessionOrNull(controller.signal)
      .then((s) => setSession(s && s.user.kind === 'patron' ? s : null))
      .catch((e: unknown) => {
        if (!isAbort(e)) setSession(null);
      });
    return () => controller.abort();
  }, []);

  async function onSignIn(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    if (identifier.trim() === '' || password === '') {
      setError('Enter your identifier and password.');
      return;
    }
    setBusy(true);
    try {
      setSession(await patronSignIn(institutionCode, identifier.trim(), password));
      setPassword('');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function onSignOut() {
    setError(null);
    setBusy(true);
    try {
      await signOut();
      setSession(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setSession(null);
      else setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper
      withBorder
      p="lg"
      component="section"
      aria-labelledby="account-heading"
      style={{ flex: '0 1 380px' }}
    >
      <Title order={2} id="account-heading" mb="sm">
        Your account
      </Title>
      {session === undefined ? <StatusMessage>Checking whether you are signed in…</StatusMessage> : null}
      {session ? (
        <Stack gap="sm">
          <Text role="status">
            Signed in as <strong>{session.user.name}</strong>
          </Text>
          {error ? <ErrorMessage title="Sign-out failed">{error}</ErrorMessage> : null}
          <Group>
            <Button variant="outline" onClick={onSignOut} loading={busy}>
              Sign out
            </Button>
          </Group>
        </Stack>
      ) : null}
      {session === null ? (
        <form onSubmit={onSignIn} aria-label="Patron sign-in" noValidate>
          <Stack gap="md">
            {error ? <ErrorMessage title="Sign-in failed">{error}</ErrorMessage> : null}
            <TextInput
              label="Identifier"
              description="Your library card number or patron identifier"
              name="identifier"
              autoComplete="username"
              required
              value={identifier}
              onChange={(e) => setIdentifier(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Group>
              <Button type="submit" loading={busy}>
                Sign in
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
    </Paper>
  );
}
