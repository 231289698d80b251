import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { LoadedInstitution } from '../usePublicInstitution.ts';
import { ErrorMessage, StatusMessage } from './Messages.tsx';
import { PageLayout } from './PageLayout.tsx';

/** A discovery page whose institution is still loading, does not exist or failed to load. */
export function DiscoveryUnavailable({
  code,
  loaded,
}: {
  code: string;
  loaded: Exclude<LoadedInstitution, { state: 'found' }>;
}) {
  return (
    <PageLayout>
      <Stack gap="md">
        {loaded.state === 'loading' ? (
          <>
            <Title order={1}>Discovery</Title>
            <StatusMessage>Loading…</StatusMessage>
          </>
        ) : null}
        {loaded.state === 'not-found' ? (
          <>
            <Title order={1}>Institution not found</Title>
            <Text>No institution with code {code}</Text>
          </>
        ) : null}
        {loaded.state === 'error' ? (
          <>
            <Title order={1}>Discovery</Title>
            <ErrorMessage title="This page could not be loaded">{loaded.message}</ErrorMessage>
          </>
        ) : null}
        <Anchor component={Link} to="/">
          See all member institutions
        </Anchor>
      </Stack>
    </PageLayout>
  );
}
