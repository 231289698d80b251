import { Anchor, Button, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage, isAbort, listPublicInstitutions, type PublicInstitution } from '../api.ts';
import { ErrorMessage, StatusMessage } from '../components/Messages.tsx';
import { PageLayout } from '../components/PageLayout.tsx';
import { usePageTitle } from '../usePageTitle.ts';

/** `/`: what Shelfshare is, the way in for staff, and each member's discovery home. */
export function LandingPage() {
  usePageTitle('Shelfshare');
  const [institutions, setInstitutions] = useState<PublicInstitution[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    listPublicInstitutions(controller.signal)
      .then(setInstitutions)
      .catch((e: unknown) => {
        if (!isAbort(e)) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, []);

  return (
    <PageLayout
      headerContent={
        <Button component={Link} to="/staff/sign-in" variant="outline">
          Staff sign-in
        </Button>
      }
    >
      <Stack gap="lg" maw={760}>
        <Title order={1}>Shelfshare</Title>
        <Text size="lg">
          A fulfillment network for libraries: search the whole network, borrow from any member and pick up
          where it suits you.
        </Text>
        <section aria-labelledby="institutions-heading">
          <Title order={2} id="institutions-heading" mb="sm">
            Member institutions
          </Title>
          {error ? <ErrorMessage title="The institutions could not be loaded">{error}</ErrorMessage> : null}
          {!error && institutions === null ? <StatusMessage>Loading institutions…</StatusMessage> : null}
          {institutions && institutions.length === 0 ? <Text>No institutions are set up yet.</Text> : null}
          {institutions && institutions.length > 0 ? (
            <Stack component="ul" className="plain-list" gap="xs">
              {institutions.map((institution) => (
                <li key={institution.id}>
                  <Anchor component={Link} to={`/discovery/${encodeURIComponent(institution.code)}`} fz="lg">
                    {institution.name}
                  </Anchor>{' '}
                  <Text span c="gray.8">
                    ({institution.code})
                  </Text>
                </li>
              ))}
            </Stack>
          ) : null}
        </section>
        <section aria-labelledby="staff-heading">
          <Title order={2} id="staff-heading" mb="sm">
            Library staff
          </Title>
          <Text>
            Circulation and administration happen at the{' '}
            <Anchor component={Link} to="/staff/sign-in">
              staff sign-in
            </Anchor>
            .
          </Text>
        </section>
      </Stack>
    </PageLayout>
  );
}
